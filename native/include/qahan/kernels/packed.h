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
// is decided at the first bit where they differ (r = 0 < 1 accepts), so a word needs about 8 steps, not
// 64. Every 64-bit word has its own xoshiro256** stream, advanced only while that word has an undecided
// lane, so a word's result does not depend on how many words share a vector.
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

template <class V>
QAHAN_AI V rotl(V x, int k) {
  return (x << k) | (x >> (64 - k));
}

// NW xoshiro256** streams; next(m) returns a word per stream and advances only the streams where m is set.
template <class V>
struct Streams {
  V s0, s1, s2, s3;
  QAHAN_AI V next(V m) {
    const V r5 = (s1 << 2) + s1;
    const V rr = rotl(r5, 7);
    const V result = (rr << 3) + rr;
    const V t = s1 << 17;
    V n2 = s2 ^ s0, n3 = s3 ^ s1;
    const V n1 = s1 ^ n2, n0 = s0 ^ n3;
    n2 ^= t;
    n3 = rotl(n3, 45);
    const V keep = ~m;
    s0 = (s0 & keep) | (n0 & m);
    s1 = (s1 & keep) | (n1 & m);
    s2 = (s2 & keep) | (n2 & m);
    s3 = (s3 & keep) | (n3 & m);
    return result;
  }
};

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

// One sweep over all sites. a: (n + 1) vectors, a[n] == 0. q[k]: acceptance thresholds, k = 1..maxField.
template <class V, int K, bool Unit>
QAHAN_AI void sweep(const Sites& st, V* __restrict__ a, const uint64_t* q, Streams<V>& rng) {
  const int n = st.n;
  const Bond* bonds = st.bonds.data();
  for (int i = 0; i < n; ++i) {
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
    V uphill = splat<V>(0), und = splat<V>(0);
    V cls[1 << K];
    uint64_t qs[1 << K];
    int nc = 0;
    for (int c = 0; 2 * c < W; ++c) {
      V e = splat<V>(~uint64_t(0));
      for (int p = 0; p < K; ++p) e &= ((c >> p) & 1) ? U[p] : ~U[p];
      uphill |= e;
      const uint64_t qk = q[W - 2 * c];
      if (qk == 0) continue;
      cls[nc] = e;
      qs[nc++] = qk;
      und |= e;
    }
    V acc = ~uphill;
    for (int t = 63; t >= 0 && any(und); --t) {
      const V m = (V)(und != 0);
      const V r = rng.next(m);
      V P = splat<V>(0);
      for (int c = 0; c < nc; ++c) P |= cls[c] & splat<V>(uint64_t(0) - ((qs[c] >> t) & 1));
      acc |= und & ~r & P;
      und &= ~(r ^ P);
    }
    a[i] = ai ^ acc;
  }
}

}  // namespace packed
}  // namespace qahan
