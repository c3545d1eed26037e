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
#pragma once
#include <cmath>
#include <cstdint>

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

}  // namespace qahan
