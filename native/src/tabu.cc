#include "qahan/tabu.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <tuple>

#include "qahan/rng.h"
#include "qahan/tempering.h"

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

// Keeps the phase's best among the elite when it is new and good enough; elite[0] stays the best.
void keepElite(std::vector<Elite>& elite, double phaseE, const std::vector<int8_t>& phaseBest, int eliteSize, double tol) {
  for (auto& e : elite)
    if (std::fabs(e.E - phaseE) <= tol && e.s == phaseBest) return;
  if (static_cast<int>(elite.size()) < std::max(1, eliteSize)) {
    elite.push_back({phaseE, phaseBest});
  } else {
    auto worst = std::max_element(elite.begin(), elite.end(), [](const Elite& a, const Elite& b) { return a.E < b.E; });
    if (phaseE < worst->E) *worst = {phaseE, phaseBest};
  }
  auto top = std::min_element(elite.begin(), elite.end(), [](const Elite& a, const Elite& b) { return a.E < b.E; });
  std::iter_swap(elite.begin(), top);
}

struct ReadStats {
  double timeToBestMs = 0.0;
  int64_t restarts = 0;
};

// Sparse models with whole-number h and J: every one-flip change dE_i = -2 s_i f_i is an even integer in
// [-2M, 2M] (M the largest possible |field|), so the variables sit in buckets by dE and the best admissible
// flip is found from the lowest nonempty bucket upward instead of by scanning all n. A flip then costs
// O(degree) (its neighbours change bucket), which on 5,000-7,000-node graphs of degree 4-12 is ~1000x
// fewer operations than the O(n) scan. Admissible: not tabu, or dE below the aspiration bound; at most
// `tenure` variables are tabu, so the upward walk is short.
struct GainBuckets {
  int M = 0;                              // dE index = dE / 2 + M, in [0, 2M]
  std::vector<int> head, next, prev, at;  // lists per bucket; at[i]: i's bucket
  int lo = 0;                             // no nonempty bucket below lo
  void reset(int n, int maxField) {
    M = maxField;
    head.assign(2 * static_cast<size_t>(M) + 1, -1);
    next.assign(n, -1);
    prev.assign(n, -1);
    at.assign(n, 0);
    lo = 2 * M;
  }
  void insert(int i, int b) {
    at[i] = b;
    prev[i] = -1;
    next[i] = head[b];
    if (head[b] >= 0) prev[head[b]] = i;
    head[b] = i;
    if (b < lo) lo = b;
  }
  void remove(int i) {
    const int b = at[i];
    if (prev[i] >= 0) next[prev[i]] = next[i];
    else head[b] = next[i];
    if (next[i] >= 0) prev[next[i]] = prev[i];
  }
  void move(int i, int b) {
    if (at[i] == b) return;
    remove(i);
    insert(i, b);
  }
};

// Breakout local search (after Benlic and Hao's BLS for max-cut, 2013) on the gain buckets. Each step of a
// phase descends to a local minimum by steepest one-flip moves (the lowest bucket while its dE < 0), then
// perturbs it by L moves: directed (the best non-tabu flip, aspiration by the read's best; a flipped
// variable is tabu for a random 3..tenure moves) with probability max(exp(-w / T), P0), else random flips;
// w counts the local minima since the phase last improved. L grows by one while the search falls back
// into the local minimum it just left (same energy and state hash), else resets to L0 = n / 100. A phase
// ends after T local minima without improving its best (BLS's strong perturbation); the next starts from an
// elite state (the best half the time) with 2-10% of its variables flipped.
constexpr int kBreakoutStall = 1000;  // T: local minima without improvement before a phase ends
constexpr double kDirectedFloor = 0.8;  // P0: least probability of a directed perturbation
constexpr uint32_t kTieSample = 8;      // directed move: drawn among this many admissible equal-best flips

struct AnnealPlan {
  int64_t sweeps = 0;  // 0: phases restart from elite states instead
  double hot = 0.0, cold = 0.0;
};

void tabuReadBuckets(const Problem& p, const TabuOptions& o, int tenure, int64_t stallMax, const int8_t* init, Rng& rng,
                     const BatchOptions& opt, Clock::time_point t0, int8_t* out, ReadStats& st, std::atomic<bool>* reached,
                     int maxField, const AnnealPlan& plan) {
  const int n = p.n;
  const uint32_t* rp = p.rowPtr.data();
  const uint32_t* col = p.colIdx.data();
  std::vector<int> J(p.val.size());
  for (size_t k = 0; k < J.size(); ++k) J[k] = static_cast<int>(p.val[k]);
  std::vector<int8_t> s(n), best(n), phaseBest(n);
  std::vector<int> f(n);
  std::vector<double> fd(n);
  std::vector<int64_t> tabuUntil(n, 0);
  // Zobrist keys: a state's hash is the xor of the keys of its +1 spins, kept per flip; it tells a return
  // to the same local minimum from another of equal energy.
  std::vector<uint64_t> key(n);
  for (int i = 0; i < n; ++i) key[i] = rng.next();
  uint64_t hash = 0;
  GainBuckets bk;
  if (init) {
    for (int i = 0; i < n; ++i) s[i] = toSpin(init[i], p.vartype);
  } else {
    for (int i = 0; i < n;) {
      uint64_t bits = rng.next();
      for (int k = 0; k < 64 && i < n; ++k, ++i, bits >>= 1) s[i] = (bits & 1) ? 1 : -1;
    }
  }
  // Fields (h_i + sum_j J_ij s_j) as integers, the energy less the offset (a whole number), the hash and
  // the buckets, from s.
  int64_t E = 0;
  auto rebuild = [&] {
    p.fields(s.data(), fd.data());
    E = static_cast<int64_t>(std::llround(energyFromFields(p, s.data(), fd.data()) - p.c));
    bk.reset(n, maxField);
    hash = 0;
    for (int i = 0; i < n; ++i) {
      f[i] = static_cast<int>(fd[i]);
      bk.insert(i, -s[i] * f[i] + maxField);
      if (s[i] > 0) hash ^= key[i];
    }
  };
  auto flip = [&](int i) {
    const int si = s[i];
    E += -2 * si * f[i];
    s[i] = static_cast<int8_t>(-si);
    hash ^= key[i];
    bk.move(i, si * f[i] + maxField);
    const int d = -2 * si;
    for (uint32_t k = rp[i]; k < rp[i + 1]; ++k) {
      const int j = static_cast<int>(col[k]);
      f[j] += d * J[k];
      bk.move(j, -s[j] * f[j] + maxField);
    }
  };
  auto lowest = [&] {
    while (bk.head[bk.lo] < 0) ++bk.lo;
    return bk.lo;
  };
  rebuild();
  int64_t bestE = std::numeric_limits<int64_t>::max();
  best = s;
  std::vector<Elite> elite;
  const bool timed = o.timeLimitSec > 0;
  auto timeUp = [&] { return timed && std::chrono::duration<double>(Clock::now() - t0).count() >= o.timeLimitSec; };
  auto done = [&] { return reached->load(std::memory_order_relaxed); };
  const int L0 = std::max(1, n / 100), Lmax = std::max(L0, n / 10);
  const int tenureLo = std::min(3, tenure);
  const double target = o.targetEnergy - p.c;
  int64_t iter = 0, minima = 0;
  bool stop = false;
  // Metropolis sweeps in index order over a geometric beta ramp from a random state (fields kept as
  // integers, no buckets; rebuild() after). A flip against the field, dE = 2k > 0, is taken when a random
  // word is below thr[k] = exp(-2 beta k) 2^64, so only such flips draw. False when the time ran out.
  std::vector<uint64_t> thr(static_cast<size_t>(maxField) + 1, 0);
  auto anneal = [&]() -> bool {
    for (int i = 0; i < n;) {
      uint64_t bits = rng.next();
      for (int k = 0; k < 64 && i < n; ++k, ++i, bits >>= 1) s[i] = (bits & 1) ? 1 : -1;
    }
    p.fields(s.data(), fd.data());
    for (int i = 0; i < n; ++i) f[i] = static_cast<int>(fd[i]);
    const int64_t S = plan.sweeps;
    for (int64_t t = 0; t < S; ++t) {
      if ((t & 15) == 0) {
        if (stopRequested(opt)) throw Cancelled();
        if (timeUp() || done()) return false;
      }
      const double beta = S > 1 ? plan.hot * std::pow(plan.cold / plan.hot, static_cast<double>(t) / static_cast<double>(S - 1)) : plan.cold;
      int kmax = 0;
      for (int k = 1; k <= maxField; ++k) {
        const double pr = std::exp(-2.0 * beta * k);
        if (pr < 0x1p-62) break;
        thr[k] = pr >= 1.0 - 0x1p-52 ? ~uint64_t(0) : static_cast<uint64_t>(std::ldexp(pr, 64));
        kmax = k;
      }
      for (int i = 0; i < n; ++i) {
        const int k = -s[i] * f[i];  // dE / 2
        if (k > 0 && (k > kmax || rng.next() >= thr[k])) continue;
        const int d = -2 * s[i];
        s[i] = static_cast<int8_t>(-s[i]);
        for (uint32_t e = rp[i]; e < rp[i + 1]; ++e) f[col[e]] += d * J[e];
      }
    }
    return true;
  };
  for (int64_t phase = 0; phase < o.numRestarts && !stop; ++phase) {
    if (phase > 0 && (timeUp() || done())) break;
    bool lastPhase = false;  // the anneal ran out of time: descend once, keep the result, stop
    if (plan.sweeps > 0 && (phase > 0 || !init)) {
      lastPhase = !anneal();
      rebuild();
      std::fill(tabuUntil.begin(), tabuUntil.end(), 0);
      iter = 0;
    } else if (phase > 0) {
      const Elite& e = rng.below(2) ? elite[0] : elite[rng.below(static_cast<uint32_t>(elite.size()))];
      s = e.s;
      const int lo = std::max(1, n / 50), hi = std::max(lo, n / 10);
      const int flips = lo + static_cast<int>(rng.below(static_cast<uint32_t>(hi - lo + 1)));
      for (int t = 0; t < flips; ++t) {
        const int i = static_cast<int>(rng.below(static_cast<uint32_t>(n)));
        s[i] = static_cast<int8_t>(-s[i]);
      }
      rebuild();
      std::fill(tabuUntil.begin(), tabuUntil.end(), 0);
      iter = 0;
    }
    int64_t phaseE = std::numeric_limits<int64_t>::max();
    int64_t stall = 0, prevE = std::numeric_limits<int64_t>::max();
    uint64_t prevHash = 0;
    int L = L0;
    for (;;) {
      // Steepest descent: bucket b holds dE = 2 (b - maxField), so b < maxField improves.
      for (int b = lowest(); b < maxField; b = lowest()) {
        flip(bk.head[b]);
        ++iter;
      }
      ++minima;
      if (E < phaseE) {
        phaseE = E;
        phaseBest = s;
        stall = 0;
        if (E < bestE) {
          bestE = E;
          best = s;
          st.timeToBestMs = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
          if (static_cast<double>(bestE) <= target + 1e-9 * std::max(1.0, std::fabs(target))) {
            reached->store(true);
            stop = true;
            break;
          }
        }
      } else if (++stall >= stallMax) {
        break;
      }
      if (lastPhase) {
        stop = true;
        break;
      }
      if ((minima & 63) == 0) {
        if (stopRequested(opt)) throw Cancelled();
        if (timeUp() || done()) {
          stop = true;
          break;
        }
      }
      L = (E == prevE && hash == prevHash) ? std::min(L + 1, Lmax) : L0;
      prevE = E;
      prevHash = hash;
      const double directed = std::max(std::exp(-static_cast<double>(stall) / static_cast<double>(stallMax)), kDirectedFloor);
      if (rng.uniform() < directed) {
        for (int t = 0; t < L; ++t) {
          const int64_t aspire = bestE - E;  // a tabu flip is admissible when dE < aspire
          // Among the first few admissible flips of the best bucket, one at random: the list heads are the
          // variables just changed, so always taking the head would keep perturbing one neighbourhood.
          int pick = -1;
          for (int b = lowest(); b <= 2 * maxField && pick < 0; ++b) {
            const bool aspires = 2 * static_cast<int64_t>(b - maxField) < aspire;
            uint32_t seen = 0;
            for (int i = bk.head[b]; i >= 0 && seen < kTieSample; i = bk.next[i])
              if (aspires || tabuUntil[i] <= iter)
                if (rng.below(++seen) == 0) pick = i;
          }
          if (pick < 0) pick = static_cast<int>(rng.below(static_cast<uint32_t>(n)));
          flip(pick);
          tabuUntil[pick] = iter + tenureLo + static_cast<int64_t>(rng.below(static_cast<uint32_t>(tenure - tenureLo + 1)));
          ++iter;
        }
      } else {
        for (int t = 0; t < L; ++t) {
          const int pick = static_cast<int>(rng.below(static_cast<uint32_t>(n)));
          flip(pick);
          tabuUntil[pick] = iter + tenureLo + static_cast<int64_t>(rng.below(static_cast<uint32_t>(tenure - tenureLo + 1)));
          ++iter;
        }
      }
    }
    ++st.restarts;
    if (phaseE != std::numeric_limits<int64_t>::max())
      keepElite(elite, static_cast<double>(phaseE), phaseBest, o.eliteSize, 0.5);
  }
  for (int i = 0; i < n; ++i) out[i] = fromSpin(best[i], p.vartype);
}

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
    keepElite(elite, phaseE, phaseBest, o.eliteSize, tol);
  }
  for (int i = 0; i < n; ++i) out[i] = fromSpin(best[i], p.vartype);
}

// The largest |field| when the gain buckets apply (sparse storage, whole-number h and J, a field bound small
// enough for a bucket array), else 0.
int bucketFieldOf(const Problem& p) {
  if (p.dense || p.n < 2) return 0;
  const auto whole = [](double v) { return v == std::floor(v) && std::fabs(v) <= 1e6; };
  if (!std::all_of(p.h.begin(), p.h.end(), whole) || !std::all_of(p.val.begin(), p.val.end(), whole)) return 0;
  const double m = p.maxAbsField();
  return m >= 1.0 && m <= (1 << 20) ? static_cast<int>(m) : 0;
}

}  // namespace

// The bucket path (large sparse graphs) needs a far longer tenure than 20 not to cycle: n / 10 measured
// best on Gset G55 (n = 5,000: 0.8% off at 5 s, against 1.9% at 100 and 0.9% at 1,000).
int defaultTenure(int n, bool buckets) { return std::max(0, std::max(std::min(20, n / 4), buckets ? n / 10 : 0)); }

// 12 n sweeps, within 20,000-100,000: longer anneals pay on larger graphs. With 2 threads and 10 s (seeds
// 2-3), on Gset G55-G64 (5,000-7,000 nodes, an anneal of 60,000 sweeps ~1-2 s of one core) the best of a
// few 60,000-sweep runs came closer to the best-known cut than the best of many shorter ones (15,000 or
// 30,000: G58 19,269 / 19,266 against 19,275, G63 27,009 / 26,999 against 27,018; 120,000 better on G63
// only), while on G39 (2,000 nodes, seeds 3-5) 30,000 sweeps reached the 0.1% mark in 3 of 3 calls, 60,000
// in 2 of 3.
int64_t defaultAnnealSweeps(int n) { return std::clamp<int64_t>(12 * static_cast<int64_t>(n), 20000, 100000); }

std::pair<double, double> annealBetaRange(const Problem& p) {
  // Twice PT's hot end: 1 / RMS field, about the mean-field transition. The anneal starts from a random
  // state anyway, and sweeps hotter than that only cost flips: on G56, G58, G63 and G64 (2 threads, 10 s,
  // seeds 2-5) starting at 0.5 / RMS ran half as many anneals and found the best cut of the runs less often
  // than 1 / RMS or 1.5 / RMS; 2.5 / RMS was worse again.
  const double hot = 2.0 * defaultTemperingRange(p).first;
  const double gap = p.minNonzeroGap();
  const double cold = std::isfinite(gap) && gap > 0.0 ? std::log(1e4) / (2.0 * gap) : 2.0 * hot;
  return {hot, std::max(cold, hot)};
}

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

  std::vector<int> bucketField(B, 0);
  std::vector<AnnealPlan> plans(B);
  for (size_t b = 0; b < B; ++b) {
    const int n = problems[b]->n;
    bucketField[b] = bucketFieldOf(*problems[b]);
    out[b].out.samples.assign(static_cast<size_t>(R) * n, 0);
    out[b].out.energies.assign(R, 0.0);
    out[b].tenure = tabu.tenure >= 0 ? std::min(tabu.tenure, std::max(0, n - 1)) : defaultTenure(n, bucketField[b] > 0);
    out[b].stallIterations = tabu.stallIterations > 0 ? tabu.stallIterations
                             : bucketField[b] > 0 ? kBreakoutStall
                                                  : defaultStallIterations(n);
    if (bucketField[b] > 0) {
      plans[b].sweeps = tabu.annealSweeps >= 0 ? tabu.annealSweeps : defaultAnnealSweeps(n);
      std::tie(plans[b].hot, plans[b].cold) = annealBetaRange(*problems[b]);
      out[b].annealSweeps = plans[b].sweeps;
    }
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
        if (bucketField[b] > 0)
          tabuReadBuckets(p, tabu, out[b].tenure, out[b].stallIterations, init, rng, opt, t0, dst, stats[b][r], reached[b].get(),
                          bucketField[b], plans[b]);
        else
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
