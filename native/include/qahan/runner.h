// qahan/runner.h - runs the reads of a batch of models on a persistent thread pool.
//
// Every (model b, read r) pair is one work item with its own Rng(seed, b, r), so the samples do not
// depend on how many threads run them or in which order. Workers poll the cancel flag every sweep and
// add one to the progress counter per sweep. The calling thread waits, calling `tick` about every
// 100 ms (progress reporting), and rethrows the first exception a worker hit (e.g. std::bad_alloc).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <vector>

#include "qahan/memory.h"
#include "qahan/problem.h"
#include "qahan/rng.h"
#include "qahan/schedules.h"

namespace qahan {

struct Cancelled : std::runtime_error {
  Cancelled() : std::runtime_error("cancelled") {}
};

using CancelFlag = std::shared_ptr<std::atomic<bool>>;

// Process-wide pool; grows on demand up to kMaxThreads workers and is never torn down.
constexpr unsigned kMaxThreads = 256;
unsigned resolveThreads(unsigned requested);  // 0 -> hardware_concurrency (at least 1)

// Runs fn(item) for item in [0, count) on up to `threads` workers, blocking the caller, and rethrows
// the first exception fn threw. Without `tick` the caller works through items too (so it finishes even
// when the pool is busy with other jobs). With `tick` the caller only waits, calling tick() about every
// tickMs, and returns early once stop() is true and no worker is inside fn (items not yet started are
// then skipped: a cancel is seen even while this job's tasks are still queued behind another job).
void parallelFor(size_t count, unsigned threads, const std::function<void(size_t)>& fn,
                 const std::function<void()>& tick = {}, int tickMs = 100, const std::function<bool()>& stop = {});

struct BatchOptions {
  int numReads = 1;
  uint64_t seed = 0;
  unsigned threads = 0;
  // Per model: nullptr, or numReads * n initial values in the model's vartype.
  std::vector<const int8_t*> initial;
  CancelFlag cancel;  // the caller's token (may be null)
  CancelFlag abort;   // internal stop request (may be null); either flag stops the batch
  // >= 0: keep exactly this many +1 spins (ones) with pair-swap moves, starting from a uniformly random
  // k-subset unless initial states are given (which must then hold exactly k ones; checked by the caller).
  int cardinality = -1;
  std::atomic<uint64_t>* progress = nullptr;  // sweeps done, summed over reads
  std::function<void()> tick;
  // SA only: a kernel hook (kernels/kernels.h) that runs read (b, init, rng -> dst) itself and returns
  // true, or returns false to leave the read to the moves of runner.cc.
  std::function<bool(size_t b, const int8_t* init, Rng& rng, int8_t* dst)> saRead;
  // SQA only: the same kind of hook for a read of the path-integral sampler.
  std::function<bool(size_t b, const int8_t* init, Rng& rng, int8_t* dst)> sqaRead;
};

struct SampleOutput {
  LargeVector<int8_t> samples;  // numReads * n in the model's vartype (qahan/memory.h: large ones pre-faulted)
  std::vector<double> energies;
};

// SA: schedules[b] is model b's beta per sweep.
std::vector<SampleOutput> runSimulatedAnnealing(const std::vector<Problem>& problems, const std::vector<Model>& models,
                                                const std::vector<Ramp>& schedules,
                                                const BatchOptions& opt);

// Which Trotter slice a read returns.
constexpr int kSliceLowest = -1;  // the lowest Hp(s^k); ties go to the lowest k
constexpr int kSliceRandom = -2;  // uniform from the read's own stream

struct SqaOptions {
  int P = 1;
  SqaSchedule schedule;  // one step per sweep
  bool globalMoves = false;
  int returnSlice = kSliceLowest;  // or a fixed index in [0, P)
};

std::vector<SampleOutput> runPathIntegral(const std::vector<Problem>& problems, const std::vector<Model>& models,
                                          const SqaOptions& sqa, const BatchOptions& opt);

// The same on models held elsewhere (the binding's cached models), without copying them.
std::vector<SampleOutput> runSimulatedAnnealing(const std::vector<const Problem*>& problems,
                                                const std::vector<const Model*>& models,
                                                const std::vector<Ramp>& schedules, const BatchOptions& opt);
std::vector<SampleOutput> runPathIntegral(const std::vector<const Problem*>& problems,
                                          const std::vector<const Model*>& models, const SqaOptions& sqa,
                                          const BatchOptions& opt);

}  // namespace qahan
