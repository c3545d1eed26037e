// qahan/attention.h - batched assembly of the attention-selection QUBOs.
//
// For each batch element, over binary z in {0,1}^N:
//   E(z) = -sum_i a_i z_i + lambda sum_{i<j} S_ij z_i z_j + gamma (sum_i z_i - k)^2
// and with z_i^2 = z_i,  (sum z - k)^2 = sum_i (1 - 2k) z_i + 2 sum_{i<j} z_i z_j + k^2, so
//   linear_i = -a_i + gamma (1 - 2k),   Q_ij = lambda S_ij + 2 gamma (i < j),   offset = gamma k^2.
// S_ij is read from the upper triangle of the given similarity, or is the cosine similarity of the
// feature rows i and j (0 when either row is all zeros).
#pragma once
#include <cstddef>
#include <vector>

namespace qahan {

struct AttentionInput {
  int batch = 0, positions = 0, channels = 0;
  std::vector<double> scores;      // B*N
  std::vector<double> similarity;  // B*N*N, or empty
  std::vector<double> features;    // B*N*C, or empty
  double lambda = 0, gamma = 0, k = 0;
};

struct AttentionQubos {
  std::vector<double> linear;  // B*N
  std::vector<double> dense;   // B*N*N, upper triangle only
  std::vector<double> offset;  // B
};

AttentionQubos buildAttentionQubos(const AttentionInput& in, unsigned threads);

}  // namespace qahan
