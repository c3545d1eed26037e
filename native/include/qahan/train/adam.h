// qahan/train/adam.h - one Adam step over a variable, its two moments and its gradient, with
// the operations and float32 roundings of tfjs's AdamOptimizer (each product, quotient, sum and square
// root rounded to float, no fused multiply-add), so it returns exactly what tfjs's dozen kernels do.
#pragma once
#include <cstddef>

namespace qahan {
namespace train {

struct AdamScalars {
  float beta1, oneMinusBeta1, beta2, oneMinusBeta2;
  float oneMinusAccBeta1, oneMinusAccBeta2;  // bias corrections of this step
  float epsilon, negLearningRate;
};

// m = m b1 + g (1 - b1); v = v b2 + g^2 (1 - b2); wOut = (m / c1) / (sqrt(v / c2) + eps) (-lr) + w.
// The moments are updated in place; the weights go to a new buffer (wOut may equal w).
void adamUpdate(const float* w, float* wOut, float* m, float* v, const float* g, std::size_t n, const AdamScalars& s);

}  // namespace train
}  // namespace qahan
