#include "qahan/schedules.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "qahan/rng.h"

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

std::pair<double, double> defaultSwapBetaRange(const Problem& p, int k) {
  const int n = p.n;
  if (k <= 0 || k >= n) return {0.1, 1.0};
  auto coupling = [&p](int i, int j) -> double {
    if (p.dense) return p.J[static_cast<size_t>(i) * p.n + j];
    double v = 0.0;
    for (uint32_t e = p.rowPtr[i]; e < p.rowPtr[i + 1]; ++e)
      if (static_cast<int>(p.colIdx[e]) == j) v += p.val[e];
    return v;
  };
  std::vector<int8_t> s(static_cast<size_t>(n));
  std::vector<int> order(static_cast<size_t>(n));
  std::vector<double> f(static_cast<size_t>(n));
  std::vector<int> in, out;
  double maxAbs = 0.0;
  std::vector<double> deltas;
  const uint64_t pairs = static_cast<uint64_t>(k) * static_cast<uint64_t>(n - k);
  constexpr uint64_t kMaxPairs = 1u << 16;
  for (int state = 0; state < 4; ++state) {
    Rng rng(0x5eedC0DEull, static_cast<uint64_t>(k), static_cast<uint64_t>(state));
    for (int i = 0; i < n; ++i) order[i] = i, s[i] = -1;
    for (int t = 0; t < k; ++t) {
      const int u = t + static_cast<int>(rng.below(static_cast<uint32_t>(n - t)));
      std::swap(order[t], order[u]);
      s[order[t]] = 1;
    }
    in.assign(order.begin(), order.begin() + k);
    out.assign(order.begin() + k, order.end());
    p.fields(s.data(), f.data());
    auto add = [&](int i, int j) {
      const double d = std::fabs(-2.0 * f[i] + 2.0 * f[j] - 4.0 * coupling(i, j));
      maxAbs = std::max(maxAbs, d);
      deltas.push_back(d);
    };
    if (pairs <= kMaxPairs) {
      for (int i : in)
        for (int j : out) add(i, j);
    } else {
      for (uint64_t t = 0; t < kMaxPairs; ++t)
        add(in[rng.below(static_cast<uint32_t>(k))], out[rng.below(static_cast<uint32_t>(n - k))]);
    }
  }
  if (!(maxAbs > 0.0) || !std::isfinite(maxAbs)) return {0.1, 1.0};
  double minGap = maxAbs;
  for (double d : deltas)
    if (d > 1e-9 * maxAbs && d < minGap) minGap = d;
  const double hot = std::log(2.0) / maxAbs;
  double cold = std::log(100.0) / minGap;
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
