#include "qahan/tabu.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "qahan/rng.h"

namespace qahan {

namespace {

using Clock = std::chrono::steady_clock;

inline bool flagSet(const CancelFlag& c) { return c && c->load(std::memory_order_relaxed); }
inline bool stopRequested(const BatchOptions& o) { return flagSet(o.cancel) || flagSet(o.abort); }

struct Elite {
  double E;
  std::vector<int8_t> s;
};

// f_j += d * J_ij over row i (d = -2 s_i(old)).
inline void flipFields(const Problem& p, double* __restrict__ f, int i, double d) {
  if (p.dense) {
    const double* __restrict__ r = p.J.data() + static_cast<size_t>(i) * p.n;
    const int n = p.n;
    for (int j = 0; j < n; ++j) f[j] += d * r[j];
  } else {
    const uint32_t e = p.rowPtr[i + 1];
    const uint32_t* col = p.colIdx.data();
    const double* val = p.val.data();
    for (uint32_t k = p.rowPtr[i]; k < e; ++k) f[col[k]] += d * val[k];
  }
}

double energyFromFields(const Problem& p, const int8_t* s, const double* f) {
  double a = 0.0;
  for (int i = 0; i < p.n; ++i) a += s[i] * (p.h[i] + f[i]);
  return p.c + 0.5 * a;
}

struct ReadStats {
  double timeToBestMs = 0.0;
  int64_t restarts = 0;
};

void tabuRead(const Problem& p, const TabuOptions& o, int tenure, int64_t stallMax, const int8_t* init, Rng& rng,
              const BatchOptions& opt, Clock::time_point t0, int8_t* out, ReadStats& st, std::atomic<bool>* reached) {
  const int n = p.n;
  std::vector<int8_t> s(n), best(n), phaseBest(n);
  std::vector<double> f(n);
  std::vector<int64_t> tabuUntil(n, 0);
  if (init) {
    for (int i = 0; i < n; ++i) s[i] = toSpin(init[i], p.vartype);
  } else {
    for (int i = 0; i < n;) {
      uint64_t bits = rng.next();
      for (int k = 0; k < 64 && i < n; ++k, ++i, bits >>= 1) s[i] = (bits & 1) ? 1 : -1;
    }
  }
  p.fields(s.data(), f.data());
  double E = energyFromFields(p, s.data(), f.data());
  double bestE = E;
  best = s;
  const double tol = 1e-9 * std::max(1.0, p.maxAbsField());
  std::vector<Elite> elite;
  const bool timed = o.timeLimitSec > 0;
  auto timeUp = [&] { return timed && std::chrono::duration<double>(Clock::now() - t0).count() >= o.timeLimitSec; };
  int64_t iter = 0;
  auto done = [&] { return reached->load(std::memory_order_relaxed); };
  for (int64_t phase = 0; phase < o.numRestarts; ++phase) {
    if (phase > 0) {
      if (timeUp() || done()) break;
      // Restart: a random elite state with a random 10-25% of its variables flipped.
      const Elite& e = elite[rng.below(static_cast<uint32_t>(elite.size()))];
      s = e.s;
      const int lo = std::max(1, n / 10), hi = std::max(lo, n / 4);
      const int flips = lo + static_cast<int>(rng.below(static_cast<uint32_t>(hi - lo + 1)));
      for (int t = 0; t < flips; ++t) {
        const int i = static_cast<int>(rng.below(static_cast<uint32_t>(n)));
        s[i] = static_cast<int8_t>(-s[i]);
      }
      p.fields(s.data(), f.data());
      E = energyFromFields(p, s.data(), f.data());
      std::fill(tabuUntil.begin(), tabuUntil.end(), 0);
      iter = 0;
    }
    double phaseE = E;
    phaseBest = s;
    int64_t stall = 0;
    while (stall < stallMax) {
      if ((iter & 255) == 0) {
        if (stopRequested(opt)) throw Cancelled();
        if (phase > 0 || iter > 0) {
          if (timeUp() || done()) break;
        }
      }
      ++iter;
      // The best admissible flip; ties broken uniformly at random.
      int pick = -1;
      double pickDE = 0.0;
      uint32_t ties = 0;
      const double aspire = bestE - tol - E;  // a tabu flip is admissible when dE < aspire
      for (int i = 0; i < n; ++i) {
        const double dE = -2.0 * s[i] * f[i];
        if (tabuUntil[i] >= iter && !(dE < aspire)) continue;
        if (pick < 0 || dE < pickDE - tol) {
          pick = i, pickDE = dE, ties = 1;
        } else if (dE <= pickDE + tol) {
          if (rng.below(++ties) == 0) pick = i, pickDE = dE;
        }
      }
      if (pick < 0) pick = static_cast<int>(rng.below(static_cast<uint32_t>(n))), pickDE = -2.0 * s[pick] * f[pick];
      const int si = s[pick];
      s[pick] = static_cast<int8_t>(-si);
      flipFields(p, f.data(), pick, -2.0 * si);
      E += pickDE;
      tabuUntil[pick] = iter + tenure;
      if (E < phaseE - tol) {
        phaseE = E;
        phaseBest = s;
        stall = 0;
        if (E < bestE - tol) {
          bestE = E;
          best = s;
          st.timeToBestMs = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
          if (bestE <= o.targetEnergy + tol) {
            reached->store(true);
            break;
          }
        }
      } else {
        ++stall;
      }
    }
    ++st.restarts;
    // Keep the phase's best among the elite when it is new and good enough.
    bool dup = false;
    for (auto& e : elite)
      if (std::fabs(e.E - phaseE) <= tol && e.s == phaseBest) {
        dup = true;
        break;
      }
    if (!dup) {
      if (static_cast<int>(elite.size()) < o.eliteSize) {
        elite.push_back({phaseE, phaseBest});
      } else {
        auto worst = std::max_element(elite.begin(), elite.end(), [](const Elite& a, const Elite& b) { return a.E < b.E; });
        if (phaseE < worst->E) *worst = {phaseE, phaseBest};
      }
    }
    if (elite.empty()) elite.push_back({phaseE, phaseBest});
  }
  for (int i = 0; i < n; ++i) out[i] = fromSpin(best[i], p.vartype);
}

}  // namespace

int defaultTenure(int n) { return std::max(0, std::min(20, n / 4)); }

int64_t defaultStallIterations(int n) { return std::clamp<int64_t>(static_cast<int64_t>(n) * 10, 1000, 50000); }

std::vector<TabuOutput> runTabuSearch(const std::vector<const Problem*>& problems, const std::vector<const Model*>& models,
                                      const TabuOptions& tabu, const BatchOptions& opt) {
  const size_t B = problems.size();
  const int R = opt.numReads;
  const auto t0 = Clock::now();
  std::vector<TabuOutput> out(B);
  std::vector<std::vector<ReadStats>> stats(B, std::vector<ReadStats>(R));
  std::vector<std::unique_ptr<std::atomic<bool>>> reached;
  for (size_t b = 0; b < B; ++b) reached.emplace_back(new std::atomic<bool>(false));
  for (size_t b = 0; b < B; ++b) {
    const int n = problems[b]->n;
    out[b].out.samples.assign(static_cast<size_t>(R) * n, 0);
    out[b].out.energies.assign(R, 0.0);
    out[b].tenure = tabu.tenure >= 0 ? std::min(tabu.tenure, std::max(0, n - 1)) : defaultTenure(n);
    out[b].stallIterations = tabu.stallIterations > 0 ? tabu.stallIterations : defaultStallIterations(n);
  }
  parallelFor(
      B * static_cast<size_t>(R), opt.threads,
      [&](size_t item) {
        const size_t b = item / R, r = item % R;
        const Problem& p = *problems[b];
        const size_t n = static_cast<size_t>(p.n);
        Rng rng(opt.seed, b, r);
        const int8_t* init = (b < opt.initial.size() && opt.initial[b]) ? opt.initial[b] + r * n : nullptr;
        int8_t* dst = out[b].out.samples.data() + r * n;
        if (n == 0) return;
        tabuRead(p, tabu, out[b].tenure, out[b].stallIterations, init, rng, opt, t0, dst, stats[b][r], reached[b].get());
        out[b].out.energies[r] = models[b]->energy(dst);
      },
      opt.tick ? opt.tick : std::function<void()>([] {}), 100, [&opt] { return stopRequested(opt); });
  if (stopRequested(opt)) throw Cancelled();
  for (size_t b = 0; b < B; ++b) {
    out[b].timeToBestMs.resize(R);
    out[b].restartsDone.resize(R);
    for (int r = 0; r < R; ++r) {
      out[b].timeToBestMs[r] = stats[b][r].timeToBestMs;
      out[b].restartsDone[r] = stats[b][r].restarts;
    }
  }
  return out;
}

}  // namespace qahan
