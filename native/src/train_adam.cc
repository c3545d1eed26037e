// Adam's update as tfjs computes it (qahan/train/adam.h). Contraction into fused multiply-adds is off
// here: it would change the roundings and so the trained weights.
#include "qahan/train/adam.h"

#include <cmath>

#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace qahan {
namespace train {

void adamUpdate(const float* w, float* wOut, float* m, float* v, const float* g, std::size_t n, const AdamScalars& s) {
  for (std::size_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float a = m[i] * s.beta1, b = gi * s.oneMinusBeta1;
    const float m1 = a + b;
    const float sq = gi * gi;
    const float c = v[i] * s.beta2, d = sq * s.oneMinusBeta2;
    const float v1 = c + d;
    const float mh = m1 / s.oneMinusAccBeta1, vh = v1 / s.oneMinusAccBeta2;
    const float den = std::sqrt(vh) + s.epsilon;
    const float step = (mh / den) * s.negLearningRate;
    m[i] = m1;
    v[i] = v1;
    wOut[i] = step + w[i];
  }
}

}  // namespace train
}  // namespace qahan
