// qahan/schedules.h - per-sweep annealing schedules.
//
// SA: beta_t for t = 0..S-1 from [hot, cold], geometric (beta_t = hot (cold/hot)^(t/(S-1))) or linear;
// S = 1 gives just the cold end. The default range follows dwave-samplers: flipping a spin changes the
// energy by 2|f_i|, so
//   hot  = ln 2 / (2 max_i (|h_i| + sum_j |J_ij|))   (the hardest flip accepted about half the time),
//   cold = ln 100 / (2 min nonzero |h_i|, |J_ij|)    (the smallest gap accepted about 1% of the time),
// in spin form. An all-zero model gets [0.1, 1]; cold is never below hot.
//
// SQA: one (w, Jperp) pair per sweep, w = weight of Hp per slice (beta/P, or s beta/P in s-form) and
// Jperp = -(1/2) ln tanh(beta Gamma / P) with Gamma the transverse field of that sweep ((1-s) Gamma0 in
// s-form). Gamma -> 0 (s -> 1) makes Jperp diverge; it is clamped to kMaxJperp, which freezes the
// Trotter chains just the same. P = 1 has no inter-slice coupling (Jperp = 0).
#pragma once
#include <memory>
#include <utility>
#include <vector>

#include "qahan/problem.h"

namespace qahan {

constexpr double kMaxJperp = 1e3;

// A per-sweep value, evaluated on demand (a 2^31-sweep schedule costs no memory): either explicit
// values or a geometric/linear ramp from `a` to `b` over `sweeps` sweeps.
struct Ramp {
  std::shared_ptr<const std::vector<double>> values;  // explicit schedule when set (shared, not copied)
  double a = 0, b = 0;
  bool geometric = false;
  bool singleAtEnd = true;  // a one-sweep ramp sits at b (beta: the cold end) or at a (Gamma: the start)
  size_t sweeps = 0;

  size_t size() const { return values ? values->size() : sweeps; }
  double at(size_t t) const;
  double front() const { return at(0); }
  double back() const { return at(size() - 1); }
};

Ramp explicitRamp(std::vector<double> values);
Ramp betaSchedule(double hot, double cold, size_t sweeps, bool geometric);
Ramp gammaSchedule(double g0, double g1, size_t sweeps, bool geometric);
std::pair<double, double> defaultBetaRange(const Problem& p);
// The same rule for pair-swap moves that keep k spins at +1 (see moves.h): a penalty on the number of
// ones cancels out of every swap, so the range comes from the swaps' own energy changes, measured at a
// few fixed pseudo-random k-states (all pairs when there are at most 2^16, else 2^16 random pairs):
// hot = ln 2 / max |dE|, cold = ln 100 / min nonzero |dE| (changes below 1e-9 max |dE| count as ties).
// Deterministic: it depends on the problem and k only.
std::pair<double, double> defaultSwapBetaRange(const Problem& p, int k);
double jperp(double beta, double gamma, int P);

struct SqaStep {
  double w;      // weight of Hp in each slice
  double jperp;  // inter-slice coupling
  double gamma;  // effective transverse field (for reporting)
  double beta;   // effective beta of Hp (beta, or s beta)
};

// The SQA schedule: a Gamma ramp, or (sForm) an s ramp with Gamma_eff = (1 - s) gamma0.
struct SqaSchedule {
  Ramp ramp;
  bool sForm = false;
  double beta = 1, gamma0 = 0;
  int P = 1;
  size_t size() const { return ramp.size(); }
  SqaStep at(size_t t) const;
};

}  // namespace qahan
