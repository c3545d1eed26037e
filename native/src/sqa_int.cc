#include "qahan/kernels/sqa_int.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>

namespace qahan {

namespace {

// A^c for c in [-max, max], filled outward from c = 0 on demand.
struct PowTable {
  std::vector<double> v;
  int center = 0, lo = 0, hi = 0;
  double a = 1.0, inv = 1.0;
  explicit PowTable(int maxField) : v(2 * static_cast<size_t>(maxField) + 1, 1.0), center(maxField) {}
  void reset(double cw) {
    a = std::exp(-cw);
    inv = std::exp(cw);
    lo = hi = 0;
  }
  inline double get(int c) {
    if (c > hi) {
      double x = v[center + hi];
      while (hi < c) x *= a, v[center + ++hi] = x;
    } else if (c < lo) {
      double x = v[center + lo];
      while (lo > c) x *= inv, v[center + --lo] = x;
    }
    return v[center + c];
  }
};

struct Step {
  double cw, j2;
  double B[3];  // B_q for q = -2, 0, 2
  PowTable* pow;
};

inline bool accept(int si, int field, int nb, const Step& st, Rng& rng) {
  const int c = -si * field;
  const int q = si * nb;
  const double x = st.cw * c + (q == 0 ? 0.0 : st.j2 * q);
  if (x <= 0.0) return true;
  return rng.uniform() < st.pow->get(c) * st.B[(q >> 1) + 1];
}

// The dense sweep: one copy per ISA for the row loops (GCC on x86-64 Linux).
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
void denseSqaSweep(const int8_t* __restrict__ w2, int stride, int n, int P, int8_t* S, int16_t* F, const Step& st,
                   Rng& rng) {
  const size_t N = static_cast<size_t>(n);
  for (int k = 0; k < P; ++k) {
    int8_t* __restrict__ s = S + k * N;
    int16_t* __restrict__ f = F + k * static_cast<size_t>(stride);
    const int8_t* sp = S + static_cast<size_t>((k + P - 1) % P) * N;
    const int8_t* sn = S + static_cast<size_t>((k + 1) % P) * N;
    for (int i = 0; i < n; ++i) {
      const int si = s[i];
      if (!accept(si, f[i], sp[i] + sn[i], st, rng)) continue;
      s[i] = static_cast<int8_t>(-si);
      const int8_t* __restrict__ row = w2 + static_cast<size_t>(i) * stride;
      if (si > 0)
        for (int j = 0; j < stride; ++j) f[j] = static_cast<int16_t>(f[j] - row[j]);
      else
        for (int j = 0; j < stride; ++j) f[j] = static_cast<int16_t>(f[j] + row[j]);
    }
  }
}

// Small fields (maxField <= kTableMax): the whole acceptance table per sweep, thr[(c + maxField) * 3 + q/2 + 1]
// = floor(2^64 min(1, exp(-x))), ~0 meaning accept without a draw.
constexpr int kTableMax = 64;

void fillTable(const Step& st, int maxField, uint64_t* thr) {
  for (int c = -maxField; c <= maxField; ++c)
    for (int qi = 0; qi < 3; ++qi) {
      const int q = 2 * qi - 2;
      const double x = st.cw * c + (q == 0 ? 0.0 : st.j2 * q);
      uint64_t t = ~uint64_t(0);
      if (x > 0.0) {
        const double p = std::exp(-x) * 18446744073709551616.0;
        t = p >= 18446744073709551615.0 ? ~uint64_t(0) - 1 : static_cast<uint64_t>(p);
      }
      thr[(c + maxField) * 3 + qi] = t;
    }
}

template <int D>
void sparseSqaSweepTable(const IntegerForm& g, int n, int P, int8_t* S, int32_t* F, const uint64_t* thr, Rng& rng) {
  const size_t N = static_cast<size_t>(n);
  const int deg = D > 0 ? D : g.D;
  const int32_t* nbr = g.nbr.data();
  const int32_t* w = g.w.data();
  const uint64_t* t0 = thr + g.maxField * 3 + 1;  // t0[c * 3 + q / 2]
  for (int k = 0; k < P; ++k) {
    int8_t* __restrict__ s = S + k * N;
    int32_t* __restrict__ f = F + k * (N + 1);
    const int8_t* sp = S + static_cast<size_t>((k + P - 1) % P) * N;
    const int8_t* sn = S + static_cast<size_t>((k + 1) % P) * N;
    for (int i = 0; i < n; ++i) {
      const int si = s[i];
      const int c = -si * f[i];
      const int q = si * (sp[i] + sn[i]);
      const uint64_t t = t0[c * 3 + (q >> 1)];
      // Branch-free: one number per attempt (mispredicted branches cost more than the draw); the
      // neighbours get d = 0 on a rejected move.
      const uint64_t r = rng.next();
      const int32_t acc = -static_cast<int32_t>((r < t) | (t == ~uint64_t(0)));
      s[i] = static_cast<int8_t>(si ^ (acc & (si ^ -si)));
      const int32_t d = (-2 * si) & acc;
      const size_t o = static_cast<size_t>(i) * deg;
      for (int e = 0; e < deg; ++e) f[nbr[o + e]] += d * w[o + e];
    }
  }
}

template <int D>
void sparseSqaSweep(const IntegerForm& g, int n, int P, int8_t* S, int32_t* F, const Step& st, Rng& rng) {
  const size_t N = static_cast<size_t>(n);
  const int deg = D > 0 ? D : g.D;
  const int32_t* nbr = g.nbr.data();
  const int32_t* w = g.w.data();
  for (int k = 0; k < P; ++k) {
    int8_t* __restrict__ s = S + k * N;
    int32_t* __restrict__ f = F + k * (N + 1);
    const int8_t* sp = S + static_cast<size_t>((k + P - 1) % P) * N;
    const int8_t* sn = S + static_cast<size_t>((k + 1) % P) * N;
    for (int i = 0; i < n; ++i) {
      const int si = s[i];
      if (!accept(si, f[i], sp[i] + sn[i], st, rng)) continue;
      s[i] = static_cast<int8_t>(-si);
      const int32_t d = -2 * si;
      const size_t o = static_cast<size_t>(i) * deg;
      for (int e = 0; e < deg; ++e) f[nbr[o + e]] += d * w[o + e];
    }
  }
}

void sparseSweep(const IntegerForm& g, int n, int P, int8_t* S, int32_t* F, const Step& st, Rng& rng,
                 std::vector<uint64_t>& thr) {
  if (g.maxField <= kTableMax) {
    thr.resize(static_cast<size_t>(2 * g.maxField + 1) * 3);
    fillTable(st, g.maxField, thr.data());
    switch (g.D) {
      case 3: return sparseSqaSweepTable<3>(g, n, P, S, F, thr.data(), rng);
      case 4: return sparseSqaSweepTable<4>(g, n, P, S, F, thr.data(), rng);
      case 6: return sparseSqaSweepTable<6>(g, n, P, S, F, thr.data(), rng);
      default: return sparseSqaSweepTable<0>(g, n, P, S, F, thr.data(), rng);
    }
  }
  switch (g.D) {
    case 3: return sparseSqaSweep<3>(g, n, P, S, F, st, rng);
    case 4: return sparseSqaSweep<4>(g, n, P, S, F, st, rng);
    case 6: return sparseSqaSweep<6>(g, n, P, S, F, st, rng);
    default: return sparseSqaSweep<0>(g, n, P, S, F, st, rng);
  }
}

inline bool stoppedOpt(const BatchOptions& o) {
  return (o.cancel && o.cancel->load(std::memory_order_relaxed)) || (o.abort && o.abort->load(std::memory_order_relaxed));
}

}  // namespace

bool sqaIntegerQualifies(const PreparedModel& m) {
  return m.problem().dense ? m.denseInteger().ok : m.integer().ok;
}

void sqaIntegerRead(const PreparedModel& m, const SqaOptions& q, const int8_t* init, Rng& rng, const BatchOptions& opt,
                    int8_t* out) {
  const Problem& p = m.problem();
  const bool dense = p.dense;
  const DenseIntegerForm* d = dense ? &m.denseInteger() : nullptr;
  const IntegerForm* g = dense ? nullptr : &m.integer();
  const int n = p.n, P = q.P;
  const size_t N = static_cast<size_t>(n);
  const double unit = dense ? d->unit : g->unit;
  const int maxField = dense ? d->maxField : g->maxField;
  std::vector<int8_t> S(N * P);
  for (int k = 0; k < P; ++k) {
    int8_t* s = S.data() + k * N;
    if (init && k > 0) {
      std::copy(S.data(), S.data() + N, s);
    } else if (init) {
      for (int i = 0; i < n; ++i) s[i] = toSpin(init[i], p.vartype);
    } else {
      for (int i = 0; i < n;) {  // runner.cc's stream use: 64 random spins per draw
        uint64_t bits = rng.next();
        for (int b = 0; b < 64 && i < n; ++b, ++i, bits >>= 1) s[i] = (bits & 1) ? 1 : -1;
      }
    }
  }
  std::vector<int16_t> F16;
  std::vector<int32_t> F32;
  if (dense) {
    const int stride = d->stride;
    F16.assign(static_cast<size_t>(stride) * P, 0);
    for (int k = 0; k < P; ++k) {
      const int8_t* s = S.data() + k * N;
      for (int i = 0; i < n; ++i) {
        const int8_t* row = d->rows() + static_cast<size_t>(i) * stride;
        int32_t a = 0;
        for (int j = 0; j < n; ++j) a += row[j] * s[j];
        F16[static_cast<size_t>(k) * stride + i] = static_cast<int16_t>(d->hi[i] + a / 2);
      }
    }
  } else {
    F32.assign((N + 1) * P, 0);
    for (int k = 0; k < P; ++k) {
      const int8_t* s = S.data() + k * N;
      for (int i = 0; i < n; ++i) {
        int32_t a = g->hi[i];
        for (int e = 0; e < g->D; ++e) {
          const size_t o = static_cast<size_t>(i) * g->D + e;
          if (g->nbr[o] < n) a += g->w[o] * s[g->nbr[o]];
        }
        F32[static_cast<size_t>(k) * (N + 1) + i] = a;
      }
    }
  }
  PowTable pow(maxField);
  std::vector<uint64_t> thr;
  const size_t T = q.schedule.size();
  for (size_t t = 0; t < T; ++t) {
    if (stoppedOpt(opt)) throw Cancelled();
    const SqaStep step = q.schedule.at(t);
    const double jp = P > 1 ? step.jperp : 0.0;
    Step st;
    st.cw = 2.0 * step.w * unit;
    st.j2 = 2.0 * jp;
    st.B[0] = std::exp(4.0 * jp);
    st.B[1] = 1.0;
    st.B[2] = std::exp(-4.0 * jp);
    pow.reset(st.cw);
    st.pow = &pow;
    if (dense)
      denseSqaSweep(d->rows(), d->stride, n, P, S.data(), F16.data(), st, rng);
    else
      sparseSweep(*g, n, P, S.data(), F32.data(), st, rng, thr);
    if (opt.progress) opt.progress->fetch_add(1, std::memory_order_relaxed);
  }
  int pick = 0;
  if (q.returnSlice >= 0) {
    pick = std::min(q.returnSlice, P - 1);
  } else if (q.returnSlice == kSliceRandom) {
    pick = static_cast<int>(rng.below(static_cast<uint32_t>(P)));
  } else {
    double best = p.energy(S.data());
    for (int k = 1; k < P; ++k) {
      const double e = p.energy(S.data() + k * N);
      if (e < best) best = e, pick = k;
    }
  }
  const int8_t* s = S.data() + pick * N;
  for (int i = 0; i < n; ++i) out[i] = fromSpin(s[i], p.vartype);
}

}  // namespace qahan
