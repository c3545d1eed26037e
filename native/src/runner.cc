#include "qahan/runner.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>

#include "qahan/moves.h"
#include "qahan/rng.h"
#include "qahan/state.h"

namespace qahan {

namespace {

class ThreadPool {
 public:
  void submit(std::function<void()> task, unsigned wantWorkers) {
    std::lock_guard<std::mutex> lk(mu_);
    while (workers_ < wantWorkers && workers_ < kMaxThreads) {
      std::thread(&ThreadPool::loop, this).detach();
      ++workers_;
    }
    q_.push_back(std::move(task));
    cv_.notify_one();
  }

 private:
  void loop() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return !q_.empty(); });
        task = std::move(q_.front());
        q_.pop_front();
      }
      task();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> q_;
  unsigned workers_ = 0;
};

ThreadPool& pool() {
  static ThreadPool* p = new ThreadPool();  // never destroyed: detached workers outlive static teardown
  return *p;
}

struct Job {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::condition_variable cv;
  unsigned active = 0;  // workers inside the item loop
  bool closed = false;  // set by the caller once it returns; late-starting tasks then do nothing
  std::exception_ptr error;
};

// Claims and runs items until none are left or one failed.
void drain(Job& job, size_t count, const std::function<void(size_t)>& fn) {
  try {
    for (;;) {
      if (job.failed.load(std::memory_order_relaxed)) break;
      const size_t i = job.next.fetch_add(1);
      if (i >= count) break;
      fn(i);
    }
  } catch (...) {
    std::lock_guard<std::mutex> lk(job.mu);
    if (!job.error) job.error = std::current_exception();
    job.failed = true;
  }
}

}  // namespace

unsigned resolveThreads(unsigned requested) {
  if (requested == 0) requested = std::max(1u, std::thread::hardware_concurrency());
  return std::min(requested, kMaxThreads);
}

void parallelFor(size_t count, unsigned threads, const std::function<void(size_t)>& fn,
                 const std::function<void()>& tick, int tickMs, const std::function<bool()>& stop) {
  if (count == 0) return;
  const unsigned T = static_cast<unsigned>(std::min<size_t>(resolveThreads(threads), count));
  auto job = std::make_shared<Job>();
  // Without a tick the caller works too, so the call finishes even when the pool is busy elsewhere.
  const unsigned helpers = tick ? T : T - 1;
  for (unsigned t = 0; t < helpers; ++t) {
    pool().submit(
        [job, &fn, count] {
          {
            std::lock_guard<std::mutex> lk(job->mu);
            if (job->closed) return;  // the caller is gone: fn may be dangling
            ++job->active;
          }
          drain(*job, count, fn);
          std::lock_guard<std::mutex> lk(job->mu);
          --job->active;
          job->cv.notify_all();
        },
        T);
  }
  if (!tick) drain(*job, count, fn);
  std::unique_lock<std::mutex> lk(job->mu);
  for (;;) {
    const bool claimedAll = job->next.load() >= count || job->failed.load();
    if (job->active == 0 && (claimedAll || (stop && stop()))) break;
    job->cv.wait_for(lk, std::chrono::milliseconds(tickMs));
    if (tick) {
      lk.unlock();
      tick();
      lk.lock();
    }
  }
  job->closed = true;
  if (job->error) std::rethrow_exception(job->error);
}

namespace {

inline bool isCancelled(const CancelFlag& c) { return c && c->load(std::memory_order_relaxed); }
inline bool stopped(const BatchOptions& o) { return isCancelled(o.cancel) || isCancelled(o.abort); }

// Items are model-major: item = offsetOf[b] + r.
struct ItemIndex {
  std::vector<size_t> start;
  explicit ItemIndex(size_t models, int reads) {
    start.resize(models + 1);
    for (size_t b = 0; b <= models; ++b) start[b] = b * static_cast<size_t>(reads);
  }
};

void initSpins(int8_t* s, int n, const int8_t* init, Vartype vt, Rng& rng) {
  if (init) {
    for (int i = 0; i < n; ++i) s[i] = toSpin(init[i], vt);
  } else {
    for (int i = 0; i < n;) {
      uint64_t bits = rng.next();
      for (int k = 0; k < 64 && i < n; ++k, ++i, bits >>= 1) s[i] = (bits & 1) ? 1 : -1;
    }
  }
}

// A uniformly random k-subset of +1 spins (partial Fisher-Yates).
void initSubset(int8_t* s, int n, int k, std::vector<int>& scratch, Rng& rng) {
  scratch.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) scratch[i] = i, s[i] = -1;
  for (int t = 0; t < k; ++t) {
    const int u = t + static_cast<int>(rng.below(static_cast<uint32_t>(n - t)));
    std::swap(scratch[t], scratch[u]);
    s[scratch[t]] = 1;
  }
}

void initRead(int8_t* s, int n, const int8_t* init, Vartype vt, int cardinality, std::vector<int>& scratch, Rng& rng) {
  if (cardinality >= 0 && !init)
    initSubset(s, n, cardinality, scratch, rng);
  else
    initSpins(s, n, init, vt, rng);
}

// Dense float rows (n >= kFloatFrom) are the inner loop that vector width speeds up most: one copy per
// ISA, picked at load time (GCC on x86-64 Linux). The field update f += (+-2) J is exact in every width,
// so the samples do not depend on the copy.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void saSweepDenseFloat(const float* J, int n, int8_t* s, float* f, double beta, Rng& rng) {
  saSweep<float>(DenseCouplings<float>{J, n}, s, f, n, beta, rng);
}

template <class Real, class C>
inline void sweepSa(const C& cp, int8_t* s, Real* f, int n, double beta, Rng& rng) {
  if constexpr (std::is_same<C, DenseCouplings<float>>::value)
    saSweepDenseFloat(cp.J, n, s, f, beta, rng);
  else
    saSweep<Real>(cp, s, f, n, beta, rng);
}

template <class Real, class C>
void saRead(const Problem& p, const C& cp, const Ramp& betas, const int8_t* init, Rng& rng,
            const BatchOptions& opt, int8_t* out) {
  SliceState<Real> st;
  st.resize(p.n, 1);
  std::vector<double> scratch;
  std::vector<int> order;
  initRead(st.spins(0), p.n, init, p.vartype, opt.cardinality, order, rng);
  st.refresh(p, 0, scratch);
  const bool swaps = opt.cardinality >= 0;
  CardinalitySet cs;
  if (swaps) cs.build(st.spins(0), p.n);
  const size_t S = betas.size();
  for (size_t t = 0; t < S; ++t) {
    if (stopped(opt)) throw Cancelled();
    if (swaps)
      saSwapSweep<Real>(cp, st.spins(0), st.fields(0), cs, p.n, betas.at(t), rng);
    else
      sweepSa<Real>(cp, st.spins(0), st.fields(0), p.n, betas.at(t), rng);
    // Float fields drift slowly; re-derive them exactly now and then (cheap next to 1024 sweeps).
    if (std::is_same<Real, float>::value && (t & 1023) == 1023) st.refresh(p, 0, scratch);
    if (opt.progress) opt.progress->fetch_add(1, std::memory_order_relaxed);
  }
  for (int i = 0; i < p.n; ++i) out[i] = fromSpin(st.s[i], p.vartype);
}

template <class Real, class C>
void sqaRead(const Problem& p, const C& cp, const SqaOptions& q, const int8_t* init, Rng& rng, const BatchOptions& opt,
             int8_t* out) {
  const int n = p.n, P = q.P;
  SliceState<Real> st;
  st.resize(n, P);
  std::vector<double> scratch;
  std::vector<int> order;
  const bool swaps = opt.cardinality >= 0;
  std::vector<CardinalitySet> sets(swaps ? static_cast<size_t>(P) : 0);
  for (int k = 0; k < P; ++k) {
    if (init && k > 0)
      std::copy(st.spins(0), st.spins(0) + n, st.spins(k));
    else
      initRead(st.spins(k), n, init, p.vartype, opt.cardinality, order, rng);
    st.refresh(p, k, scratch);
    if (swaps) sets[k].build(st.spins(k), n);
  }
  const size_t S = q.schedule.size();
  for (size_t t = 0; t < S; ++t) {
    if (stopped(opt)) throw Cancelled();
    const SqaStep step = q.schedule.at(t);
    const double jp = P > 1 ? step.jperp : 0.0;
    if (swaps) {
      sqaSwapSweep<Real>(cp, st.s.data(), st.f.data(), sets.data(), n, P, step.w, jp, rng);
    } else {
      sqaSweep<Real>(cp, st.s.data(), st.f.data(), n, P, step.w, jp, rng);
      if (q.globalMoves) sqaGlobalSweep<Real>(cp, st.s.data(), st.f.data(), n, P, step.w, rng);
    }
    if (std::is_same<Real, float>::value && (t & 1023) == 1023)
      for (int k = 0; k < P; ++k) st.refresh(p, k, scratch);
    if (opt.progress) opt.progress->fetch_add(1, std::memory_order_relaxed);
  }
  int pick = 0;
  if (q.returnSlice >= 0) {
    pick = std::min(q.returnSlice, P - 1);
  } else if (q.returnSlice == kSliceRandom) {
    pick = static_cast<int>(rng.below(static_cast<uint32_t>(P)));
  } else {
    double best = p.energy(st.spins(0));
    for (int k = 1; k < P; ++k) {
      const double e = p.energy(st.spins(k));
      if (e < best) best = e, pick = k;
    }
  }
  const int8_t* s = st.spins(pick);
  for (int i = 0; i < n; ++i) out[i] = fromSpin(s[i], p.vartype);
}

template <class F>
std::vector<SampleOutput> runBatch(const std::vector<const Problem*>& problems, const std::vector<const Model*>& models,
                                   const BatchOptions& opt, F&& readFn) {
  const size_t B = problems.size();
  const int R = opt.numReads;
  std::vector<SampleOutput> out(B);
  for (size_t b = 0; b < B; ++b) {
    out[b].samples.assign(static_cast<size_t>(R) * problems[b]->n, 0);
    out[b].energies.assign(static_cast<size_t>(R), 0.0);
  }
  const size_t items = B * static_cast<size_t>(R);
  parallelFor(
      items, opt.threads,
      [&](size_t item) {
        const size_t b = item / R, r = item % R;
        const Problem& p = *problems[b];
        const size_t n = static_cast<size_t>(p.n);
        Rng rng(opt.seed, b, r);
        const int8_t* init = (b < opt.initial.size() && opt.initial[b]) ? opt.initial[b] + r * n : nullptr;
        int8_t* dst = out[b].samples.data() + r * n;
        readFn(b, p, init, rng, dst);
        out[b].energies[r] = models[b]->energy(dst);
      },
      opt.tick ? opt.tick : std::function<void()>([] {}), 100, [&opt] { return stopped(opt); });
  if (stopped(opt)) throw Cancelled();
  return out;
}

// Calls body(couplings, Real-tag) with the right kernel for the problem's storage.
template <class Body>
void dispatch(const Problem& p, Body&& body) {
  if (!p.dense) {
    body(CsrCouplings{p.rowPtr.data(), p.colIdx.data(), p.val.data()}, double{});
  } else if (p.useFloat) {
    body(DenseCouplings<float>{p.Jf.data(), p.n}, float{});
  } else {
    body(DenseCouplings<double>{p.J.data(), p.n}, double{});
  }
}

}  // namespace

std::vector<SampleOutput> runSimulatedAnnealing(const std::vector<const Problem*>& problems,
                                                const std::vector<const Model*>& models,
                                                const std::vector<Ramp>& schedules, const BatchOptions& opt) {
  return runBatch(problems, models, opt, [&](size_t b, const Problem& p, const int8_t* init, Rng& rng, int8_t* dst) {
    if (opt.saRead && opt.saRead(b, init, rng, dst)) return;  // another kernel ran it (kernels.h)
    dispatch(p, [&](const auto& cp, auto tag) {
      using Real = decltype(tag);
      saRead<Real>(p, cp, schedules[b], init, rng, opt, dst);
    });
  });
}

std::vector<SampleOutput> runPathIntegral(const std::vector<const Problem*>& problems,
                                          const std::vector<const Model*>& models, const SqaOptions& sqa,
                                          const BatchOptions& opt) {
  return runBatch(problems, models, opt, [&](size_t b, const Problem& p, const int8_t* init, Rng& rng, int8_t* dst) {
    if (opt.sqaRead && opt.sqaRead(b, init, rng, dst)) return;  // another kernel ran it (kernels/sqa_int.h)
    dispatch(p, [&](const auto& cp, auto tag) {
      using Real = decltype(tag);
      sqaRead<Real>(p, cp, sqa, init, rng, opt, dst);
    });
  });
}

namespace {
template <class T>
std::vector<const T*> pointers(const std::vector<T>& v) {
  std::vector<const T*> out;
  for (auto& x : v) out.push_back(&x);
  return out;
}
}  // namespace

std::vector<SampleOutput> runSimulatedAnnealing(const std::vector<Problem>& problems, const std::vector<Model>& models,
                                                const std::vector<Ramp>& schedules, const BatchOptions& opt) {
  return runSimulatedAnnealing(pointers(problems), pointers(models), schedules, opt);
}

std::vector<SampleOutput> runPathIntegral(const std::vector<Problem>& problems, const std::vector<Model>& models,
                                          const SqaOptions& sqa, const BatchOptions& opt) {
  return runPathIntegral(pointers(problems), pointers(models), sqa, opt);
}

}  // namespace qahan
