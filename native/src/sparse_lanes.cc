#include "qahan/kernels/sparse_lanes.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "qahan/kernels/lanes_group.h"

namespace qahan {

#if defined(__GNUC__) || defined(__clang__)
bool lanesAvailable() { return true; }

namespace {

// The widest copy this CPU runs (QAHAN_LANES_ISA=portable|avx2 narrows it; samples never depend on it).
int lanesLevel() {
  static const int level = [] {
#if defined(__x86_64__) || defined(__i386__)
    const char* e = std::getenv("QAHAN_LANES_ISA");
    const std::string want = e ? e : "";
    __builtin_cpu_init();
    const bool has512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
    const bool has2 = __builtin_cpu_supports("avx2");
    if (want == "portable") return 0;
    if (want == "avx2") return has2 ? 1 : 0;
    return has512 ? 2 : has2 ? 1 : 0;
#else
    return 0;
#endif
  }();
  return level;
}

struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};
template <class T>
std::unique_ptr<T[], AlignedFree> alignedArray(size_t count) {
  const size_t bytes = ((count * sizeof(T) + 63) / 64) * 64;
  T* p = static_cast<T*>(std::aligned_alloc(64, bytes ? bytes : 64));
  if (!p) throw std::bad_alloc();
  return std::unique_ptr<T[], AlignedFree>(p);
}

inline bool stoppedOpt(const BatchOptions& o) {
  return (o.cancel && o.cancel->load(std::memory_order_relaxed)) || (o.abort && o.abort->load(std::memory_order_relaxed));
}

struct SweepCtx {
  const Ramp* betas;
  const BatchOptions* opt;
  const IntegerForm* f;
  uint32_t* thr;
  double last;
  int live;
};

int beforeSweep(void* p, size_t t) {
  SweepCtx& c = *static_cast<SweepCtx*>(p);
  if (stoppedOpt(*c.opt)) return 1;
  if (t > 0 && c.opt->progress) c.opt->progress->fetch_add(static_cast<uint64_t>(c.live), std::memory_order_relaxed);
  const double beta = c.betas->at(t);
  if (beta != c.last) {
    c.last = beta;
    c.thr[0] = 0;
    for (int k = 1; k <= c.f->maxField; ++k) {
      const double q = std::exp(-2.0 * beta * c.f->unit * k);
      c.thr[k] = q >= 1.0 ? 0xFFFFFFFFu : static_cast<uint32_t>(std::ldexp(q, 32));
    }
  }
  return 0;
}

}  // namespace

const char* lanesIsa() {
  const int l = lanesLevel();
  return l == 2 ? "avx512" : l == 1 ? "avx2" : "portable";
}

void saLanesReads(const PreparedModel& pm, const Ramp& betas, Rng* const* rngs, const int8_t* const* init, int count,
                  const BatchOptions& opt, int8_t* const* out) {
  const IntegerForm& f = pm.integer();
  const Vartype vt = pm.model().vartype;
  const int n = f.n, D = f.D;
  const int L = count <= 4 ? 4 : count <= 8 ? 8 : 16;
  auto F = alignedArray<int32_t>(static_cast<size_t>(n + 1) * L);
  auto M = alignedArray<int32_t>(static_cast<size_t>(n) * L);
  auto S = alignedArray<uint32_t>(4 * static_cast<size_t>(L));
  std::vector<lanes::Slot> slots(static_cast<size_t>(n) * D);
  for (size_t e = 0; e < slots.size(); ++e) slots[e] = {f.nbr[e], -2 * f.w[e]};
  std::vector<int8_t> s(static_cast<size_t>(n) + 1, 1);
  for (int l = 0; l < L; ++l) {
    uint64_t a = 0x9E3779B97F4A7C15ull, b = 0xD1B54A32D192ED03ull;  // idle lanes: any fixed stream
    if (l < count) {
      Rng& rng = *rngs[l];
      if (init && init[l]) {
        for (int i = 0; i < n; ++i) s[i] = toSpin(init[l][i], vt);
      } else {
        for (int i = 0; i < n;) {  // the same stream use as runner.cc: 64 random spins per draw
          uint64_t bits = rng.next();
          for (int k = 0; k < 64 && i < n; ++k, ++i, bits >>= 1) s[i] = (bits & 1) ? 1 : -1;
        }
      }
      a = rng.next();
      b = rng.next();
    } else {
      std::fill(s.begin(), s.end(), 1);
    }
    uint32_t w[4] = {static_cast<uint32_t>(a), static_cast<uint32_t>(a >> 32), static_cast<uint32_t>(b),
                     static_cast<uint32_t>(b >> 32)};
    if ((w[0] | w[1] | w[2] | w[3]) == 0) w[0] = 1;
    for (int q = 0; q < 4; ++q) S[static_cast<size_t>(q) * L + l] = w[q];
    for (int i = 0; i < n; ++i) {
      int32_t acc = f.hi[i];
      for (int d = 0; d < D; ++d) acc += f.w[static_cast<size_t>(i) * D + d] * s[f.nbr[static_cast<size_t>(i) * D + d]];
      F[static_cast<size_t>(i) * L + l] = acc;
      M[static_cast<size_t>(i) * L + l] = s[i] > 0 ? 0 : -1;
    }
    F[static_cast<size_t>(n) * L + l] = 0;
  }
  std::vector<uint32_t> thr(static_cast<size_t>(f.maxField) + 1 + 16, 0);
  SweepCtx ctx{&betas, &opt, &f, thr.data(), -1.0, count};
  lanes::Group g;
  g.n = n;
  g.D = D;
  g.L = L;
  g.slots = slots.data();
  g.f = F.get();
  g.m = M.get();
  g.rng = S.get();
  g.maxField = f.maxField;
  g.thr = thr.data();
  g.sweeps = betas.size();
  g.ctx = &ctx;
  g.beforeSweep = beforeSweep;
  const int level = lanesLevel();
  const bool done = level == 2 ? lanes::runGroupAvx512(g) : level == 1 ? lanes::runGroupAvx2(g) : lanes::runGroupPortable(g);
  if (!done) throw Cancelled();
  if (opt.progress && g.sweeps > 0) opt.progress->fetch_add(static_cast<uint64_t>(count), std::memory_order_relaxed);
  for (int l = 0; l < count; ++l)
    for (int i = 0; i < n; ++i) out[l][i] = fromSpin(M[static_cast<size_t>(i) * L + l] ? -1 : 1, vt);
}

std::vector<SampleOutput> runSparseLanesSa(const std::vector<const PreparedModel*>& models,
                                           const std::vector<Ramp>& schedules, const BatchOptions& opt) {
  const size_t B = models.size();
  const int R = opt.numReads;
  std::vector<SampleOutput> out(B);
  for (size_t b = 0; b < B; ++b) {
    out[b].samples.assign(static_cast<size_t>(R) * models[b]->model().n, 0);
    out[b].energies.assign(static_cast<size_t>(R), 0.0);
  }
  // Up to 16 reads per item, fewer when 16 would leave threads idle (the samples do not depend on it).
  const unsigned T = resolveThreads(opt.threads);
  const size_t perModel = std::max<size_t>(1, (T + B - 1) / B);
  const int chunk = static_cast<int>(std::min<size_t>(16, std::max<size_t>(1, (static_cast<size_t>(R) + perModel - 1) / perModel)));
  struct Item {
    size_t b;
    int r0, count;
  };
  std::vector<Item> items;
  for (size_t b = 0; b < B; ++b)
    for (int r0 = 0; r0 < R; r0 += chunk) items.push_back({b, r0, std::min(chunk, R - r0)});
  parallelFor(
      items.size(), opt.threads,
      [&](size_t k) {
        const Item& it = items[k];
        const PreparedModel& pm = *models[it.b];
        const size_t n = static_cast<size_t>(pm.model().n);
        std::vector<Rng> rngs;
        rngs.reserve(static_cast<size_t>(it.count));
        Rng* rp[16];
        const int8_t* ip[16];
        int8_t* op[16];
        for (int q = 0; q < it.count; ++q) {
          const size_t r = static_cast<size_t>(it.r0 + q);
          rngs.emplace_back(opt.seed, it.b, r);
          rp[q] = &rngs.back();
          ip[q] = (it.b < opt.initial.size() && opt.initial[it.b]) ? opt.initial[it.b] + r * n : nullptr;
          op[q] = out[it.b].samples.data() + r * n;
        }
        saLanesReads(pm, schedules[it.b], rp, ip, it.count, opt, op);
        for (int q = 0; q < it.count; ++q) out[it.b].energies[it.r0 + q] = pm.model().energy(op[q]);
      },
      opt.tick ? opt.tick : std::function<void()>([] {}), 100, [&opt] { return stoppedOpt(opt); });
  if (stoppedOpt(opt)) throw Cancelled();
  return out;
}

#else
bool lanesAvailable() { return false; }
const char* lanesIsa() { return "none"; }
void saLanesReads(const PreparedModel&, const Ramp&, Rng* const*, const int8_t* const*, int, const BatchOptions&,
                  int8_t* const*) {
  throw std::runtime_error("the lanes kernel needs a GCC or Clang build");
}
std::vector<SampleOutput> runSparseLanesSa(const std::vector<const PreparedModel*>&, const std::vector<Ramp>&,
                                           const BatchOptions&) {
  throw std::runtime_error("the lanes kernel needs a GCC or Clang build");
}
#endif

}  // namespace qahan
