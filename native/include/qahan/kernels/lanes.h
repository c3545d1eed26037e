// qahan/kernels/lanes.h - the sweep loops of the 'sparse' SA kernel on integer models: up to 16 reads
// side by side, one per 32-bit lane (GCC/Clang vector extension; 1, 2 or 4 instructions per operation on
// AVX-512, AVX2 or SSE2). Included only by native/src/lanes_{portable,avx2,avx512}.cc after their target
// pragma; everything is in an unnamed namespace so a copy built for one instruction set stays in its file.
//
// Attempt at site i, lane l (Metropolis, the fixed order 0..n-1): k = s_i f_i in units; flipping costs
// dE = -2 unit k, so k >= 0 accepts, else the lane's own 32-bit number u accepts when u < thr[-k]. The
// lanes never meet: only the table (a function of beta alone) and the neighbour lists are common. Each
// neighbour's field changes by (-2 w s_i) on the accepting lanes: xor/sub/and and an add, no branch.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "qahan/kernels/lanes_group.h"
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#define QAHAN_LI inline __attribute__((always_inline))

namespace qahan {
namespace lanes {
namespace {

template <int L>
struct V;
template <>
struct V<4> {
  typedef int32_t i __attribute__((vector_size(16)));
  typedef uint32_t u __attribute__((vector_size(16)));
};
template <>
struct V<8> {
  typedef int32_t i __attribute__((vector_size(32)));
  typedef uint32_t u __attribute__((vector_size(32)));
};
template <>
struct V<16> {
  typedef int32_t i __attribute__((vector_size(64)));
  typedef uint32_t u __attribute__((vector_size(64)));
};

template <class U>
QAHAN_LI U rotl(U x, int k) {
  return (x << k) | (x >> (32 - k));
}

// xoshiro128++ (Blackman and Vigna), one stream per lane.
template <class U>
QAHAN_LI U next(U& s0, U& s1, U& s2, U& s3) {
  const U r = rotl(s0 + s3, 7) + s0;
  const U t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return r;
}

// Entries of a table small enough to sit in one register and be permuted: 16 with AVX-512, 8 with AVX2.
#if defined(QAHAN_ISA_AVX512) && !defined(__clang__)
constexpr int kSmallTable = 16;
#elif (defined(QAHAN_ISA_AVX2) || defined(QAHAN_ISA_AVX512))
constexpr int kSmallTable = 8;
#else
constexpr int kSmallTable = 0;
#endif

// The first kSmallTable entries of the table, kept in a register for the sweep.
struct Tab {
  typedef uint32_t u16 __attribute__((vector_size(64)));
  u16 v;
#if (defined(QAHAN_ISA_AVX2) || defined(QAHAN_ISA_AVX512))
  __m256i h;
#endif
  explicit Tab(const uint32_t* thr, int maxField) {
    alignas(64) uint32_t a[16] = {};
    for (int c = 0; c <= maxField && c < 16; ++c) a[c] = thr[c];
    std::memcpy(&v, a, sizeof v);
#if (defined(QAHAN_ISA_AVX2) || defined(QAHAN_ISA_AVX512))
    h = _mm256_load_si256(reinterpret_cast<const __m256i*>(a));
#endif
  }
};

// thr[idx] per lane: permuted from a register (tab holds thr[0..kSmallTable-1]) when Small, else
// gathered where the ISA can, else read lane by lane.
template <int L, bool Small>
QAHAN_LI typename V<L>::u lookup(const uint32_t* thr, const Tab& tab, typename V<L>::i idx) {
  typedef typename V<L>::u U;
  U t;
  (void)tab;  // the portable copy reads thr lane by lane
#if defined(QAHAN_ISA_AVX512) && !defined(__clang__)
  if constexpr (L == 16) {
    if constexpr (Small) return __builtin_shuffle(tab.v, reinterpret_cast<U&>(idx));
    // Masked form with a zero source: the plain one passes an undefined vector GCC 12 warns about.
    const __m512i g = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), 0xFFFF, reinterpret_cast<__m512i&>(idx), thr, 4);
    std::memcpy(&t, &g, sizeof t);
    return t;
  }
#endif
#if (defined(QAHAN_ISA_AVX2) || defined(QAHAN_ISA_AVX512))
  if constexpr (L >= 8) {
    const __m256i tv = tab.h;
    for (int h = 0; h < L / 8; ++h) {
      __m256i x;
      std::memcpy(&x, reinterpret_cast<const char*>(&idx) + 32 * h, 32);
      const __m256i g = Small ? _mm256_permutevar8x32_epi32(tv, x) : _mm256_i32gather_epi32(reinterpret_cast<const int*>(thr), x, 4);
      std::memcpy(reinterpret_cast<char*>(&t) + 32 * h, &g, 32);
    }
    return t;
  }
  if constexpr (L == 4) {
    __m128i x;
    std::memcpy(&x, &idx, 16);
    const __m128i g = _mm_i32gather_epi32(reinterpret_cast<const int*>(thr), x, 4);
    std::memcpy(&t, &g, 16);
    return t;
  }
#endif
  for (int l = 0; l < L; ++l) t[l] = thr[idx[l]];
  return t;
}

template <int L, int D, bool Small>
QAHAN_LI bool runT(const Group& g) {
  typedef typename V<L>::i I;
  typedef typename V<L>::u U;
  const int n = g.n;
  const int deg = D > 0 ? D : g.D;
  I* __restrict__ F = reinterpret_cast<I*>(g.f);
  I* __restrict__ M = reinterpret_cast<I*>(g.m);
  U* st = reinterpret_cast<U*>(g.rng);
  U s0 = st[0], s1 = st[1], s2 = st[2], s3 = st[3];
  const Slot* slots = g.slots;
  const I zero = I{};
  bool done = true;
  for (size_t t = 0; t < g.sweeps; ++t) {
    if (g.beforeSweep(g.ctx, t)) {
      done = false;
      break;
    }
    const Tab tab(g.thr, g.maxField);
    const Slot* row = slots;
    for (int i = 0; i < n; ++i, row += deg) {
      const I m = M[i];
      const I k = (F[i] ^ m) - m;
      const I neg = zero - k;
      const I idx = neg & (neg > zero);
      const U th = lookup<L, Small>(g.thr, tab, idx);
      const U u = next(s0, s1, s2, s3);
      const I acc = (k >= zero) | (u < th);
      M[i] = m ^ acc;
      for (int e = 0; e < deg; ++e) {
        const I c = ((zero + row[e].base) ^ m) - m;
        F[row[e].j] += c & acc;
      }
    }
  }
  st[0] = s0, st[1] = s1, st[2] = s2, st[3] = s3;
  return done;
}

template <int L, bool Small>
QAHAN_LI bool runD(const Group& g) {
  switch (g.D) {
    case 1: return runT<L, 1, Small>(g);
    case 2: return runT<L, 2, Small>(g);
    case 3: return runT<L, 3, Small>(g);
    case 4: return runT<L, 4, Small>(g);
    case 5: return runT<L, 5, Small>(g);
    case 6: return runT<L, 6, Small>(g);
    case 8: return runT<L, 8, Small>(g);
    default: return runT<L, 0, Small>(g);
  }
}

template <int L>
QAHAN_LI bool runL(const Group& g) {
  return L >= 8 && g.maxField < kSmallTable ? runD<L, true>(g) : runD<L, false>(g);
}

QAHAN_LI bool runGroup(const Group& g) {
  if (g.L == 4) return runL<4>(g);
  if (g.L == 8) return runL<8>(g);
  return runL<16>(g);
}

}  // namespace
}  // namespace lanes
}  // namespace qahan
