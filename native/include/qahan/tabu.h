// qahan/tabu.h - multistart tabu search for QUBO/Ising models (after Palubeckis' MST2 and the idea of
// dwave-samplers' TabuSampler), on the spin form of a Problem.
//
// One-flip moves with incrementally kept gains: flipping s_i changes the energy by -2 s_i f_i, with the
// local fields f updated in O(row) per flip. Each iteration flips the variable with the best (lowest)
// change among those not tabu, or a tabu one when it would beat the read's best energy (aspiration);
// a flipped variable stays tabu for `tenure` iterations. A tabu phase ends after `stallIterations`
// iterations without improving the phase's best; the next phase starts from one of the elite states
// (the best distinct states found so far) with a random fraction of its variables flipped.
// Sparse models with whole-number h and J (Gset, the Chimera glasses) keep the variables in buckets by
// their (integer) energy change, so a flip costs O(degree) rather than an O(n) scan; there the tenure
// defaults to n / 10, restarts start from the best elite state half the time and flip 1-5% of it.
// A read stops after numRestarts phases or at timeLimitSec since the call began (whichever first; at
// least one phase); without a time limit its result depends on (seed, model, read) only.
#pragma once
#include <cstdint>
#include <limits>
#include <vector>

#include "qahan/problem.h"
#include "qahan/runner.h"

namespace qahan {

struct TabuOptions {
  int tenure = -1;              // < 0: min(20, n / 4)
  int64_t numRestarts = 20;     // phases per read (the first starts from the initial/random state)
  int64_t stallIterations = -1; // < 0: from the model size
  double timeLimitSec = 0.0;    // <= 0: none
  int eliteSize = 8;
  // Stop every read of a model once one of them reaches this energy (NaN: never).
  double targetEnergy = std::numeric_limits<double>::quiet_NaN();
};

// Default tenure: min(20, n / 4), or n / 10 when larger on the gain-bucket path (sparse integer models).
int defaultTenure(int n, bool buckets = false);
int64_t defaultStallIterations(int n);

struct TabuOutput {
  SampleOutput out;
  std::vector<double> timeToBestMs;
  std::vector<int64_t> restartsDone;
  int tenure = 0;
  int64_t stallIterations = 0;
};

std::vector<TabuOutput> runTabuSearch(const std::vector<const Problem*>& problems, const std::vector<const Model*>& models,
                                      const TabuOptions& tabu, const BatchOptions& opt);

}  // namespace qahan
