#include "qahan/schedules.h"

#include <algorithm>
#include <cmath>

namespace qahan {

double Ramp::at(size_t t) const {
  if (values) return (*values)[t];
  if (sweeps <= 1) return singleAtEnd ? b : a;
  if (t + 1 >= sweeps) return b;
  const double x = static_cast<double>(t) / static_cast<double>(sweeps - 1);
  return geometric ? a * std::pow(b / a, x) : a + (b - a) * x;
}

Ramp explicitRamp(std::vector<double> values) {
  Ramp r;
  r.values = std::make_shared<const std::vector<double>>(std::move(values));
  return r;
}

Ramp betaSchedule(double hot, double cold, size_t sweeps, bool geometric) {
  Ramp r;
  r.a = hot;
  r.b = cold;
  r.sweeps = sweeps;
  r.geometric = geometric;
  r.singleAtEnd = true;
  return r;
}

Ramp gammaSchedule(double g0, double g1, size_t sweeps, bool geometric) {
  Ramp r = betaSchedule(g0, g1, sweeps, geometric);
  r.singleAtEnd = false;
  return r;
}

std::pair<double, double> defaultBetaRange(const Problem& p) {
  const double maxField = p.maxAbsField();
  const double minGap = p.minNonzeroGap();
  if (!(maxField > 0.0) || !std::isfinite(minGap)) return {0.1, 1.0};
  const double hot = std::log(2.0) / (2.0 * maxField);
  double cold = std::log(100.0) / (2.0 * minGap);
  if (cold < hot) cold = hot;
  return {hot, cold};
}

double jperp(double beta, double gamma, int P) {
  if (P <= 1) return 0.0;
  const double x = beta * gamma / P;
  if (!(x > 0.0)) return kMaxJperp;
  const double t = std::tanh(x);
  if (!(t > 0.0)) return kMaxJperp;
  return std::min(kMaxJperp, -0.5 * std::log(t));
}

SqaStep SqaSchedule::at(size_t t) const {
  const double v = ramp.at(t);
  if (sForm) {
    const double g = (1.0 - v) * gamma0;
    return {v * beta / P, jperp(beta, g, P), g, v * beta};
  }
  return {beta / P, jperp(beta, v, P), v, beta};
}

}  // namespace qahan
