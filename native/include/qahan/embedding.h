// qahan/embedding.h - the heuristic minor embedder (Cai, Macready and Roy, "A practical heuristic for
// finding graph minors", 2014) on dense integer graphs. Plain C++: labels, qubit ids and argument checks
// stay in the binding and in src/dwave/embedding; this file only sees finished CSR arrays.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "qahan/runner.h"

namespace qahan {

/** Source and target graphs as CSR adjacency over 0..n-1 (symmetric, no loops, no repeats). */
struct MinorProblem {
  int numQubits = 0;
  std::vector<int> qubitStart, qubitAdj;
  int numVars = 0;
  std::vector<int> varStart, varAdj;
  /** Per variable: a fixed chain (kept as given, its qubits barred to every other chain), or empty. */
  std::vector<std::vector<int>> fixedChains;
  /** Per variable: a starting chain for the first try, or empty. */
  std::vector<std::vector<int>> initialChains;
};

/**
 * CSR graphs from flat edge lists (pairs); loops and repeated edges are dropped. Throws std::out_of_range
 * for an endpoint outside [0, n).
 */
void buildCsr(int n, const std::vector<uint32_t>& edges, std::vector<int>& start, std::vector<int>& adj);

struct MinorOptions {
  uint64_t seed = 1;
  double timeoutMs = 30000;
  int tries = 10;
  /** Overlap-removal rounds without fewer shared qubits before a restart. */
  int maxNoImprovement = 10;
  /** Chain-length rounds without a shorter total before stopping. */
  int chainLengthPatience = 10;
  CancelFlag cancel;  // either flag, when set, stops the search with Cancelled
  CancelFlag abort;
};

struct MinorResult {
  bool found = false;
  /** Per variable, its qubits (ascending) when found. */
  std::vector<std::vector<int>> chains;
  int triesRun = 0;
  /** Qubits shared by several chains in the best failed try (0 when found, -1 when none got that far). */
  int bestExcess = -1;
  bool timedOut = false;
  /** Some variable could not reach its neighbours at all (walled in by fixed chains or a split target). */
  bool unreachable = false;
  /** Overlap-removal and chain-length rounds run, over all tries. */
  int overlapRounds = 0, lengthRounds = 0;
};

/**
 * Searches for chains: connected, disjoint, every source edge realised by a target edge between the two
 * chains. Deterministic for a seed unless the timeout cuts a phase short. Throws Cancelled when a flag is set.
 */
MinorResult findMinorEmbedding(const MinorProblem& p, const MinorOptions& o);

}  // namespace qahan
