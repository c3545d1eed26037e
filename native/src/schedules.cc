#include "qahan/schedules.h"

#include <algorithm>
#include <cmath>

namespace qahan {

std::vector<double> betaSchedule(double hot, double cold, int sweeps, bool geometric) {
  std::vector<double> b(static_cast<size_t>(std::max(sweeps, 0)));
  if (sweeps == 1) {
    b[0] = cold;
    return b;
  }
  for (int t = 0; t < sweeps; ++t) {
    const double a = static_cast<double>(t) / (sweeps - 1);
    b[t] = geometric ? hot * std::pow(cold / hot, a) : hot + (cold - hot) * a;
  }
  if (sweeps > 1) b[sweeps - 1] = cold;
  return b;
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

std::vector<double> gammaSchedule(double g0, double g1, int sweeps, bool geometric) {
  // Same shape as betaSchedule, but a single sweep sits at the start value.
  std::vector<double> g(static_cast<size_t>(std::max(sweeps, 0)));
  if (sweeps == 1) {
    g[0] = g0;
    return g;
  }
  for (int t = 0; t < sweeps; ++t) {
    const double a = static_cast<double>(t) / (sweeps - 1);
    g[t] = geometric ? g0 * std::pow(g1 / g0, a) : g0 + (g1 - g0) * a;
  }
  if (sweeps > 1) g[sweeps - 1] = g1;
  return g;
}

double jperp(double beta, double gamma, int P) {
  if (P <= 1) return 0.0;
  const double x = beta * gamma / P;
  if (!(x > 0.0)) return kMaxJperp;
  const double t = std::tanh(x);
  if (!(t > 0.0)) return kMaxJperp;
  return std::min(kMaxJperp, -0.5 * std::log(t));
}

std::vector<SqaStep> sqaSteps(double beta, int P, const std::vector<double>& gammas) {
  std::vector<SqaStep> out;
  out.reserve(gammas.size());
  for (double g : gammas) out.push_back({beta / P, jperp(beta, g, P), g, beta});
  return out;
}

std::vector<SqaStep> sqaStepsS(double beta, int P, double gamma0, const std::vector<double>& s) {
  std::vector<SqaStep> out;
  out.reserve(s.size());
  for (double si : s) {
    const double g = (1.0 - si) * gamma0;
    out.push_back({si * beta / P, jperp(beta, g, P), g, si * beta});
  }
  return out;
}

}  // namespace qahan
