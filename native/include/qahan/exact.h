// qahan/exact.h - brute force over all 2^n states (n <= 30).
//
// The states are walked in Gray-code order g(t) = t ^ (t >> 1): step t flips one spin (bit ctz(t)), so
// each step costs O(deg) with incrementally kept local fields. The sequence is cut into a fixed number
// of chunks (independent of the thread count, so the output never depends on it); each chunk starts
// from its first state computed directly and keeps its lowest `keep` states. The merged list is sorted
// by energy (ties by state index), and the kept energies are recomputed exactly from the model.
// State index bit i is variable i (1 = spin +1 / binary 1).
#pragma once
#include <cstdint>
#include <vector>

#include "qahan/problem.h"
#include "qahan/runner.h"

namespace qahan {

constexpr int kMaxExactVariables = 30;
// Budget for the kept states: keep * (16 + n) bytes.
constexpr uint64_t kMaxExactBytes = uint64_t(1) << 31;

// Throws std::range_error when n > kMaxExactVariables or `keep` states would not fit kMaxExactBytes.
void checkExactSize(int n, uint64_t keep);

struct ExactOutput {
  std::vector<int8_t> samples;  // count * n, model's vartype
  std::vector<double> energies;
};

ExactOutput exactSolve(const Problem& p, const Model& m, uint64_t keep, unsigned threads, const CancelFlag& cancel);

}  // namespace qahan
