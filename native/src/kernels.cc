#include "qahan/kernels/kernels.h"
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "qahan/kernels/sparse_int.h"
#if defined(__GNUC__) || defined(__clang__)
#define QAHAN_HAVE_PACKED 1
#include "qahan/kernels/packed.h"
#endif

namespace qahan {

const char* kernelName(Kernel k) {
  switch (k) {
    case Kernel::Dense: return "dense";
    case Kernel::Sparse: return "sparse";
    case Kernel::Packed: return "packed";
    default: return "auto";
  }
}

std::string kernelRefusal(const PreparedModel& m, Kernel k, int cardinality) {
  const Problem& p = m.problem();
  switch (k) {
    case Kernel::Dense:
      return p.dense ? "" : "the model is stored sparse (fewer than a quarter of its pairs are coupled)";
    case Kernel::Sparse:
      return !p.dense ? "" : "the model is stored dense (n <= 64 or at least a quarter of its pairs are coupled)";
    case Kernel::Packed: {
#ifndef QAHAN_HAVE_PACKED
      return "the packed kernel needs a GCC or Clang build";
#endif
      if (p.dense) return "the model is stored dense; the packed kernel takes sparse models";
      if (cardinality >= 0) return "the packed kernel does not keep a cardinality";
      const IntegerForm& f = m.integer();
      if (!f.ok) return "its fields and couplings are not small integer multiples of one unit";
      if (f.maxField > kPackedMaxFieldUnits)
        return "a spin's largest field is " + std::to_string(f.maxField) + " units, more than the packed kernel's " +
               std::to_string(kPackedMaxFieldUnits);
      return "";
    }
    default:
      return "";
  }
}

Kernel autoKernel(const PreparedModel& m, int numReads, int cardinality, bool initialStates) {
  if (numReads >= kPackedAutoMinReads && !initialStates && kernelRefusal(m, Kernel::Packed, cardinality).empty())
    return Kernel::Packed;
  return m.problem().dense ? Kernel::Dense : Kernel::Sparse;
}

namespace {

inline bool stoppedOpt(const BatchOptions& o) {
  return (o.cancel && o.cancel->load(std::memory_order_relaxed)) || (o.abort && o.abort->load(std::memory_order_relaxed));
}

// Random spins 64 to a draw, or the initial state: the same stream use as runner.cc.
void startSpins(int8_t* s, int n, const int8_t* init, Vartype vt, Rng& rng) {
  if (init) {
    for (int i = 0; i < n; ++i) s[i] = toSpin(init[i], vt);
  } else {
    for (int i = 0; i < n;) {
      uint64_t bits = rng.next();
      for (int k = 0; k < 64 && i < n; ++k, ++i, bits >>= 1) s[i] = (bits & 1) ? 1 : -1;
    }
  }
}

template <int D>
void intSweeps(const IntegerForm& f, const std::vector<IntSlot>& slots, const Ramp& betas, int8_t* s, int32_t* fl,
               Rng& rng, const BatchOptions& opt) {
  std::vector<uint64_t> thr(static_cast<size_t>(f.maxField) + 1, 0);
  const size_t S = betas.size();
  double last = -1.0;
  for (size_t t = 0; t < S; ++t) {
    if (stoppedOpt(opt)) throw Cancelled();
    const double beta = betas.at(t);
    if (beta != last) acceptanceThresholds(beta, f.unit, f.maxField, thr.data()), last = beta;
    saIntSweep<D>(slots.data(), f.D, s, fl, f.n, thr.data(), rng);
    if (opt.progress) opt.progress->fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace

void saIntegerRead(const PreparedModel& m, const Ramp& betas, const int8_t* init, Rng& rng, const BatchOptions& opt,
                   int8_t* out) {
  const IntegerForm& f = m.integer();
  const int n = f.n, D = f.D;
  std::vector<int8_t> s(static_cast<size_t>(n) + 1, 1);
  startSpins(s.data(), n, init, m.model().vartype, rng);
  std::vector<int32_t> fl(static_cast<size_t>(n) + 1, 0);
  std::vector<IntSlot> slots(static_cast<size_t>(n) * D);
  for (size_t e = 0; e < slots.size(); ++e) slots[e] = {f.nbr[e], f.w[e]};
  for (int i = 0; i < n; ++i) {
    int32_t a = f.hi[i];
    for (int d = 0; d < D; ++d) a += f.w[static_cast<size_t>(i) * D + d] * s[f.nbr[static_cast<size_t>(i) * D + d]];
    fl[i] = a;
  }
  switch (D) {
    case 1: intSweeps<1>(f, slots, betas, s.data(), fl.data(), rng, opt); break;
    case 2: intSweeps<2>(f, slots, betas, s.data(), fl.data(), rng, opt); break;
    case 3: intSweeps<3>(f, slots, betas, s.data(), fl.data(), rng, opt); break;
    case 4: intSweeps<4>(f, slots, betas, s.data(), fl.data(), rng, opt); break;
    case 5: intSweeps<5>(f, slots, betas, s.data(), fl.data(), rng, opt); break;
    case 6: intSweeps<6>(f, slots, betas, s.data(), fl.data(), rng, opt); break;
    case 8: intSweeps<8>(f, slots, betas, s.data(), fl.data(), rng, opt); break;
    default: intSweeps<0>(f, slots, betas, s.data(), fl.data(), rng, opt); break;
  }
  for (int i = 0; i < n; ++i) out[i] = fromSpin(s[i], m.model().vartype);
}

// ---------------------------------------------------------------------------------------------------
#ifdef QAHAN_HAVE_PACKED
namespace {

using packed::Sites;

Sites packedSites(const IntegerForm& f) {
  Sites st;
  st.n = f.n;
  st.start.assign(static_cast<size_t>(f.n) + 1, 0);
  st.total.assign(static_cast<size_t>(f.n), 0);
  for (int i = 0; i < f.n; ++i) {
    auto add = [&](int j, int w) {
      if (w == 0) return;
      st.bonds.push_back({j, std::abs(w), w > 0 ? ~uint64_t(0) : uint64_t(0)});
      st.total[i] += std::abs(w);
    };
    for (int d = 0; d < f.D; ++d) add(f.nbr[static_cast<size_t>(i) * f.D + d], f.w[static_cast<size_t>(i) * f.D + d]);
    add(f.n, -f.hi[i]);  // h s_i is a bond of weight -h to the dummy site, fixed at s = -1
    st.start[i + 1] = static_cast<uint32_t>(st.bonds.size());
  }
  return st;
}

// One chunk: NW words (64 reads each) of one model. word0 is the model's first word index of this chunk.
struct ChunkJob {
  const PreparedModel* model;
  const Sites* sites;
  const Ramp* betas;
  const BatchOptions* opt;
  size_t b;
  int word0;
  int reads;        // the model's numReads
  const int8_t* init;  // the model's initial states or null
  int8_t* out;      // the model's samples (numReads * n)
};

template <class V, int K, bool Unit>
QAHAN_AI void runChunkT(const ChunkJob& c) {
  constexpr int NW = packed::words<V>();
  const IntegerForm& f = c.model->integer();
  const int n = f.n;
  const Vartype vt = c.model->model().vartype;
  const BatchOptions& opt = *c.opt;
  // Raw 64-byte-aligned storage, not std::vector<V>: a template argument drops the type's aligned()
  // attribute, so std::vector<V> allocated with the baseline's 16-byte alignment while the AVX copies load
  // it with aligned instructions (the segfault of the first AVX2 build).
  std::unique_ptr<V[], void (*)(void*)> store(
      static_cast<V*>(std::aligned_alloc(64, ((sizeof(V) * (static_cast<size_t>(n) + 1) + 63) / 64) * 64)), std::free);
  if (!store) throw std::bad_alloc();
  V* a = store.get();
  for (int i = 0; i <= n; ++i) a[i] = packed::splat<V>(0);
  std::vector<int8_t> s(static_cast<size_t>(n));
  int live = 0;
  for (int k = 0; k < NW; ++k) {
    for (int l = 0; l < 64; ++l) {
      const int r = (c.word0 + k) * 64 + l;
      if (r >= c.reads) break;
      ++live;
      Rng rr(opt.seed, c.b, static_cast<uint64_t>(r));
      startSpins(s.data(), n, c.init ? c.init + static_cast<size_t>(r) * n : nullptr, vt, rr);
      for (int i = 0; i < n; ++i)
        if (s[i] > 0) a[i][k] |= uint64_t(1) << l;
    }
  }
  V key = packed::splat<V>(0);
  for (int k = 0; k < NW; ++k) {
    Rng g(opt.seed, c.b, kPackedStream + static_cast<uint64_t>(c.word0 + k));
    key[k] = g.next();
  }
  std::vector<uint64_t> q(static_cast<size_t>(f.maxField) + 1, 0);
  std::unique_ptr<packed::StepCodes> codes(new packed::StepCodes());
  const size_t S = c.betas->size();
  double last = -1.0;
  for (size_t t = 0; t < S; ++t) {
    if (stoppedOpt(opt)) throw Cancelled();
    const double beta = c.betas->at(t);
    if (beta != last) {
      acceptanceThresholds(beta, f.unit, f.maxField, q.data());
      codes->fill(q.data(), f.maxField);
      last = beta;
    }
    packed::sweep<V, K, Unit>(*c.sites, a, q.data(), *codes, key, t);
    if (opt.progress) opt.progress->fetch_add(static_cast<uint64_t>(live), std::memory_order_relaxed);
  }
  for (int k = 0; k < NW; ++k) {
    for (int l = 0; l < 64; ++l) {
      const int r = (c.word0 + k) * 64 + l;
      if (r >= c.reads) break;
      int8_t* dst = c.out + static_cast<size_t>(r) * n;
      for (int i = 0; i < n; ++i) dst[i] = fromSpin(((a[i][k] >> l) & 1) ? 1 : -1, vt);
    }
  }
}

template <class V>
QAHAN_AI void runChunkV(const ChunkJob& c, int K, bool unit) {
  if (unit) {
    if (K <= 2) return runChunkT<V, 2, true>(c);
    if (K == 3) return runChunkT<V, 3, true>(c);
    return runChunkT<V, 4, true>(c);
  }
  if (K <= 2) return runChunkT<V, 2, false>(c);
  if (K == 3) return runChunkT<V, 3, false>(c);
  return runChunkT<V, 4, false>(c);
}

void chunkPortable(const ChunkJob& c, int K, bool unit) { runChunkV<packed::v1>(c, K, unit); }
#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2"))) void chunkAvx2(const ChunkJob& c, int K, bool unit) { runChunkV<packed::v4>(c, K, unit); }
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq"))) void chunkAvx512(const ChunkJob& c, int K, bool unit) {
  runChunkV<packed::v8>(c, K, unit);
}
#endif

int packedWords() {
  static const int w = [] {
    const char* e = std::getenv("QAHAN_PACKED_ISA");
    const std::string want = e ? e : "";
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    const bool has512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
                        __builtin_cpu_supports("avx512dq");
    const bool has2 = __builtin_cpu_supports("avx2");
    if (want == "portable") return 1;
    if (want == "avx2") return has2 ? 4 : 1;
    // Widest first; QAHAN_PACKED_ISA=portable|avx2 narrows it (the samples never depend on the width).
    return has512 ? 8 : has2 ? 4 : 1;
#endif
    return 1;
  }();
  return w;
}

}  // namespace

const char* packedIsa() {
  const int w = packedWords();
  return w == 8 ? "avx512" : w == 4 ? "avx2" : "portable";
}

std::vector<SampleOutput> runPackedSa(const std::vector<const PreparedModel*>& models, const std::vector<Ramp>& schedules,
                                      const BatchOptions& opt) {
  const size_t B = models.size();
  const int R = opt.numReads;
  const int NW = packedWords();
  std::vector<SampleOutput> out(B);
  std::vector<Sites> sites(B);
  std::vector<ChunkJob> jobs;
  std::vector<int> Kb(B);
  std::vector<bool> unitB(B);
  const int words = (R + 63) / 64;
  // No wider than the reads need (the words beyond them would be work thrown away); every word has its
  // own stream, so the width never changes the samples.
  const int width = words >= NW ? NW : words >= 4 && NW >= 4 ? 4 : 1;
  for (size_t b = 0; b < B; ++b) {
    const IntegerForm& f = models[b]->integer();
    sites[b] = packedSites(f);
    int K = 1;
    while ((1 << K) <= f.maxField) ++K;
    Kb[b] = K;
    bool unit = true;
    for (auto& bd : sites[b].bonds) unit = unit && bd.w == 1;
    unitB[b] = unit;
    out[b].samples.assign(static_cast<size_t>(R) * f.n, 0);
    out[b].energies.assign(static_cast<size_t>(R), 0.0);
    for (int w0 = 0; w0 < words; w0 += width)
      jobs.push_back({models[b], &sites[b], &schedules[b], &opt, b, w0, R,
                      b < opt.initial.size() ? opt.initial[b] : nullptr, out[b].samples.data()});
  }
  parallelFor(
      jobs.size(), opt.threads,
      [&](size_t item) {
        const ChunkJob& c = jobs[item];
#if defined(__x86_64__) || defined(__i386__)
        if (width == 8) chunkAvx512(c, Kb[c.b], unitB[c.b]);
        else if (width == 4) chunkAvx2(c, Kb[c.b], unitB[c.b]);
        else
#endif
          chunkPortable(c, Kb[c.b], unitB[c.b]);
        const int n = c.model->model().n;
        for (int r = c.word0 * 64; r < std::min(R, (c.word0 + width) * 64); ++r)
          out[c.b].energies[r] = c.model->model().energy(c.out + static_cast<size_t>(r) * n);
      },
      opt.tick ? opt.tick : std::function<void()>([] {}), 100, [&opt] { return stoppedOpt(opt); });
  if (stoppedOpt(opt)) throw Cancelled();
  return out;
}
#else
const char* packedIsa() { return "none"; }
std::vector<SampleOutput> runPackedSa(const std::vector<const PreparedModel*>&, const std::vector<Ramp>&,
                                      const BatchOptions&) {
  throw std::runtime_error("the packed kernel needs a GCC or Clang build");
}
#endif

}  // namespace qahan
