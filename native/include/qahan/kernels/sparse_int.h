// qahan/kernels/sparse_int.h - single-spin SA on a bounded-degree model in integer form.
//
// Fields f_i = h_i + sum_j J_ij s_j are kept exactly as integers (in units). Flipping s_i costs
// dE = -2 s_i f_i units: k = s_i f_i >= 0 is downhill (accepted without a random draw); otherwise the
// move is accepted when a fresh 64-bit draw is below thr[-k] = floor(2^64 exp(-2 beta unit |k|)), a
// table of at most maxField entries rebuilt once per sweep from beta alone (no random numbers in it, so
// nothing is shared between reads). Neighbours sit in fixed-size slots (degree D, padded with the dummy
// site n of weight 0), so the update is a fixed loop the compiler unrolls.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "qahan/rng.h"

namespace qahan {

struct IntSlot {
  int32_t j, w;
};

// Fills thr[1..maxField] for this beta (thr[0] unused).
inline void acceptanceThresholds(double beta, double unit, int maxField, uint64_t* thr) {
  for (int c = 1; c <= maxField; ++c) {
    const double p = std::exp(-2.0 * beta * unit * c);
    thr[c] = p >= 1.0 ? ~uint64_t(0) : static_cast<uint64_t>(std::ldexp(p, 64));
  }
}

template <int D>
inline void saIntSweep(const IntSlot* __restrict__ slots, int Drt, int8_t* __restrict__ s, int32_t* __restrict__ f,
                       int n, const uint64_t* __restrict__ thr, Rng& rng) {
  const int deg = D > 0 ? D : Drt;
  for (int i = 0; i < n; ++i) {
    const int32_t si = s[i];
    const int32_t k = si * f[i];
    if (k < 0) {
      const uint64_t t = thr[-k];
      if (t == 0 || rng.next() >= t) continue;
    }
    s[i] = static_cast<int8_t>(-si);
    const int32_t d = -2 * si;
    const IntSlot* row = slots + static_cast<size_t>(i) * deg;
    for (int e = 0; e < deg; ++e) f[row[e].j] += d * row[e].w;
  }
}

}  // namespace qahan
