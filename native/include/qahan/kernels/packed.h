// qahan/kernels/packed.h - multi-spin SA: 64 reads in the bits of a 64-bit word per site, NW such words
// side by side in a vector V (GCC/Clang vector extension: 1, 4 or 8 words for portable, AVX2, AVX-512).
// Included only by the per-instruction-set files native/src/packed_*.cc, after qahan/isa/begin_*.h
// (its QAHAN_ISA_AVX2 / QAHAN_ISA_AVX512 stand in for __AVX2__ and kin, which GCC's pragma leaves unset);
// everything is in an unnamed namespace so no copy compiled for one instruction set is shared with another.
//
// Spin bit 1 is s = +1. In spin form with unit u, a bond (i, j, J = w u) is unsatisfied (contributes +|w| u)
// when x = a_i ^ a_j ^ m is 1, with m = all ones for w > 0 (antiferromagnetic) and 0 for w < 0; a field
// h_i = w u is a bond to a dummy site fixed at -1 (bits 0). With U the weighted count of unsatisfied
// bonds of site i (a bit-sliced counter over K bit planes) and W_i = sum |w|, flipping s_i changes the
// energy by dE = 2 u (W_i - 2 U): lanes with U >= W_i / 2 accept at once; a lane in class k = W_i - 2U > 0
// accepts with probability q_k / 2^64, q_k = floor(2^64 exp(-2 beta u k)), decided by its own fresh
// random bits: the bits of one random word per step, compared with q_k most significant bit first; a lane
// is decided at the first bit where they differ (r = 0 < 1 accepts), so a lane needs 2 steps on average
// and a 512-lane vector about 10. The random word of step t at position p in sweep s is a counter-based
// hash (XXH3's avalanche of key + counter * golden gamma, counter = ((s * n + p) << 6) + t) with one key
// per 64-bit word: no state, so steps do not wait on each other, and a word's bits depend only on its key
// and the counter, never on how many words share a vector or which thread runs it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "qahan/kernels/packed_chunk.h"
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#define QAHAN_AI inline __attribute__((always_inline))

namespace qahan {
namespace packed {
namespace {

typedef uint64_t v1 __attribute__((vector_size(8), aligned(8)));
typedef uint64_t v4 __attribute__((vector_size(32), aligned(32)));
typedef uint64_t v8 __attribute__((vector_size(64), aligned(64)));

template <class V>
constexpr int words() {
  return static_cast<int>(sizeof(V) / 8);
}

template <class V>
QAHAN_AI V splat(uint64_t x) {
  return V{} + x;
}

// Any bit set: one test instruction where the target has one (a scalar OR over the words costs ~20).
QAHAN_AI bool any(v1 x) { return x[0] != 0; }
QAHAN_AI bool any(v4 x) {
#if defined(QAHAN_ISA_AVX2) || defined(QAHAN_ISA_AVX512)
  const __m256i y = reinterpret_cast<__m256i>(x);
  return !_mm256_testz_si256(y, y);
#else
  return ((x[0] | x[1]) | (x[2] | x[3])) != 0;
#endif
}
QAHAN_AI bool any(v8 x) {
#if defined(QAHAN_ISA_AVX512)
  const __m512i y = reinterpret_cast<__m512i>(x);
  return _mm512_test_epi64_mask(y, y) != 0;
#else
  return (((x[0] | x[1]) | (x[2] | x[3])) | ((x[4] | x[5]) | (x[6] | x[7]))) != 0;
#endif
}

constexpr uint64_t kGamma = 0x9e3779b97f4a7c15ULL;

// Calls fn(std::integral_constant<int, K>, std::bool_constant<Unit>) with the chunk's bit planes K (2..4)
// and whether every weight is one unit, so each sweep is compiled for its own counter width.
template <class Fn>
QAHAN_AI void withPlanes(const Chunk& c, Fn fn) {
  using std::integral_constant;
  if (c.unit) {
    if (c.K <= 2) return fn(integral_constant<int, 2>(), std::true_type());
    if (c.K == 3) return fn(integral_constant<int, 3>(), std::true_type());
    return fn(integral_constant<int, 4>(), std::true_type());
  }
  if (c.K <= 2) return fn(integral_constant<int, 2>(), std::false_type());
  if (c.K == 3) return fn(integral_constant<int, 3>(), std::false_type());
  return fn(integral_constant<int, 4>(), std::false_type());
}

// Adds bond value x (1 = unsatisfied) of weight w (in units; per lane, as bit masks wb[p0], when the
// weights differ between lanes) to the bit-sliced counter U.
template <class V, int K>
QAHAN_AI void addFrom(V* U, V carry, int p0) {
  for (int p = p0; p < K; ++p) {
    const V c2 = U[p] & carry;
    U[p] ^= carry;
    carry = c2;
  }
}

template <class V, int K, bool Unit>
QAHAN_AI void addBond(V* U, V x, int w) {
  if (Unit) return addFrom<V, K>(U, x, 0);
  for (int p0 = 0; p0 < K; ++p0)
    if ((w >> p0) & 1) addFrom<V, K>(U, x, p0);
}

// Where the bit-serial decisions take their first exit test. A 512-lane update needs about 10 steps on
// average (the most of ~400 geometric counts), and a test taken at random mispredicts: the flush also
// throws away the next updates' work already under way, which cost more than the steps a test saves. So
// the first `first` steps run without a test, and once per sweep `first` moves so that the test after
// them finds lanes left in between 1/48 and 1/16 of the updates (standalone, 3-regular, 512 reads:
// 0.053 ns per attempt with the band 1/12..1/4, 0.050 with 1/24..1/8, 0.047 with 1/48..1/16, no better
// lower). Steps after the last lane is decided change nothing, so the samples never depend on `first`.
struct ExitPolicy {
  int first;
  uint32_t runs = 0, tails = 0;
  explicit ExitPolicy(int f) : first(f) {}
  void endSweep() {
    if (runs >= 16) {
      if (tails * 16 > runs && first < 40) ++first;
      else if (tails * 48 < runs && first > 2) --first;
    }
    runs = tails = 0;
  }
};

template <class V>
constexpr int firstSteps() {
  return words<V>() == 8 ? 12 : words<V>() == 4 ? 11 : 8;
}

// Step t's random word is r = XXH3's avalanche (xxHash, Collet) of z0 + t * gamma: one multiply between
// two xorshifts. It was SplitMix64's finaliser (two multiplies) until 2026-12-03: 7 of the ~11 vector
// instructions of a step; the multiply fewer took 12-14% off a 512-read SA call's sampling (3-regular
// 0.0465 -> 0.0400 ns, C16 0.0508 -> 0.0445). The Weyl sequence key + c * gamma already multiplies the
// counter. Checked on these words (2e7 of them): per-bit bias, pairwise bit correlations within a word,
// each bit against itself one and two steps and one position on, and lane decisions at five thresholds
// (rates; correlations across lanes, positions, sweeps, words): no |z| above 3.4 (SplitMix64: 3.7); and
// the physics tests hold. mixHead leaves the last xorshift, r = x ^ (x >> 32), to be folded into r ^ P
// (one ternary-logic instruction where there is one).
template <class V>
QAHAN_AI V mixHead(V z) {
  return (z ^ (z >> 37)) * 0x165667919e3779f9ULL;
}

// The bit-serial decision shared by every update: lanes in und compare fresh random bits with their
// threshold's bits (plane(t) = lanes whose threshold has a 1 at bit 63 - t); a lane is decided at the
// first difference from the top (r = 0 < 1 flips). The first ex.first steps run untested (see
// ExitPolicy) and are taken least significant first: b = (r != P) ? P : b then holds, after the top
// bit, whether the lane's random bits fall below its threshold's on those bits (the topmost difference
// wins, as in a serial compare from the top), one instruction a step fewer than tracking decided lanes;
// eq keeps the lanes equal on all of them, and the rare tail goes on from the top, testing every 2 steps.
template <class V, class Plane>
QAHAN_AI void serialStep(V& acc, V& und, V& z, const Plane& plane, int t) {
  const V x = mixHead(z);
  z += splat<V>(kGamma);
  const V P = plane(t);
  const V rp = x ^ (x >> 32) ^ P;  // r ^ P: set where this step decides
  acc |= und & rp & P;             // decided with r = 0 < 1 = P: flips
  und &= ~rp;
}

template <class V, class Plane>
QAHAN_AI void blockStep(V& b, V& eq, V& z, const Plane& plane, int t) {
  const V x = mixHead(z);
  z -= splat<V>(kGamma);
  const V P = plane(t);
  const V rp = x ^ (x >> 32) ^ P;
  b = (rp & P) | (~rp & b);
  eq &= ~rp;
}

template <class V, class Plane>
QAHAN_AI V bitSerial(V acc, V und, V z0, Plane plane, ExitPolicy& ex) {
  const int first = ex.first;
  V b = splat<V>(0), eq = und;
  V z = z0 + splat<V>(uint64_t(first - 1) * kGamma);
  int t = first - 1;
  if (first & 1) blockStep(b, eq, z, plane, t--);
  for (; t > 0; t -= 2) {
    blockStep(b, eq, z, plane, t);
    blockStep(b, eq, z, plane, t - 1);
  }
  acc |= und & b;
  und = eq;
  ++ex.runs;
  if (__builtin_expect(any(und), 0)) {
    ++ex.tails;
    z = z0 + splat<V>(uint64_t(first) * kGamma);
    for (t = first; t < 63 && any(und); t += 2) {
      serialStep(acc, und, z, plane, t);
      serialStep(acc, und, z, plane, t + 1);
    }
    if (t == 63) serialStep(acc, und, z, plane, t);  // an odd block: the last bit alone (the codes end at 63)
  }
  return acc;
}

// The flips of one update: lanes whose count U says downhill (2U >= W) flip; an uphill lane of class
// c = U flips when its random bits, compared with q[W - 2c] most significant bit first, fall below it.
// z0 holds each lane word's hash input of step 0. C = ceil(W / 2) uphill classes, a constant where it is
// small (one copy per C: no loop over classes at run time); 0 = taken from W.
template <class V, int K, int CT>
QAHAN_AI V flipsC(const V* U, int W, const uint64_t* q, const StepCodes& codes, V z0, ExitPolicy& ex) {
  const int C = CT > 0 ? CT : (W + 1) / 2;  // uphill classes: U = c with 2c < W
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
  if (!any(und)) return acc;
  const uint8_t* code = codes.code[W];
  if (C <= 3) {
    // Every union of classes once per update; a step then picks its threshold plane with one load.
    V combo[8];
    combo[0] = splat<V>(0);
    for (int m = 1; m < (1 << C); ++m) combo[m] = combo[m & (m - 1)] | cls[__builtin_ctz(m)];
    return bitSerial<V>(acc, und, z0, [&](int t) { return combo[code[t]]; }, ex);
  }
  return bitSerial<V>(acc, und, z0, [&](int t) {
    V P = splat<V>(0);
    for (int c = 0; c < C; ++c)
      if ((code[t] >> c) & 1) P |= cls[c];
    return P;
  }, ex);
}

template <class V, int K>
QAHAN_AI V flips(const V* U, int W, const uint64_t* q, const StepCodes& codes, V z0, ExitPolicy& ex) {
  // Sites come sorted by field total within a colour, so this switch is predicted.
  switch ((W + 1) / 2) {
    case 1: return flipsC<V, K, 1>(U, W, q, codes, z0, ex);
    case 2: return flipsC<V, K, 2>(U, W, q, codes, z0, ex);
    case 3: return flipsC<V, K, 3>(U, W, q, codes, z0, ex);
    default: return flipsC<V, K, 0>(U, W, q, codes, z0, ex);
  }
}

// One update of position i in every word of a: (n + 1) vectors, a[n] == 0.
template <class V, int K, bool Unit>
QAHAN_AI void updateWords(const Chunk& st, V* __restrict__ a, int i, const uint64_t* q, const StepCodes& codes, V z0,
                          ExitPolicy& ex) {
  const V ai = a[i];
  V U[K];
  for (int p = 0; p < K; ++p) U[p] = splat<V>(0);
  for (uint32_t e = st.start[i], end = st.start[i + 1]; e < end; ++e) {
    const Bond& b = st.bonds[e];
    addBond<V, K, Unit>(U, ai ^ a[b.j] ^ splat<V>(b.m), b.w);
  }
  a[i] = ai ^ flips<V, K>(U, st.total[i], q, codes, z0, ex);
}

// Word-parallel sweep: the NW words of a vector are NW * 64 reads of the same position. q[k]: acceptance
// thresholds, k = 1..15; codes: q's bits per W and step; key: one hash key per word; sweepIndex numbers
// the sweep for the counter.
template <class V, int K, bool Unit>
QAHAN_AI void sweep(const Chunk& st, V* __restrict__ a, const uint64_t* q, const StepCodes& codes, V key,
                    uint64_t sweepIndex, ExitPolicy& ex) {
  uint64_t ctr = (sweepIndex * static_cast<uint64_t>(st.n)) << 6;
  for (int i = 0; i < st.n; ++i, ctr += 64) updateWords<V, K, Unit>(st, a, i, q, codes, key + splat<V>(ctr * kGamma), ex);
  ex.endSweep();
}

template <class V, int K, bool Unit>
void runChunkT(const Chunk& c) {
  constexpr int NW = words<V>();
  V* a = reinterpret_cast<V*>(c.a);
  V key;
  for (int k = 0; k < NW; ++k) key[k] = c.keys[k];
  ExitPolicy ex(firstSteps<V>());
  for (size_t t = 0; t < c.sweeps; ++t) {
    if (c.beforeSweep(c.ctx, t)) return;
    sweep<V, K, Unit>(c, a, c.q, *c.codes, key, t, ex);
  }
}

// SQA: the update of position i in slice k of every word. A lane's class is (U, D): U unsatisfied bond
// units in its slice, D of its two neighbouring slices disagreeing. Only the lanes of undecided classes
// take the bit-serial comparison, so only those classes' masks are tabled (SqaClasses: per W, unions
// of groups of up to 4 class masks; a step's plane is one load per group); the others flip at once, or
// never (rej).
template <class V, int K, int G>
QAHAN_AI V sqaSerial(V acc, V und, V z0, const V* tab, const SqaClasses& cl, ExitPolicy& ex) {
  const uint8_t(*code)[6] = cl.code;
  if (G == 1) return bitSerial<V>(acc, und, z0, [&](int t) { return tab[code[t][0]]; }, ex);
  if (G == 2) return bitSerial<V>(acc, und, z0, [&](int t) { return tab[code[t][0]] | tab[code[t][1]]; }, ex);
  if (G == 3)
    return bitSerial<V>(acc, und, z0, [&](int t) { return tab[code[t][0]] | tab[code[t][1]] | tab[code[t][2]]; }, ex);
  const int groups = cl.groups;
  return bitSerial<V>(acc, und, z0, [&](int t) {
    V P = tab[code[t][0]];
    for (int g = 1; g < groups; ++g) P |= tab[code[t][g]];
    return P;
  }, ex);
}

// Every union of the S masks m: t[x] = OR of m[j] over the bits j of x (unrolled, kept in registers).
template <class V, int S>
QAHAN_AI void unions(V* t, const V* m) {
  V u[1 << S];
  u[0] = splat<V>(0);
  for (int j = 0; j < S; ++j)
    for (int x = 0; x < (1 << j); ++x) u[x + (1 << j)] = u[x] | m[j];
  for (int x = 0; x < (1 << S); ++x) t[x] = u[x];
}

template <class V, int K, bool Unit>
QAHAN_AI void updateSqa(const Chunk& st, V* __restrict__ s, const V* prev, const V* next, int i, const SqaTables& tb,
                        V z0, ExitPolicy& ex) {
  const V ai = s[i];
  V U[K];
  for (int p = 0; p < K; ++p) U[p] = splat<V>(0);
  for (uint32_t e = st.start[i], end = st.start[i + 1]; e < end; ++e) {
    const Bond& b = st.bonds[e];
    addBond<V, K, Unit>(U, ai ^ s[b.j] ^ splat<V>(b.m), b.w);
  }
  // One-hot masks of U (a tree over the planes) and of D.
  V E[1 << K];
  E[0] = ~U[0];
  E[1] = U[0];
  for (int p = 1; p < K; ++p)
    for (int m = (1 << p) - 1; m >= 0; --m) {
      E[m + (1 << p)] = E[m] & U[p];
      E[m] &= ~U[p];
    }
  const V d1 = ai ^ prev[i], d2 = ai ^ next[i];
  const V T[3] = {~(d1 | d2), d1 ^ d2, d1 & d2};
  const SqaClasses& cl = tb.cls[st.total[i]];
  V rej = splat<V>(0);
  for (int c = 0; c < cl.nrej; ++c) rej |= T[cl.rd[c]] & E[cl.ru[c]];
  if (cl.n == 0) {
    s[i] = ai ^ ~rej;
    return;
  }
  V tab[96];
  V und = splat<V>(0);
  for (int g = 0, c0 = 0; g < cl.groups; c0 += cl.size[g], ++g) {
    V m[4];
    for (int j = 0; j < 4; ++j) {
      m[j] = T[cl.d[c0 + j]] & E[cl.u[c0 + j]];  // past the group: a class of the next (or a zero pad), unused
      und |= j < cl.size[g] ? m[j] : splat<V>(0);
    }
    V* t = tab + cl.base[g];
    switch (cl.size[g]) {
      case 1: unions<V, 1>(t, m); break;
      case 2: unions<V, 2>(t, m); break;
      case 3: unions<V, 3>(t, m); break;
      default: unions<V, 4>(t, m); break;
    }
  }
  const V acc = ~(und | rej);
  V out;
  if (cl.groups == 1) out = sqaSerial<V, K, 1>(acc, und, z0, tab, cl, ex);
  else if (cl.groups == 2) out = sqaSerial<V, K, 2>(acc, und, z0, tab, cl, ex);
  else if (cl.groups == 3) out = sqaSerial<V, K, 3>(acc, und, z0, tab, cl, ex);
  else out = sqaSerial<V, K, 0>(acc, und, z0, tab, cl, ex);
  s[i] = ai ^ out;
}

template <class V, int K, bool Unit>
void runSqaT(const Chunk& c) {
  constexpr int NW = words<V>();
  V* a = reinterpret_cast<V*>(c.a);
  V key;
  for (int k = 0; k < NW; ++k) key[k] = c.keys[k];
  const int n = c.n, P = c.slices;
  const size_t stride = static_cast<size_t>(n) + 1;
  ExitPolicy ex(firstSteps<V>());
  for (size_t t = 0; t < c.sweeps; ++t) {
    if (c.beforeSweep(c.ctx, t)) return;
    for (int k = 0; k < P; ++k) {
      V* s = a + k * stride;
      const V* prev = a + ((k + P - 1) % P) * stride;
      const V* next = a + ((k + 1) % P) * stride;
      uint64_t ctr = ((t * static_cast<uint64_t>(P) + k) * static_cast<uint64_t>(n)) << 6;
      for (int i = 0; i < n; ++i, ctr += 64)
        updateSqa<V, K, Unit>(c, s, prev, next, i, *c.sqa, key + splat<V>(ctr * kGamma), ex);
    }
    ex.endSweep();
  }
}

template <class V>
void runSqa(const Chunk& c) {
  withPlanes(c, [&c](auto k, auto unit) { runSqaT<V, decltype(k)::value, decltype(unit)::value>(c); });
}

#if defined(QAHAN_ISA_AVX512) || defined(QAHAN_ISA_AVX2)
// Site-parallel sweep of one word (64 reads): the lanes of a vector are L positions of one group (same
// colour, so independent; same field total W, so one threshold table), their neighbours gathered. The
// random word of (key, sweep, position, step) is the one the word-parallel sweep draws, so a word's
// samples do not depend on which sweep ran it.
//
// Neighbour words are gathered with scalar loads and inserts: the gather instructions took about 20
// cycles each on the AMD Zen 5 this was tuned on (64 reads: 0.087 -> 0.068 ns per attempt on a
// 3-regular graph, 0.112 -> 0.089 on Chimera C16).
template <class V>
QAHAN_AI V gather(const uint64_t* a, const int32_t* j);
QAHAN_AI __m128i pair(const uint64_t* a, const int32_t* j) {
  return _mm_set_epi64x(static_cast<long long>(a[j[1]]), static_cast<long long>(a[j[0]]));
}
#if defined(QAHAN_ISA_AVX512)
template <>
QAHAN_AI v8 gather<v8>(const uint64_t* a, const int32_t* j) {
  auto w = [&](int l) { return static_cast<long long>(a[j[l]]); };
  return reinterpret_cast<v8>(_mm512_set_epi64(w(7), w(6), w(5), w(4), w(3), w(2), w(1), w(0)));
}
#endif
template <>
QAHAN_AI v4 gather<v4>(const uint64_t* a, const int32_t* j) {
  return reinterpret_cast<v4>(_mm256_inserti128_si256(_mm256_zextsi128_si256(pair(a, j)), pair(a, j + 2), 1));
}

// The bit-sliced unsatisfied counts of group gr (lanes = its positions) into U.
template <class V, int K, bool Unit>
QAHAN_AI void countGroup(const SiteGroups& g, const SiteGroup& gr, const uint64_t* a, V ai, V* U) {
  constexpr int L = words<V>();
  for (int k = 0; k < K; ++k) U[k] = splat<V>(0);
  const int32_t* j = g.j + gr.off;
  const uint64_t* m = g.m + gr.off;
  const uint64_t* wb = g.wb + static_cast<size_t>(gr.off) * 4;
  for (int s = 0; s < gr.slots; ++s, j += L, m += L, wb += 4 * L) {
    V ms;
    __builtin_memcpy(&ms, m, sizeof(V));
    const V x = ai ^ gather<V>(a, j) ^ ms;
    if (Unit) {
      addFrom<V, K>(U, x, 0);
    } else {
      for (int p0 = 0; p0 < K; ++p0) {
        V wm;
        __builtin_memcpy(&wm, wb + p0 * L, sizeof(V));
        addFrom<V, K>(U, x & wm, p0);
      }
    }
  }
}

template <class V, int K, bool Unit>
void runSitesT(const Chunk& c) {
  constexpr int L = words<V>();
  uint64_t* __restrict__ a = c.a;
  const uint64_t key = c.keys[0];
  V lane;
  for (int l = 0; l < L; ++l) lane[l] = uint64_t(l) * 64 * kGamma;
  const SiteGroups& g = *c.groups;
  ExitPolicy ex(firstSteps<V>()), ex1(firstSteps<v1>());
  for (size_t t = 0; t < c.sweeps; ++t) {
    if (c.beforeSweep(c.ctx, t)) return;
    ex.endSweep();
    ex1.endSweep();
    const uint64_t base = (t * static_cast<uint64_t>(c.n)) << 6;
    auto zOf = [&](int p) { return key + (base + (static_cast<uint64_t>(p) << 6)) * kGamma; };
    for (int it = 0; it < g.items; ++it) {
      const SiteGroup& gr = g.item[it];
      const int p = gr.p;
      if (gr.slots < 0) {  // a single position
        updateWords<v1, K, Unit>(c, reinterpret_cast<v1*>(a), p, c.q, *c.codes, v1{zOf(p)}, ex1);
        continue;
      }
      V ai, U[K];
      __builtin_memcpy(&ai, a + p, sizeof(V));
      countGroup<V, K, Unit>(g, gr, a, ai, U);
      if (gr.pairNext) {
        // The next group has no bond into this one: its gathers go out before this group's random
        // steps, which then hide their latency (the gathers were the bottleneck of this sweep).
        const SiteGroup& g2 = g.item[it + 1];
        V a2, U2[K];
        __builtin_memcpy(&a2, a + g2.p, sizeof(V));
        countGroup<V, K, Unit>(g, g2, a, a2, U2);
        const V n1 = ai ^ flips<V, K>(U, gr.W, c.q, *c.codes, splat<V>(zOf(p)) + lane, ex);
        __builtin_memcpy(a + p, &n1, sizeof(V));
        const V n2 = a2 ^ flips<V, K>(U2, g2.W, c.q, *c.codes, splat<V>(zOf(g2.p)) + lane, ex);
        __builtin_memcpy(a + g2.p, &n2, sizeof(V));
        ++it;
        continue;
      }
      const V nw = ai ^ flips<V, K>(U, gr.W, c.q, *c.codes, splat<V>(zOf(p)) + lane, ex);
      __builtin_memcpy(a + p, &nw, sizeof(V));
    }
  }
}

template <class V>
void runSites(const Chunk& c) {
  withPlanes(c, [&c](auto k, auto unit) { runSitesT<V, decltype(k)::value, decltype(unit)::value>(c); });
}
#endif

template <class V>
void runChunk(const Chunk& c) {
  withPlanes(c, [&c](auto k, auto unit) { runChunkT<V, decltype(k)::value, decltype(unit)::value>(c); });
}

}  // namespace
}  // namespace packed
}  // namespace qahan
