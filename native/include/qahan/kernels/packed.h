// qahan/kernels/packed.h - multi-spin SA: 64 reads in the bits of a 64-bit word per site, NW such words
// side by side in a vector V (GCC/Clang vector extension: 1, 4 or 8 words for portable, AVX2, AVX-512).
//
// Spin bit 1 is s = +1. In spin form with unit u, a bond (i, j, J = w u) is unsatisfied (contributes +|w| u)
// when x = a_i ^ a_j ^ m is 1, with m = all ones for w > 0 (antiferromagnetic) and 0 for w < 0; a field
// h_i = w u is a bond to a dummy site fixed at -1 (bits 0). With U the weighted count of unsatisfied
// bonds of site i (a bit-sliced counter over K bit planes) and W_i = sum |w|, flipping s_i changes the
// energy by dE = 2 u (W_i - 2 U): lanes with U >= W_i / 2 accept at once; a lane in class k = W_i - 2U > 0
// accepts with probability q_k / 2^64, q_k = floor(2^64 exp(-2 beta u k)), decided by its own fresh
// random bits: the bits of one random word per step, compared with q_k most significant bit first; a lane
// is decided at the first bit where they differ (r = 0 < 1 accepts), so a lane needs 2 steps on average
// and a 512-lane vector about 10. The random word of step t at site i in sweep s is a counter-based hash
// (the SplitMix64 finaliser of key + counter * golden gamma, counter = ((s * n + i) << 6) + t) with one key
// per 64-bit word: no state, so steps do not wait on each other, and a word's bits depend only on its key
// and the counter, never on how many words share a vector or which thread runs it.
#pragma once
#include <cstdint>
#include <vector>

#define QAHAN_AI inline __attribute__((always_inline))

namespace qahan {
namespace packed {

// Alignment stated explicitly: GCC caps a vector type's natural alignment at the widest register the
// translation unit's baseline target has (16 bytes for SSE2), while code inside a target("avx2") or
// target("avx512f") function assumes 32 or 64 and uses aligned loads: the storage allocated outside
// (std::vector<V>) was 16-aligned and the AVX copies segfaulted. With aligned(N) on the type, alignof is
// the same everywhere. (A template argument drops the attribute: storage for V is allocated by hand.)
typedef uint64_t v1 __attribute__((vector_size(8), aligned(8)));
typedef uint64_t v4 __attribute__((vector_size(32), aligned(32)));
typedef uint64_t v8 __attribute__((vector_size(64), aligned(64)));
static_assert(alignof(v4) == 32 && alignof(v8) == 64, "packed vectors keep their natural alignment");

template <class V>
constexpr int words() {
  return static_cast<int>(sizeof(V) / 8);
}

template <class V>
QAHAN_AI V splat(uint64_t x) {
  V v;
  for (int k = 0; k < words<V>(); ++k) v[k] = x;
  return v;
}

template <class V>
QAHAN_AI bool any(V x) {
  uint64_t o = 0;
  for (int k = 0; k < words<V>(); ++k) o |= x[k];
  return o != 0;
}

constexpr uint64_t kGamma = 0x9e3779b97f4a7c15ULL;

// SplitMix64's finaliser (Steele, Lea and Flood 2014; passes BigCrush on a Weyl sequence).
template <class V>
QAHAN_AI V mix(V z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct Bond {
  int32_t j, w;  // neighbour (n = the dummy site), |weight| in units
  uint64_t m;    // all ones when the weight is > 0
};

struct Sites {
  int n = 0;
  std::vector<uint32_t> start;  // n + 1
  std::vector<Bond> bonds;
  std::vector<int32_t> total;   // W_i
};

// Per sweep and field total W (1..15) and step t (0..63, MSB first): bit c set when bit (63 - t) of
// q[W - 2c] is 1, c over the uphill classes 0..ceil(W/2)-1.
struct StepCodes {
  uint8_t code[16][64];
  void fill(const uint64_t* q, int maxField) {
    for (int W = 1; W <= maxField && W < 16; ++W)
      for (int t = 0; t < 64; ++t) {
        uint8_t m = 0;
        for (int c = 0; 2 * c < W; ++c)
          if ((q[W - 2 * c] >> (63 - t)) & 1) m |= uint8_t(1) << c;
        code[W][t] = m;
      }
  }
};

// One sweep over all sites. a: (n + 1) vectors, a[n] == 0. q[k]: acceptance thresholds, k = 1..maxField;
// codes: q's bits per W and step; key: one hash key per word; sweepIndex numbers the sweep for the counter.
template <class V, int K, bool Unit>
QAHAN_AI void sweep(const Sites& st, V* __restrict__ a, const uint64_t* q, const StepCodes& codes, V key,
                    uint64_t sweepIndex) {
  const int n = st.n;
  const Bond* bonds = st.bonds.data();
  uint64_t ctr = (sweepIndex * static_cast<uint64_t>(n)) << 6;
  for (int i = 0; i < n; ++i, ctr += 64) {
    const V ai = a[i];
    V U[K];
    for (int p = 0; p < K; ++p) U[p] = splat<V>(0);
    for (uint32_t e = st.start[i], end = st.start[i + 1]; e < end; ++e) {
      const Bond& b = bonds[e];
      const V x = ai ^ a[b.j] ^ splat<V>(b.m);
      if (Unit) {
        V carry = x;
        for (int p = 0; p < K; ++p) {
          const V c2 = U[p] & carry;
          U[p] ^= carry;
          carry = c2;
        }
      } else {
        for (int p0 = 0; p0 < K; ++p0) {
          if (!((b.w >> p0) & 1)) continue;
          V carry = x;
          for (int p = p0; p < K; ++p) {
            const V c2 = U[p] & carry;
            U[p] ^= carry;
            carry = c2;
          }
        }
      }
    }
    const int W = st.total[i];
    const int C = (W + 1) / 2;  // uphill classes: U = c with 2c < W
    V uphill = splat<V>(0), und = splat<V>(0);
    V cls[8];
    for (int c = 0; c < C; ++c) {
      V e = splat<V>(~uint64_t(0));
      for (int p = 0; p < K; ++p) e &= ((c >> p) & 1) ? U[p] : ~U[p];
      uphill |= e;
      cls[c] = e;
      if (q[W - 2 * c] != 0) und |= e;
    }
    V acc = ~uphill;
    if (any(und)) {
      const uint8_t* code = codes.code[W];
      const V z0 = key + splat<V>(ctr * kGamma);
      if (C <= 3) {
        // Every union of classes once per site; a step then picks its threshold plane with one load.
        V combo[8];
        combo[0] = splat<V>(0);
        for (int m = 1; m < (1 << C); ++m) combo[m] = combo[m & (m - 1)] | cls[__builtin_ctz(m)];
        for (int t = 0; t < 64; t += 4) {
          for (int u = 0; u < 4; ++u) {
            const V r = mix<V>(z0 + splat<V>(uint64_t(t + u) * kGamma));
            const V P = combo[code[t + u]];
            acc |= und & ~r & P;
            und &= ~(r ^ P);
          }
          if (!any(und)) break;
        }
      } else {
        for (int t = 0; t < 64; t += 4) {
          for (int u = 0; u < 4; ++u) {
            const V r = mix<V>(z0 + splat<V>(uint64_t(t + u) * kGamma));
            const uint8_t cm = code[t + u];
            V P = splat<V>(0);
            for (int c = 0; c < C; ++c)
              if ((cm >> c) & 1) P |= cls[c];
            acc |= und & ~r & P;
            und &= ~(r ^ P);
          }
          if (!any(und)) break;
        }
      }
    }
    a[i] = ai ^ acc;
  }
}

}  // namespace packed
}  // namespace qahan
