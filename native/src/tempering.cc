#include "qahan/tempering.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <numeric>
#include <type_traits>

#include "qahan/rng.h"
#include "qahan/schedules.h"

namespace qahan {

namespace {

using Clock = std::chrono::steady_clock;

inline bool flagSet(const CancelFlag& c) { return c && c->load(std::memory_order_relaxed); }
inline bool stopRequested(const BatchOptions& o) { return flagSet(o.cancel) || flagSet(o.abort); }

// exp(-x) is below a double uniform's resolution beyond this: reject without drawing.
constexpr double kNeverAbove = 37.5;

// Field updates and neighbour lists over the spin form. Dense models use their double matrix for
// fields; neighbour lists (cluster growth) are the nonzero couplings, built once per model.
struct Graph {
  int n = 0;
  bool dense = false;
  const double* J = nullptr;  // dense n x n
  const uint32_t* rowPtr = nullptr;
  const uint32_t* col = nullptr;
  const double* val = nullptr;
  // Nonzero neighbours (for cluster growth), both storages.
  std::vector<uint32_t> nbPtr, nb;
  const double* h = nullptr;
  double c = 0.0;
  bool zeroField = false;  // every h_i == 0: E(-s) = E(s)

  explicit Graph(const Problem& p, bool needNeighbours) : n(p.n), dense(p.dense), h(p.h.data()), c(p.c) {
    if (dense) {
      J = p.J.data();
      if (needNeighbours) {
        nbPtr.assign(static_cast<size_t>(n) + 1, 0);
        for (int i = 0; i < n; ++i) {
          const double* r = J + static_cast<size_t>(i) * n;
          for (int j = 0; j < n; ++j)
            if (j != i && r[j] != 0.0) nb.push_back(static_cast<uint32_t>(j));
          nbPtr[i + 1] = static_cast<uint32_t>(nb.size());
        }
      }
    } else {
      rowPtr = p.rowPtr.data();
      col = p.colIdx.data();
      val = p.val.data();
      if (needNeighbours) {
        nbPtr.assign(static_cast<size_t>(n) + 1, 0);
        for (int i = 0; i < n; ++i) {
          for (uint32_t k = rowPtr[i]; k < rowPtr[i + 1]; ++k)
            if (val[k] != 0.0) nb.push_back(col[k]);
          nbPtr[i + 1] = static_cast<uint32_t>(nb.size());
        }
      }
    }
    zeroField = std::all_of(p.h.begin(), p.h.end(), [](double v) { return v == 0.0; });
    detectIntegral(p);
  }
  // Sparse integral models with |fields| < 2^15 keep their fields in int16 (a quarter of the memory per
  // replica, so a ladder of chains stays in cache): the couplings as int16 too.
  std::vector<int16_t> ival;
  bool int16Fields() const { return !ival.empty(); }
  // f_j += d * J_ij for every j (d = -2 s_i(old)), int16 fields.
  inline void flip(int16_t* __restrict__ f, int i, int d) const {
    const uint32_t e = rowPtr[i + 1];
    const int16_t* __restrict__ v = ival.data();
    for (uint32_t k = rowPtr[i]; k < e; ++k) f[col[k]] = static_cast<int16_t>(f[col[k]] + d * v[k]);
  }
  // f_j += d * J_ij for every j (d = -2 s_i(old)).
  inline void flip(double* __restrict__ f, int i, double d) const {
    if (dense) {
      const double* __restrict__ r = J + static_cast<size_t>(i) * n;
      for (int j = 0; j < n; ++j) f[j] += d * r[j];
    } else {
      const uint32_t e = rowPtr[i + 1];
      for (uint32_t k = rowPtr[i]; k < e; ++k) f[col[k]] += d * val[k];
    }
  }
  // Integer h and J with a small largest field: the local fields stay integers (exact in double), so an
  // uphill flip's exp(-beta dE) comes from a per-temperature table indexed by |f_i| (see Acceptance).
  int maxIntField = 0;  // 0: not integral (or fields too large for a table)
  void detectIntegral(const Problem& p) {
    const auto whole = [](double v) { return v == std::floor(v) && std::fabs(v) <= 1e6; };
    for (double v : p.h)
      if (!whole(v)) return;
    if (dense) {
      for (size_t k = 0, e = static_cast<size_t>(n) * n; k < e; ++k)
        if (!whole(J[k])) return;
    } else {
      for (double v : p.val)
        if (!whole(v)) return;
    }
    const double m = p.maxAbsField();
    if (m >= 1.0 && m <= 1 << 16) maxIntField = static_cast<int>(m);
    if (maxIntField && !dense && m < 32767.0 && !p.val.empty()) {
      ival.resize(p.val.size());
      for (size_t k = 0; k < p.val.size(); ++k) ival[k] = static_cast<int16_t>(p.val[k]);
    }
  }
  // E = c + (sum s h + sum s f) / 2, from the kept fields.
  template <class F>
  double energy(const int8_t* s, const F* f) const {
    double a = 0.0;
    for (int i = 0; i < n; ++i) a += s[i] * (h[i] + f[i]);
    return c + 0.5 * a;
  }
};

// One replica: spins, local fields (double, or int16 on small-integer sparse models) and energy.
template <class F>
struct ChainT {
  std::vector<int8_t> s;
  std::vector<F> f;
  double E = 0.0;
};
using Chain = ChainT<double>;

void randomSpins(int8_t* s, int n, Rng& rng) {
  for (int i = 0; i < n;) {
    uint64_t bits = rng.next();
    for (int k = 0; k < 64 && i < n; ++k, ++i, bits >>= 1) s[i] = (bits & 1) ? 1 : -1;
  }
}

// One Metropolis sweep at beta; returns the energy change.
double metropolisSweep(const Graph& g, Chain& ch, double beta, Rng& rng) {
  int8_t* __restrict__ s = ch.s.data();
  double* __restrict__ f = ch.f.data();
  double dEsum = 0.0;
  for (int i = 0; i < g.n; ++i) {
    const int si = s[i];
    const double dE = -2.0 * si * f[i];
    if (dE > 0.0) {
      const double x = beta * dE;
      if (x > kNeverAbove || !(rng.uniform() < std::exp(-x))) continue;
    }
    s[i] = static_cast<int8_t>(-si);
    g.flip(f, i, -2.0 * si);
    dEsum += dE;
  }
  return dEsum;
}

// The same sweep on integral models: tab[m] = exp(-beta * 2m) * 2^53 for an uphill flip against a field of
// size m (dE = 2m), or -1 where beta * 2m > kNeverAbove (reject without a draw). u < exp(-x) 2^53 with u the
// 53-bit integer behind rng.uniform() is the same test as uniform() < exp(-x) (scaling by 2^53 is exact),
// so this sweep makes exactly the moves and draws of metropolisSweep, without an exp per attempt.
// With int16 fields the same values go through integer arithmetic (exact either way).
template <class F>
double metropolisSweepTable(const Graph& g, ChainT<F>& ch, const double* tab, Rng& rng) {
  int8_t* __restrict__ s = ch.s.data();
  F* __restrict__ f = ch.f.data();
  double dEsum = 0.0;
  for (int i = 0; i < g.n; ++i) {
    const int si = s[i];
    const double dE = -2.0 * si * static_cast<double>(f[i]);
    if (dE > 0.0) {
      const double t = tab[static_cast<int>(-si * f[i])];
      if (t < 0.0 || !(static_cast<double>(rng.next() >> 11) < t)) continue;
    }
    s[i] = static_cast<int8_t>(-si);
    g.flip(f, i, static_cast<F>(-2 * si));
    dEsum += dE;
  }
  return dEsum;
}

// Per-temperature tables for metropolisSweepTable: R rows of maxIntField + 1 entries. itab holds the same
// tests as integer thresholds: for a 53-bit integer u and t > 0, u < t exactly when u < ceil(t); 0 where
// tab is -1 (a drawable t is at least 2^53 e^-37.5 > 0.4, so its ceiling is at least 1).
void acceptanceTables(const std::vector<double>& betas, int M, std::vector<double>& tab, std::vector<uint64_t>& itab) {
  tab.assign(betas.size() * static_cast<size_t>(M + 1), -1.0);
  itab.assign(tab.size(), 0);
  for (size_t k = 0; k < betas.size(); ++k)
    for (int m = 1; m <= M; ++m) {
      const double x = betas[k] * (2.0 * m);
      const size_t at = k * (M + 1) + m;
      tab[at] = x > kNeverAbove ? -1.0 : std::exp(-x) * 0x1.0p53;
      itab[at] = tab[at] < 0.0 ? 0 : static_cast<uint64_t>(std::ceil(tab[at]));
    }
}

// The int16 sweep in integer arithmetic: the same draws and moves as metropolisSweepTable (and so as
// metropolisSweep), without the int-to-double conversions per attempt.
double metropolisSweepInt16(const Graph& g, ChainT<int16_t>& ch, const uint64_t* thr, Rng& rng) {
  int8_t* __restrict__ s = ch.s.data();
  int16_t* __restrict__ f = ch.f.data();
  const uint32_t* __restrict__ rp = g.rowPtr;
  const uint32_t* __restrict__ col = g.col;
  const int16_t* __restrict__ v = g.ival.data();
  int64_t dEsum = 0;
  for (int i = 0; i < g.n; ++i) {
    const int si = s[i];
    const int m = -si * f[i];  // dE = 2m
    if (m > 0) {
      const uint64_t t = thr[m];
      if (t == 0 || (rng.next() >> 11) >= t) continue;
    }
    s[i] = static_cast<int8_t>(-si);
    const int d = -2 * si;
    const uint32_t e = rp[i + 1];
    for (uint32_t k = rp[i]; k < e; ++k) f[col[k]] = static_cast<int16_t>(f[col[k]] + d * v[k]);
    dEsum += 2 * m;
  }
  return static_cast<double>(dEsum);
}

// Houdayer's move between chains a and b (same temperature). Returns the cluster size (0: none).
// The cluster is grown first and flipped after (membership reads whether a.s[j] and b.s[j] differ, which
// flipping a site in both chains leaves unchanged, so the order does not matter). When it is more than
// half of the set it was grown in, the rest of the set is flipped and `whole` is set: the caller then
// exchanges the two chains (see below; a whole set costs O(1) rather than O(cluster * degree)).
// Without fields (h = 0: the Chimera glasses, max-cut) E(-s) = E(s), so the agreement set serves as well:
// flipping an agreement cluster in a and b is Houdayer's move between a and -b. The smaller of the two sets
// is used there. Two independent cold replicas agree on either nearly all sites or nearly none (overlap
// +-q), so the disagreement set alone would be half the system on average and percolate: one costly,
// useless flip of most of it. The choice depends only on which sites agree, which the move keeps, so the
// move stays its own reverse with the same probability.
template <class F>
int houdayerMove(const Graph& g, ChainT<F>& a, ChainT<F>& b, Rng& rng, std::vector<int>& diff, std::vector<uint8_t>& in,
                 std::vector<int>& cluster, bool& whole) {
  whole = false;
  const int8_t* sa = a.s.data();
  const int8_t* sb = b.s.data();
  const int n = g.n;
  int nd = 0;
  for (int i = 0; i < n; ++i) nd += sa[i] != sb[i];
  // want: the membership value of (sa[j] != sb[j]) for the set the cluster grows in.
  const bool want = !(g.zeroField && 2 * nd > n);
  const int size0 = want ? nd : n - nd;
  if (size0 == 0) return 0;
  // in[j] = 1: j is in the set and not yet in the cluster.
  uint8_t* __restrict__ inS = in.data();
  int* __restrict__ set = diff.data();  // the set's sites, appended without a branch
  int m = 0;
  for (int i = 0; i < n; ++i) {
    const uint8_t c = static_cast<uint8_t>((sa[i] != sb[i]) == want);
    inS[i] = c;
    set[m] = i;
    m += c;
  }
  const int seed = set[rng.below(static_cast<uint32_t>(m))];
  // Breadth-first growth in the cluster array itself, without a branch per neighbour (whether a neighbour
  // joins is a coin flip to the branch predictor): each is written at the tail, which advances if it joined.
  int* __restrict__ cl = cluster.data();
  const uint32_t* __restrict__ nbp = g.nbPtr.data();
  const uint32_t* __restrict__ nb = g.nb.data();
  cl[0] = seed;
  inS[seed] = 0;
  int head = 0, tail = 1;
  while (head < tail) {
    const int i = cl[head++];
    for (uint32_t k = nbp[i], e = nbp[i + 1]; k < e; ++k) {
      const int j = static_cast<int>(nb[k]);
      const uint8_t c = inS[j];
      inS[j] = 0;
      cl[tail] = j;
      tail += c;
    }
  }
  const int size = tail;
  // Flipping all of the set exchanges the two states (up to the global flip when it is the agreement set,
  // a symmetry then), and both chains are at one temperature: so flipping the cluster is the same move as
  // exchanging the chains and flipping the rest of the set (the sites still marked in). Flip whichever is
  // smaller (`whole`: the caller exchanges the chains); a percolating cluster then costs its small complement.
  whole = 2 * size > size0;
  int count = size;
  if (whole) {
    count = 0;
    for (int q = 0; q < m; ++q) {
      cl[count] = set[q];
      count += inS[set[q]];
    }
  }
  for (int q = 0; q < count; ++q) {
    const int i = cl[q];
    // One site at a time, so each step's energy change is the single-flip one.
    const int va = a.s[i], vb = b.s[i];
    a.E += -2.0 * va * static_cast<double>(a.f[i]);
    b.E += -2.0 * vb * static_cast<double>(b.f[i]);
    a.s[i] = static_cast<int8_t>(-va);
    b.s[i] = static_cast<int8_t>(-vb);
    g.flip(a.f.data(), i, static_cast<F>(-2 * va));
    g.flip(b.f.data(), i, static_cast<F>(-2 * vb));
  }
  return size;
}

struct ReadResult {
  double timeToBestMs = 0.0;
  int64_t sweeps = 0;
  std::vector<double> betas;
  std::vector<uint64_t> attempts, accepts;
  uint64_t clusters = 0, clusterSpins = 0;
};

// Moves the inner betas so that every neighbour pair has the same swap acceptance: the new spacing of
// pair k is proportional to its old spacing times (its acceptance relative to the mean), kept ascending.
void equaliseLadder(std::vector<double>& betas, const std::vector<uint64_t>& att, const std::vector<uint64_t>& acc) {
  const int R = static_cast<int>(betas.size());
  if (R < 3) return;
  std::vector<double> rate(R - 1), gap(R - 1);
  double mean = 0.0;
  for (int k = 0; k < R - 1; ++k) {
    rate[k] = att[k] ? (acc[k] + 0.5) / (att[k] + 1.0) : 0.5;
    mean += rate[k];
  }
  mean /= (R - 1);
  // Work in log beta (the geometric ladder is uniform there).
  double total = 0.0;
  for (int k = 0; k < R - 1; ++k) {
    const double lg = std::log(betas[k + 1] / betas[k]);
    gap[k] = lg * std::clamp(rate[k] / mean, 0.25, 4.0);
    total += gap[k];
  }
  const double span = std::log(betas[R - 1] / betas[0]);
  double x = std::log(betas[0]);
  for (int k = 0; k < R - 2; ++k) {
    x += gap[k] * span / total;
    betas[k + 1] = std::exp(x);
  }
}

template <class F>
void temperingRead(const Problem& p, const Graph& g, const TemperingOptions& o, Rng& rng, const BatchOptions& opt,
                   Clock::time_point t0, int8_t* best, ReadResult& res, int8_t* replicaOut, std::atomic<bool>* reached) {
  const int n = p.n;
  std::vector<double> betas = o.betas;
  const int R = static_cast<int>(betas.size());
  const int C = o.clusterMoves ? 2 : 1;
  using Ch = ChainT<F>;
  std::vector<Ch> chains(static_cast<size_t>(R) * C);
  // slot[c * R + k]: the chain at temperature k of ladder c.
  std::vector<int> slot(static_cast<size_t>(R) * C);
  std::vector<double> scratch(n);
  for (int c = 0; c < C; ++c)
    for (int k = 0; k < R; ++k) {
      Ch& ch = chains[c * R + k];
      ch.s.resize(n);
      ch.f.resize(n);
      randomSpins(ch.s.data(), n, rng);
      p.fields(ch.s.data(), scratch.data());
      for (int i = 0; i < n; ++i) ch.f[i] = static_cast<F>(scratch[i]);
      ch.E = g.energy(ch.s.data(), ch.f.data());
      slot[c * R + k] = c * R + k;
    }
  double bestE = chains[0].E;
  std::copy(chains[0].s.begin(), chains[0].s.end(), best);
  const double tol = 1e-9 * std::max(1.0, std::fabs(bestE));
  res.attempts.assign(R > 1 ? R - 1 : 0, 0);
  res.accepts.assign(R > 1 ? R - 1 : 0, 0);
  std::vector<int> diff(static_cast<size_t>(n) + 1), cluster(static_cast<size_t>(n) + 1);
  std::vector<uint8_t> in(n);
  const int clusterFrom = R / 2;  // the cold half: the disagreement clusters percolate when hot
  const bool timed = o.timeLimitSec > 0;
  // Adaptive ladder: tune on the first sweeps, then keep the ladder fixed.
  const int64_t tuneSweeps = o.adaptive && R > 2 ? std::min<int64_t>(o.numSweeps / 5, 4000) : 0;
  const int64_t tuneRounds = tuneSweeps >= 200 ? 4 : 0;
  std::vector<uint64_t> tAtt(R > 1 ? R - 1 : 0), tAcc(R > 1 ? R - 1 : 0);
  const int M = g.maxIntField;
  std::vector<double> tab;
  std::vector<uint64_t> itab;
  if (M) acceptanceTables(betas, M, tab, itab);
  for (int64_t t = 0; t < o.numSweeps; ++t) {
    if (stopRequested(opt)) throw Cancelled();
    if (timed && t > 0 && std::chrono::duration<double>(Clock::now() - t0).count() >= o.timeLimitSec) break;
    if (t > 0 && reached->load(std::memory_order_relaxed)) break;
    for (int c = 0; c < C; ++c)
      for (int k = 0; k < R; ++k) {
        Ch& ch = chains[slot[c * R + k]];
        const double* row = tab.data() + static_cast<size_t>(k) * (M + 1);
        if constexpr (std::is_same_v<F, double>)
          ch.E += M ? metropolisSweepTable(g, ch, row, rng) : metropolisSweep(g, ch, betas[k], rng);
        else
          ch.E += metropolisSweepInt16(g, ch, itab.data() + static_cast<size_t>(k) * (M + 1), rng);
      }
    if (C == 2) {
      for (int k = clusterFrom; k < R; ++k) {
        bool whole = false;
        const int sz = houdayerMove(g, chains[slot[k]], chains[slot[R + k]], rng, diff, in, cluster, whole);
        if (whole) std::swap(slot[k], slot[R + k]);
        if (sz) ++res.clusters, res.clusterSpins += sz;
      }
    }
    for (int c = 0; c < C; ++c)
      for (int k = 0; k + 1 < R; ++k) {
        Ch& lo = chains[slot[c * R + k]];
        Ch& hi = chains[slot[c * R + k + 1]];
        const double x = (betas[k] - betas[k + 1]) * (lo.E - hi.E);  // log acceptance ratio
        bool ok = x >= 0.0 || (x > -kNeverAbove && rng.uniform() < std::exp(x));
        ++res.attempts[k];
        if (t < tuneSweeps) ++tAtt[k];
        if (ok) {
          ++res.accepts[k];
          if (t < tuneSweeps) ++tAcc[k];
          std::swap(slot[c * R + k], slot[c * R + k + 1]);
        }
      }
    if (tuneRounds && t < tuneSweeps && (t + 1) % (tuneSweeps / tuneRounds) == 0) {
      equaliseLadder(betas, tAtt, tAcc);
      if (M) acceptanceTables(betas, M, tab, itab);
      std::fill(tAtt.begin(), tAtt.end(), 0);
      std::fill(tAcc.begin(), tAcc.end(), 0);
    }
    // Exact energies now and then (floating-point drift of the running sums; none with int16 fields).
    if constexpr (std::is_same_v<F, double>)
      if ((t & 255) == 255)
        for (auto& ch : chains) {
          p.fields(ch.s.data(), ch.f.data());
          ch.E = g.energy(ch.s.data(), ch.f.data());
        }
    for (auto& ch : chains)
      if (ch.E < bestE - tol) {
        bestE = ch.E;
        std::copy(ch.s.begin(), ch.s.end(), best);
        res.timeToBestMs = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      }
    ++res.sweeps;
    if (bestE <= o.targetEnergy + tol) reached->store(true);
    if (opt.progress) opt.progress->fetch_add(1, std::memory_order_relaxed);
  }
  for (int i = 0; i < n; ++i) best[i] = fromSpin(best[i], p.vartype);
  if (replicaOut)
    for (int k = 0; k < R; ++k) {
      const Ch& ch = chains[slot[k]];
      for (int i = 0; i < n; ++i) replicaOut[static_cast<size_t>(k) * n + i] = fromSpin(ch.s[i], p.vartype);
    }
  res.betas = betas;
}

}  // namespace

bool clusterMovesHelp(const Problem& p) {
  if (p.n < 2) return false;
  const double meanDegree = 2.0 * static_cast<double>(p.numCouplings()) / p.n;
  return !p.dense && meanDegree <= 8.0;
}

std::pair<double, double> defaultTemperingRange(const Problem& p) {
  const auto sa = defaultBetaRange(p);
  // SA's hot end (ln 2 over the largest field) is far into the paramagnet, where PT's hot rungs only
  // burn sweeps (swap acceptance ~0.9 there on the Chimera glasses and Gset). Half the inverse of the
  // RMS local field is still well above the mean-field transition (beta ~ 1 / rms field).
  double sum = 0.0;
  const size_t N = static_cast<size_t>(p.n);
  for (size_t i = 0; i < N; ++i) {
    double a = p.h[i] * p.h[i];
    if (p.dense) {
      for (size_t j = 0; j < N; ++j) a += p.J[i * N + j] * p.J[i * N + j];
    } else {
      for (uint32_t k = p.rowPtr[i]; k < p.rowPtr[i + 1]; ++k) a += p.val[k] * p.val[k];
    }
    sum += a;
  }
  const double rms = N ? std::sqrt(sum / static_cast<double>(N)) : 0.0;
  const double hot = rms > 0.0 ? std::min(std::max(sa.first, 0.5 / rms), sa.second) : sa.first;
  return {hot, sa.second};
}

int defaultNumReplicas(const Problem& p, double hot, double cold) {
  if (!(cold > hot) || p.n < 2) return 2;
  // Energy fluctuations grow as sqrt(n): keep about 0.25 sqrt(n) rungs per e-fold of beta.
  const double r = 0.25 * std::sqrt(static_cast<double>(p.n)) * std::log(cold / hot);
  return static_cast<int>(std::clamp(std::ceil(r), 8.0, 64.0));
}

std::vector<double> geometricLadder(double hot, double cold, int R) {
  std::vector<double> b(static_cast<size_t>(std::max(R, 1)));
  if (R <= 1) {
    b[0] = cold;
    return b;
  }
  for (int k = 0; k < R; ++k) b[k] = hot * std::pow(cold / hot, static_cast<double>(k) / (R - 1));
  b[R - 1] = cold;
  return b;
}

std::vector<TemperingOutput> runParallelTempering(const std::vector<const Problem*>& problems,
                                                  const std::vector<const Model*>& models,
                                                  const std::vector<TemperingOptions>& perModel,
                                                  const BatchOptions& opt) {
  const size_t B = problems.size();
  const int Rd = opt.numReads;
  const auto t0 = Clock::now();
  std::vector<TemperingOutput> out(B);
  std::vector<std::vector<ReadResult>> reads(B);
  std::vector<TemperingOptions> opts(perModel);
  std::vector<Graph> graphs;
  std::vector<std::unique_ptr<std::atomic<bool>>> reached;
  graphs.reserve(B);
  for (size_t b = 0; b < B; ++b) {
    TemperingOptions& o = opts[b];
    if (o.betas.empty()) o.betas = geometricLadder(o.betaHot, o.betaCold, o.numReplicas);
    const int n = problems[b]->n;
    graphs.emplace_back(*problems[b], o.clusterMoves);
    reached.emplace_back(new std::atomic<bool>(false));
    out[b].out.samples.assign(static_cast<size_t>(Rd) * n, 0);
    out[b].out.energies.assign(Rd, 0.0);
    out[b].timeToBestMs.assign(Rd, 0.0);
    out[b].sweepsDone.assign(Rd, 0);
    if (o.stats) out[b].replicaSamples.assign(static_cast<size_t>(Rd) * o.betas.size() * n, 0);
    reads[b].resize(Rd);
  }
  parallelFor(
      B * static_cast<size_t>(Rd), opt.threads,
      [&](size_t item) {
        const size_t b = item / Rd, r = item % Rd;
        const Problem& p = *problems[b];
        const size_t n = static_cast<size_t>(p.n);
        Rng rng(opt.seed, b, r);
        int8_t* dst = out[b].out.samples.data() + r * n;
        int8_t* rep = opts[b].stats ? out[b].replicaSamples.data() + r * opts[b].betas.size() * n : nullptr;
        if (graphs[b].int16Fields())
          temperingRead<int16_t>(p, graphs[b], opts[b], rng, opt, t0, dst, reads[b][r], rep, reached[b].get());
        else
          temperingRead<double>(p, graphs[b], opts[b], rng, opt, t0, dst, reads[b][r], rep, reached[b].get());
        out[b].out.energies[r] = models[b]->energy(dst);
      },
      opt.tick ? opt.tick : std::function<void()>([] {}), 100, [&opt] { return stopRequested(opt); });
  if (stopRequested(opt)) throw Cancelled();
  for (size_t b = 0; b < B; ++b) {
    TemperingOutput& o = out[b];
    const size_t pairs = opts[b].betas.size() > 1 ? opts[b].betas.size() - 1 : 0;
    o.swapAttempts.assign(pairs, 0);
    o.swapAccepts.assign(pairs, 0);
    o.betas = Rd > 0 ? reads[b][0].betas : opts[b].betas;
    for (int r = 0; r < Rd; ++r) {
      const ReadResult& rr = reads[b][r];
      o.timeToBestMs[r] = rr.timeToBestMs;
      o.sweepsDone[r] = rr.sweeps;
      for (size_t k = 0; k < pairs && k < rr.attempts.size(); ++k)
        o.swapAttempts[k] += rr.attempts[k], o.swapAccepts[k] += rr.accepts[k];
      o.clusterMoves += rr.clusters;
      o.clusterSpins += rr.clusterSpins;
    }
  }
  return out;
}

}  // namespace qahan
