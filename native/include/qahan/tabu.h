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
// their (integer) energy change, so a flip costs O(degree) rather than an O(n) scan, and run a breakout
// local search there (after Benlic and Hao's BLS for max-cut): steepest descent to a local minimum, then
// a perturbation of adaptive strength, directed (tabu, tenure random up to n / 10) or random. Each phase
// starts from an anneal (annealSweeps Metropolis sweeps from a random state, geometric in beta over a
// range from the model) or, with annealSweeps 0, from an elite state with 2-10% of it flipped.
// A read stops after numRestarts phases or at timeLimitSec since the call began (whichever first; at
// least one phase); without a time limit its result depends on (seed, model, read) only.
#pragma once
#include <cstdint>
#include <limits>
#include <utility>
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
  int64_t annealSweeps = -1;    // gain-bucket path: sweeps of each phase's annealed start; < 0: default, 0: none
  // Stop every read of a model once one of them reaches this energy (NaN: never).
  double targetEnergy = std::numeric_limits<double>::quiet_NaN();
};

// Default tenure: min(20, n / 4), or n / 10 when larger on the gain-bucket path (sparse integer models).
int defaultTenure(int n, bool buckets = false);
int64_t defaultStallIterations(int n);
// Annealed starts on the gain-bucket path: sweeps per phase, and the beta range (hot 1 / RMS field, twice
// parallel tempering's hot end; cold where a flip against the smallest coupling is ~1e-4 likely).
int64_t defaultAnnealSweeps(int n);  // 12 n within [20,000, 100,000]
std::pair<double, double> annealBetaRange(const Problem& p);

struct TabuOutput {
  SampleOutput out;
  std::vector<double> timeToBestMs;
  std::vector<int64_t> restartsDone;
  int tenure = 0;
  int64_t stallIterations = 0;
  int64_t annealSweeps = 0;  // 0 off the gain-bucket path
};

std::vector<TabuOutput> runTabuSearch(const std::vector<const Problem*>& problems, const std::vector<const Model*>& models,
                                      const TabuOptions& tabu, const BatchOptions& opt);

}  // namespace qahan
