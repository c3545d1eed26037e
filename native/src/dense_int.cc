#include "qahan/kernels/dense_int.h"

#include <atomic>
#include <cmath>
#include <vector>


namespace qahan {

namespace {

// thr[c] = floor(2^64 exp(-2 beta unit c)) for c = 1..filled, filled on demand: a dense model's largest
// field (~n units) is far above the fields a sweep meets, and an exp() per entry per sweep would cost
// as much as the sweep. Entries come from a running product of exp(-2 beta unit) (relative error
// ~c ulp, far below the 2^-64 resolution's effect on any acceptance rate).
struct Thresholds {
  uint64_t* thr;
  int maxField;
  int filled = 0;
  double step = 0.0, q = 1.0;
  void reset(double beta, double unit) {
    step = std::exp(-2.0 * beta * unit);
    q = 1.0;
    filled = 0;
  }
  void extend(int c) {
    for (; filled < c && filled < maxField;) {
      q *= step;
      const double x = q * 18446744073709551616.0;  // 2^64
      thr[++filled] = x >= 18446744073709551615.0 ? ~uint64_t(0) : static_cast<uint64_t>(x);
    }
  }
};

// One sweep, fixed order 0..n-1. The row loops are what vector width speeds up: one copy per ISA,
// picked at load time (GCC on x86-64 Linux); integer arithmetic, so the samples do not depend on it.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
void denseIntSweep(const int8_t* __restrict__ w2, int stride, int n, int8_t* __restrict__ s, int16_t* __restrict__ f,
                   Thresholds& th, Rng& rng) {
  for (int i = 0; i < n; ++i) {
    const int si = s[i];
    const int k = si * f[i];
    if (k < 0) {
      if (-k > th.filled) th.extend(-k);
      const uint64_t t = th.thr[-k];
      if (t == 0 || rng.next() >= t) continue;
    }
    s[i] = static_cast<int8_t>(-si);
    const int8_t* __restrict__ row = w2 + static_cast<size_t>(i) * stride;
    if (si > 0)
      for (int j = 0; j < stride; ++j) f[j] = static_cast<int16_t>(f[j] - row[j]);
    else
      for (int j = 0; j < stride; ++j) f[j] = static_cast<int16_t>(f[j] + row[j]);
  }
}

inline bool stoppedOpt(const BatchOptions& o) {
  return (o.cancel && o.cancel->load(std::memory_order_relaxed)) || (o.abort && o.abort->load(std::memory_order_relaxed));
}

}  // namespace

void saDenseIntegerRead(const PreparedModel& m, const Ramp& betas, const int8_t* init, Rng& rng, const BatchOptions& opt,
                        int8_t* out) {
  const DenseIntegerForm& d = m.denseInteger();
  const int n = d.n, stride = d.stride;
  const Vartype vt = m.model().vartype;
  std::vector<int8_t> s(static_cast<size_t>(n));
  if (init) {
    for (int i = 0; i < n; ++i) s[i] = toSpin(init[i], vt);
  } else {
    for (int i = 0; i < n;) {
      uint64_t bits = rng.next();
      for (int k = 0; k < 64 && i < n; ++k, ++i, bits >>= 1) s[i] = (bits & 1) ? 1 : -1;
    }
  }
  // 64-byte aligned fields: the row loops' vector stores then never straddle cache lines.
  std::vector<int16_t> fbuf(static_cast<size_t>(stride) + 32, 0);
  int16_t* f = fbuf.data() + ((64 - reinterpret_cast<uintptr_t>(fbuf.data()) % 64) % 64) / sizeof(int16_t);
  for (int i = 0; i < n; ++i) {
    const int8_t* row = d.rows() + static_cast<size_t>(i) * stride;
    int32_t a = 0;
    for (int j = 0; j < n; ++j) a += row[j] * s[j];
    f[i] = static_cast<int16_t>(d.hi[i] + a / 2);
  }
  std::vector<uint64_t> thr(static_cast<size_t>(d.maxField) + 1, 0);
  Thresholds th{thr.data(), d.maxField};
  double last = -1.0;
  const size_t S = betas.size();
  for (size_t t = 0; t < S; ++t) {
    if (stoppedOpt(opt)) throw Cancelled();
    const double beta = betas.at(t);
    if (beta != last) th.reset(beta, d.unit), last = beta;
    denseIntSweep(d.rows(), stride, n, s.data(), f, th, rng);
    if (opt.progress) opt.progress->fetch_add(1, std::memory_order_relaxed);
  }
  for (int i = 0; i < n; ++i) out[i] = fromSpin(s[i], vt);
}

}  // namespace qahan
