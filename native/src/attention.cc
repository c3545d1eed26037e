#include "qahan/attention.h"

#include <cmath>

#include "qahan/runner.h"

namespace qahan {

AttentionQubos buildAttentionQubos(const AttentionInput& in, unsigned threads) {
  const size_t B = static_cast<size_t>(in.batch), N = static_cast<size_t>(in.positions),
               C = static_cast<size_t>(in.channels);
  AttentionQubos out;
  out.linear.assign(B * N, 0.0);
  out.dense.assign(B * N * N, 0.0);
  out.offset.assign(B, in.gamma * in.k * in.k);
  const double lin = in.gamma * (1.0 - 2.0 * in.k);
  const double pair = 2.0 * in.gamma;
  parallelFor(B, threads, [&](size_t b) {
    for (size_t i = 0; i < N; ++i) out.linear[b * N + i] = -in.scores[b * N + i] + lin;
    double* Q = out.dense.data() + b * N * N;
    if (!in.similarity.empty()) {
      const double* S = in.similarity.data() + b * N * N;
      for (size_t i = 0; i < N; ++i)
        for (size_t j = i + 1; j < N; ++j) Q[i * N + j] = in.lambda * S[i * N + j] + pair;
    } else {
      // Rows scaled by their largest |entry| first, so huge features cannot overflow the dot products.
      std::vector<double> F(in.features.begin() + b * N * C, in.features.begin() + (b + 1) * N * C);
      std::vector<double> norm(N);
      for (size_t i = 0; i < N; ++i) {
        double m = 0;
        for (size_t c = 0; c < C; ++c) m = std::fmax(m, std::fabs(F[i * C + c]));
        double s = 0;
        if (m > 0)
          for (size_t c = 0; c < C; ++c) {
            F[i * C + c] /= m;
            s += F[i * C + c] * F[i * C + c];
          }
        norm[i] = std::sqrt(s);
      }
      for (size_t i = 0; i < N; ++i)
        for (size_t j = i + 1; j < N; ++j) {
          double sim = 0.0;
          if (norm[i] > 0 && norm[j] > 0) {
            double d = 0;
            for (size_t c = 0; c < C; ++c) d += F[i * C + c] * F[j * C + c];
            sim = d / (norm[i] * norm[j]);
          }
          Q[i * N + j] = in.lambda * sim + pair;
        }
    }
  });
  return out;
}

}  // namespace qahan
