// qahan/tempering.h - parallel tempering (replica-exchange Monte Carlo) with Houdayer's isoenergetic
// cluster moves, on the spin form of a Problem.
//
// One read is one independent run: R temperatures beta_0 < ... < beta_{R-1} (a geometric ladder over
// [hot, cold] unless explicit betas are given) and C chains per temperature (C = 2 with cluster moves,
// else 1). One PT sweep is:
//   1. a Metropolis sweep (n attempts, order 0..n-1) of every chain at its temperature;
//   2. with cluster moves, for each temperature in the cold half of the ladder: Houdayer's move between
//      its two chains (grow a connected cluster of sites where the chains disagree, from a uniformly
//      random such site, along nonzero couplings, and flip it in both; E_a + E_b is unchanged, so the
//      move is always accepted and keeps the product of the two Boltzmann laws stationary);
//   3. for each chain c and each neighbour pair (k, k+1), from the hot end, a swap of the two states with
//      probability min(1, exp((beta_k - beta_{k+1}) (E_k - E_{k+1}))), which is detailed balance for
//      the joint law prod_k exp(-beta_k E_k) / Z_k.
// The read returns the lowest-energy state any chain visited (checked after every sweep). A read stops
// after numSweeps sweeps or when timeLimitSec has passed since the run began, whichever comes first;
// without a time limit the samples depend on (seed, model, read) only, whatever the thread count.
//
// The adaptive ladder (option) runs a short tuning phase first: it sweeps with the geometric ladder and
// moves the inner betas so that the measured swap acceptance of every neighbour pair is the same
// (Katzgraber et al.'s feedback simplified to equal acceptance), then samples with the tuned ladder.
#pragma once
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "qahan/problem.h"
#include "qahan/runner.h"

namespace qahan {

struct TemperingOptions {
  int numReplicas = 16;        // temperatures R >= 2 (R = 1 is plain Metropolis at the cold end)
  double betaHot = 0.1, betaCold = 1.0;
  std::vector<double> betas;   // explicit ladder (ascending), overrides hot/cold/numReplicas when set
  bool clusterMoves = false;
  bool adaptive = false;
  int64_t numSweeps = 1000;
  double timeLimitSec = 0.0;   // <= 0: none
  bool stats = false;          // collect swap statistics and each read's final states per temperature
  // Stop every read of the model once one of them reaches this energy (NaN: never). For time-to-target runs.
  double targetEnergy = std::numeric_limits<double>::quiet_NaN();
};

// When Houdayer moves pay off: sparse models of low mean degree (the cluster percolates on dense ones).
bool clusterMovesHelp(const Problem& p);
// PT's default [hot, cold]: SA's cold end, and a hot end at max(SA's, 0.5 / RMS local field).
std::pair<double, double> defaultTemperingRange(const Problem& p);
// Default number of temperatures for a model (grows as sqrt(n) with the ratio of the beta range).
int defaultNumReplicas(const Problem& p, double hot, double cold);
// The geometric ladder hot..cold with R rungs (R = 1: just cold).
std::vector<double> geometricLadder(double hot, double cold, int R);

struct TemperingOutput {
  SampleOutput out;               // the best state per read (numReads * n), its energy
  std::vector<double> timeToBestMs;  // per read: when its best state was first found, since the run began
  std::vector<int64_t> sweepsDone;   // per read
  std::vector<double> betas;         // the ladder used (read 0's when adaptive)
  // stats only: swap attempts/accepts per neighbour pair (R - 1), summed over reads and chains, and
  // each read's final chain-0 state at every temperature (numReads * R * n, in the model's vartype).
  std::vector<uint64_t> swapAttempts, swapAccepts;
  std::vector<int8_t> replicaSamples;
  uint64_t clusterMoves = 0, clusterSpins = 0;
};

std::vector<TemperingOutput> runParallelTempering(const std::vector<const Problem*>& problems,
                                                  const std::vector<const Model*>& models,
                                                  const std::vector<TemperingOptions>& perModel,
                                                  const BatchOptions& opt);

}  // namespace qahan
