// qahan/moves.h - Monte Carlo moves on a SliceState.
//
// Spin energy E(s) = c + sum h_i s_i + sum_{i<j} J_ij s_i s_j; flipping s_i changes it by
// dE = -2 s_i f_i with f the local field.
//
// SA (one slice): Metropolis, accept if dE <= 0 or u < exp(-beta dE); a sweep is n attempts in the
// fixed order 0..n-1. At constant beta this is a reversible chain with the Boltzmann distribution
// exp(-beta E) as its stationary law.
//
// SQA (P slices, Suzuki-Trotter): the quantum H = Hp(sz) - Gamma sum_i sx_i at inverse temperature beta
// maps to the classical weight
//     exp( -(beta/P) sum_k Hp(s^k) + Jperp sum_k sum_i s_i^k s_i^{k+1} ),  k periodic,
//     Jperp = -(1/2) ln tanh(beta Gamma / P) > 0.
// A local move flips s_i^k with dEeff = w (-2 s f) + 2 Jperp s (s_i^{k-1} + s_i^{k+1}), w = beta/P
// (s-form: w = s beta/P); Metropolis on exp(-dEeff). For P = 1 there is no inter-slice term. The
// optional global move flips spin i in every slice at once: the inter-slice term is unchanged, so
// dEeff = w sum_k (-2 s_i^k f_i^k).
//
// Cardinality-keeping moves (the attention QUBOs' "keep exactly k"): a pair swap flips one +1 spin i and
// one -1 spin j together, so the number of +1 spins never changes and a penalty gamma (sum z - k)^2 is a
// constant that no longer sets the energy scale. With s_i = +1, s_j = -1:
//     dE = -2 f_i + 2 f_j - 4 J_ij.
// The pair is drawn uniformly (i among the +1 spins, j among the -1 spins), a symmetric proposal, so
// Metropolis on dE has the Boltzmann law restricted to the states with k ones as its stationary law.
// In SQA every slice keeps its own k-set; the inter-slice term of a swap is the sum of the two spins'.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "qahan/rng.h"

#if defined(_MSC_VER)
#define QAHAN_RESTRICT __restrict
#else
#define QAHAN_RESTRICT __restrict__
#endif

namespace qahan {

// exp(-x) < 2^-53 for x > 37, below the uniform's resolution: reject without drawing.
constexpr double kRejectAbove = 37.5;

// Metropolis test for a move costing x = beta * dE (already scaled).
inline bool metropolis(double x, Rng& rng) {
  if (x <= 0.0) return true;
  if (x > kRejectAbove) return false;
  return rng.uniform() < std::exp(-x);
}

// Dense couplings: row i of a symmetric n x n matrix with a zero diagonal.
template <class Real>
struct DenseCouplings {
  const Real* J;
  int n;
  inline void flip(Real* QAHAN_RESTRICT f, int i, Real c) const {
    const Real* QAHAN_RESTRICT row = J + static_cast<size_t>(i) * n;
    for (int j = 0; j < n; ++j) f[j] += c * row[j];
  }
};

struct CsrCouplings {
  const uint32_t* rowPtr;
  const uint32_t* col;
  const double* val;
  inline void flip(double* QAHAN_RESTRICT f, int i, double c) const {
    const uint32_t e = rowPtr[i + 1];
    for (uint32_t k = rowPtr[i]; k < e; ++k) f[col[k]] += c * val[k];
  }
};

// One SA sweep at inverse temperature beta over spins s / fields f.
template <class Real, class C>
inline void saSweep(const C& cp, int8_t* QAHAN_RESTRICT s, Real* QAHAN_RESTRICT f, int n, double beta, Rng& rng) {
  for (int i = 0; i < n; ++i) {
    const int si = s[i];
    const double dE = -2.0 * si * static_cast<double>(f[i]);
    if (dE > 0.0) {
      const double x = beta * dE;
      if (x > kRejectAbove || !(rng.uniform() < std::exp(-x))) continue;
    }
    s[i] = static_cast<int8_t>(-si);
    cp.flip(f, i, static_cast<Real>(-2 * si));
  }
}

// One SQA sweep of local moves: every slice k = 0..P-1, spins 0..n-1 in order.
// S and F hold P slices of n; w = weight of Hp, jp = Jperp (0 when P == 1).
template <class Real, class C>
inline void sqaSweep(const C& cp, int8_t* S, Real* F, int n, int P, double w, double jp, Rng& rng) {
  const size_t N = static_cast<size_t>(n);
  const double w2 = -2.0 * w, j2 = 2.0 * jp;
  for (int k = 0; k < P; ++k) {
    int8_t* QAHAN_RESTRICT s = S + k * N;
    Real* QAHAN_RESTRICT f = F + k * N;
    const int8_t* sp = S + static_cast<size_t>((k + P - 1) % P) * N;
    const int8_t* sn = S + static_cast<size_t>((k + 1) % P) * N;
    for (int i = 0; i < n; ++i) {
      const int si = s[i];
      const double x = si * (w2 * static_cast<double>(f[i]) + j2 * (sp[i] + sn[i]));
      if (x > 0.0 && (x > kRejectAbove || !(rng.uniform() < std::exp(-x)))) continue;
      s[i] = static_cast<int8_t>(-si);
      cp.flip(f, i, static_cast<Real>(-2 * si));
    }
  }
}

// Global moves: for each spin i, try flipping it in all P slices at once.
template <class Real, class C>
inline void sqaGlobalSweep(const C& cp, int8_t* S, Real* F, int n, int P, double w, Rng& rng) {
  const size_t N = static_cast<size_t>(n);
  for (int i = 0; i < n; ++i) {
    double acc = 0.0;
    for (int k = 0; k < P; ++k) acc += S[k * N + i] * static_cast<double>(F[k * N + i]);
    if (!metropolis(-2.0 * w * acc, rng)) continue;
    for (int k = 0; k < P; ++k) {
      const int si = S[k * N + i];
      S[k * N + i] = static_cast<int8_t>(-si);
      cp.flip(F + k * N, i, static_cast<Real>(-2 * si));
    }
  }
}

// The +1 spins ("members") and -1 spins ("others") of one slice as two index lists with each spin's
// position in its list, so a uniform pair draw and the swap that follows are O(1).
struct CardinalitySet {
  std::vector<int> members, others, pos;  // pos[i]: index of i in its list
  void build(const int8_t* s, int n) {
    members.clear();
    others.clear();
    pos.assign(static_cast<size_t>(n), 0);
    for (int i = 0; i < n; ++i) {
      auto& l = s[i] > 0 ? members : others;
      pos[i] = static_cast<int>(l.size());
      l.push_back(i);
    }
  }
  // Exchange members[a] and others[b] (after their spins were flipped).
  inline void swap(int a, int b) {
    const int i = members[a], j = others[b];
    members[a] = j;
    others[b] = i;
    pos[j] = a;
    pos[i] = b;
  }
};

template <class Real>
inline double couplingOf(const DenseCouplings<Real>& cp, int i, int j) {
  return static_cast<double>(cp.J[static_cast<size_t>(i) * cp.n + j]);
}

// CSR rows are not sorted for lookup: scan row i (sparse rows are short).
inline double couplingOf(const CsrCouplings& cp, int i, int j) {
  double v = 0.0;
  for (uint32_t k = cp.rowPtr[i]; k < cp.rowPtr[i + 1]; ++k)
    if (static_cast<int>(cp.col[k]) == j) v += cp.val[k];
  return v;
}

// One SA swap sweep: n pair-swap attempts at inverse temperature beta. No-op when k is 0 or n.
template <class Real, class C>
inline void saSwapSweep(const C& cp, int8_t* QAHAN_RESTRICT s, Real* QAHAN_RESTRICT f, CardinalitySet& cs, int n,
                        double beta, Rng& rng) {
  const uint32_t K = static_cast<uint32_t>(cs.members.size()), M = static_cast<uint32_t>(cs.others.size());
  if (K == 0 || M == 0) return;
  for (int t = 0; t < n; ++t) {
    const uint32_t a = rng.below(K), b = rng.below(M);
    const int i = cs.members[a], j = cs.others[b];
    const double dE = -2.0 * static_cast<double>(f[i]) + 2.0 * static_cast<double>(f[j]) - 4.0 * couplingOf(cp, i, j);
    if (!metropolis(beta * dE, rng)) continue;
    s[i] = -1;
    cp.flip(f, i, static_cast<Real>(-2));
    s[j] = 1;
    cp.flip(f, j, static_cast<Real>(2));
    cs.swap(static_cast<int>(a), static_cast<int>(b));
  }
}

// One SQA swap sweep: n pair-swap attempts in every slice k (sets[k] holds slice k's lists).
template <class Real, class C>
inline void sqaSwapSweep(const C& cp, int8_t* S, Real* F, CardinalitySet* sets, int n, int P, double w, double jp,
                         Rng& rng) {
  const size_t N = static_cast<size_t>(n);
  for (int k = 0; k < P; ++k) {
    CardinalitySet& cs = sets[k];
    const uint32_t K = static_cast<uint32_t>(cs.members.size()), M = static_cast<uint32_t>(cs.others.size());
    if (K == 0 || M == 0) continue;
    int8_t* QAHAN_RESTRICT s = S + k * N;
    Real* QAHAN_RESTRICT f = F + k * N;
    const int8_t* sp = S + static_cast<size_t>((k + P - 1) % P) * N;
    const int8_t* sn = S + static_cast<size_t>((k + 1) % P) * N;
    for (int t = 0; t < n; ++t) {
      const uint32_t a = rng.below(K), b = rng.below(M);
      const int i = cs.members[a], j = cs.others[b];
      const double dE = -2.0 * static_cast<double>(f[i]) + 2.0 * static_cast<double>(f[j]) - 4.0 * couplingOf(cp, i, j);
      // Flipping i (+1 -> -1) and j (-1 -> +1) changes -Jperp sum s^k s^{k+-1} by 2 Jperp (sp+sn)_i - 2 Jperp (sp+sn)_j.
      const double x = w * dE + 2.0 * jp * ((sp[i] + sn[i]) - (sp[j] + sn[j]));
      if (!metropolis(x, rng)) continue;
      s[i] = -1;
      cp.flip(f, i, static_cast<Real>(-2));
      s[j] = 1;
      cp.flip(f, j, static_cast<Real>(2));
      cs.swap(static_cast<int>(a), static_cast<int>(b));
    }
  }
}

}  // namespace qahan
