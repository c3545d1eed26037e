// qahan/kernels/sparse_lanes.h - the 'sparse' SA kernel on models in integer form (prepared.h): up to 16
// reads of one model swept side by side, one per 32-bit lane (kernels/lanes.h), with integer fields, a
// per-sweep table of 32-bit acceptance thresholds (no exp() per attempt) and one 32-bit number per attempt
// from the read's own xoshiro128++ stream. A read's samples depend only on (seed, model, read): not on
// how reads are grouped, the thread count or the vector width.
#pragma once
#include <cstdint>
#include <vector>

#include "qahan/prepared.h"
#include "qahan/rng.h"
#include "qahan/runner.h"
#include "qahan/schedules.h"

namespace qahan {

// GCC or Clang builds (vector extensions); elsewhere the per-read loop of kernels/sparse_int.h runs.
bool lanesAvailable();
// "avx512", "avx2" or "portable": the copy of the lanes this CPU runs.
const char* lanesIsa();

// SA on `count` (1..16) reads of model m (m.integer().ok): read q starts from rngs[q] (random spins, or
// init[q] in the model's vartype when not null; then its lane stream is seeded from rngs[q]) and ends in
// out[q] (n values in the model's vartype).
void saLanesReads(const PreparedModel& m, const Ramp& betas, Rng* const* rngs, const int8_t* const* init, int count,
                  const BatchOptions& opt, int8_t* const* out);

// Every read of every model (all in integer form) with the lanes, read r of model b on Rng(seed, b, r);
// reads are grouped up to 16 per work item, in smaller groups when that keeps every thread busy.
std::vector<SampleOutput> runSparseLanesSa(const std::vector<const PreparedModel*>& models,
                                           const std::vector<Ramp>& schedules, const BatchOptions& opt);

}  // namespace qahan
