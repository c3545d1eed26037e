// Standalone check of the minor embedder's core (no Node): K_n into a defect-free Chimera C_m, one
// thread, as in bench/results/issue13.md. Build and run (under the CPU lock):
//   g++ -O3 -std=c++17 -Inative/include native/bench/embedding.cc native/src/embedding.cc -o /tmp/qahan-embed
//   /tmp/qahan-embed 60 16 1      # K60 into C16, embedder seed 1 (args: n m seed [timeout ms] [tries])
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <vector>

#include "qahan/embedding.h"

using namespace qahan;

/** Chimera C_m with shores of 4, D-Wave's linear indices ((row * m + col) * 2 + u) * 4 + k. */
static std::vector<uint32_t> chimera(int m) {
  std::vector<uint32_t> e;
  auto id = [&](int i, int j, int u, int k) { return static_cast<uint32_t>(((i * m + j) * 2 + u) * 4 + k); };
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j) {
      for (int a = 0; a < 4; ++a)
        for (int b = 0; b < 4; ++b) e.insert(e.end(), {id(i, j, 0, a), id(i, j, 1, b)});
      for (int k = 0; k < 4; ++k) {
        if (i + 1 < m) e.insert(e.end(), {id(i, j, 0, k), id(i + 1, j, 0, k)});
        if (j + 1 < m) e.insert(e.end(), {id(i, j, 1, k), id(i, j + 1, 1, k)});
      }
    }
  return e;
}

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 60, m = argc > 2 ? std::atoi(argv[2]) : 16;
  MinorOptions o;
  o.seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
  o.timeoutMs = argc > 4 ? std::atof(argv[4]) : 60000;
  o.tries = argc > 5 ? std::atoi(argv[5]) : 1000;
  o.chainLengthPatience = 2;  // the TypeScript defaults
  MinorProblem p;
  p.numQubits = 8 * m * m;
  buildCsr(p.numQubits, chimera(m), p.qubitStart, p.qubitAdj);
  std::vector<uint32_t> clique;
  for (int a = 0; a < n; ++a)
    for (int b = a + 1; b < n; ++b) clique.insert(clique.end(), {static_cast<uint32_t>(a), static_cast<uint32_t>(b)});
  p.numVars = n;
  buildCsr(n, clique, p.varStart, p.varAdj);
  const auto t0 = std::chrono::steady_clock::now();
  const MinorResult r = findMinorEmbedding(p, o);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("K%d into C%d, seed %llu: %s in %.0f ms, %d tries, %d overlap + %d length rounds, best shared %d\n", n, m,
              static_cast<unsigned long long>(o.seed), r.found ? "found" : "not found", ms, r.triesRun, r.overlapRounds,
              r.lengthRounds, r.bestExcess);
  if (!r.found) return 1;
  // Disjoint chains and every pair of chains touching (connectivity is the TypeScript checkEmbedding's job).
  std::vector<int> owner(p.numQubits, -1);
  size_t qubits = 0, longest = 0;
  bool disjoint = true;
  for (int v = 0; v < n; ++v) {
    qubits += r.chains[v].size();
    longest = std::max(longest, r.chains[v].size());
    for (int q : r.chains[v]) {
      disjoint = disjoint && owner[q] < 0;
      owner[q] = v;
    }
  }
  std::set<std::pair<int, int>> touching;
  for (int q = 0; q < p.numQubits; ++q)
    for (int e = p.qubitStart[q]; e < p.qubitStart[q + 1]; ++e) {
      const int a = owner[q], b = owner[p.qubitAdj[e]];
      if (a >= 0 && b >= 0 && a != b) touching.insert({std::min(a, b), std::max(a, b)});
    }
  const bool covered = static_cast<int>(touching.size()) == n * (n - 1) / 2;
  std::printf("  disjoint %s, every pair touching %s; %zu qubits, mean chain %.2f, max %zu\n", disjoint ? "yes" : "NO",
              covered ? "yes" : "NO", qubits, static_cast<double>(qubits) / n, longest);
  return disjoint && covered ? 0 : 2;
}
