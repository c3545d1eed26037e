// embedding.cc - the heuristic minor embedder (see qahan/embedding.h); tuning constants below.
//
// Each variable gets a chain grown from a root qubit by cheapest paths to its placed neighbours' chains:
// one Dijkstra per neighbour over the target (bounded by the best root found so far), where entering a
// qubit already used by c chains costs base^c and a free one 1 plus a crowding term. The root minimises the
// summed path costs; the chain is the root plus, per neighbour, the path from the chain qubit nearest that
// neighbour (so later paths branch off earlier ones). Repair rounds re-place the overlapping chains (or all
// of them, when overlaps are everywhere) with a growing base until the chains are disjoint; dense sources
// (cliques) instead tear out and re-place every chain each round, pruning the neighbours' tentacles
// first, with a base set by the fullest qubit (repairDense). Chain-length
// rounds then re-place each variable on free qubits only (unit costs), after dropping the qubits its
// neighbours held only to touch it; several equally cheap roots are tried, leaf qubits no coupling needs
// are trimmed, and the move stands when the variable and its neighbours use no more qubits than before.
#include "qahan/embedding.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "qahan/rng.h"

namespace qahan {

void buildCsr(int n, const std::vector<uint32_t>& edges, std::vector<int>& start, std::vector<int>& adj) {
  if (edges.size() % 2) throw std::out_of_range("edge list has an odd length");
  std::vector<std::pair<int, int>> pairs;
  pairs.reserve(edges.size());
  for (size_t e = 0; e < edges.size(); e += 2) {
    const uint32_t a = edges[e], b = edges[e + 1];
    if (a >= static_cast<uint32_t>(n) || b >= static_cast<uint32_t>(n))
      throw std::out_of_range("edge " + std::to_string(e / 2) + " has an endpoint outside [0, " + std::to_string(n) + ")");
    if (a == b) continue;
    pairs.emplace_back(static_cast<int>(a), static_cast<int>(b));
    pairs.emplace_back(static_cast<int>(b), static_cast<int>(a));
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  start.assign(n + 1, 0);
  for (auto& pr : pairs) start[pr.first + 1]++;
  for (int i = 0; i < n; ++i) start[i + 1] += start[i];
  adj.resize(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) adj[i] = pairs[i].second;  // sorted, so already grouped by row
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Weights are capped so sums of thousands of them stay finite and ordered.
constexpr double kMaxWeight = 1e150;

// Tuning, measured on issue 13's targets (500-node 3-regular and 30x30 grids into Pegasus 16 and
// Zephyr(12,4), K60 into Chimera 16); see bench/results/issue13.md.
// A free qubit next to used ones costs up to 1 + kCrowding: paths keep out of crowded spots and leave room
// for the chains still to come (mean chain 4.5 -> 3.7 after placement on the 3-regular graph).
constexpr double kCrowding = 4.0;
// Sparse sources are placed with overlaps as dear as a 1000-qubit detour (chains share a qubit only when
// walled in); dense ones (mean degree above kDenseDegree) with base 4, since every chain meets every other.
constexpr double kSparseBase = 1000, kDenseBase = 4, kDenseDegree = 8;
// Repair rounds on a few overlaps start cheap (base 2, x1.5 a round, up to 1e6): the displaced chains push
// their neighbours instead of snaking around them (grid 30x30 into Pegasus 16 disjoint in 0.5 s, was 4 s).
constexpr double kRepairBase = 2, kRepairGrowth = 1.5, kRepairMaxBase = 1e6;
// With overlaps on more than an eighth of the variables every chain is re-placed in a round, with base
// 2^(kFillExponent / most chains on one qubit): the fullest qubits stay the dearest.
constexpr double kFullRoundShare = 0.125, kFillExponent = 14;
// Dense sources are repaired by repairDense with base 2^(kDenseExponent / fullest qubit). K60 into
// Chimera 16 (seeds 1-3, 30 s budget, before the radix heap): found in 16-18 s with 16, 15-26 s with 10,
// 20 or 24; with 46 (minorminer's scale for this size) tries stall at a fullest qubit of 3 and 1 of 2
// seeds found in 50 s.
constexpr double kDenseExponent = 16;
// Chain-length rounds: equally cheap roots built per variable, and the least saving that counts as progress.
constexpr int kShortRoots = 8;
constexpr double kMinLengthGain = 0.002;

struct HeapItem {
  double key;
  uint32_t tie;  // a per-try random rank of the qubit: equal distances are settled at random, reproducibly
  int node;
};
inline bool before(const HeapItem& a, const HeapItem& b) { return a.key < b.key || (a.key == b.key && a.tie < b.tie); }

class MinHeap {
 public:
  void clear() { h_.clear(); }
  bool empty() const { return h_.empty(); }
  const HeapItem& top() const { return h_[0]; }
  void push(const HeapItem& x) {
    h_.push_back(x);
    size_t i = h_.size() - 1;
    while (i > 0) {
      const size_t p = (i - 1) / 2;
      if (!before(x, h_[p])) break;
      h_[i] = h_[p];
      i = p;
    }
    h_[i] = x;
  }
  void pop() {
    const HeapItem x = h_.back();
    h_.pop_back();
    const size_t n = h_.size();
    if (n == 0) return;
    size_t i = 0;
    for (;;) {
      size_t c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && before(h_[c + 1], h_[c])) ++c;
      if (!before(h_[c], x)) break;
      h_[i] = h_[c];
      i = c;
    }
    h_[i] = x;
  }

 private:
  std::vector<HeapItem> h_;
};

/**
 * Monotone radix heap of (key, node) for whole-target searches on integer weights: a pop never returns
 * less than the previous one, pushes are never below it, and items move towards bucket 0 a few times at
 * most instead of sifting through a binary heap.
 */
class RadixHeap {
 public:
  void clear() {
    for (auto& b : b_) b.clear();
    last_ = 0;
    size_ = 0;
  }
  bool empty() const { return size_ == 0; }
  void push(uint64_t key, int node) {
    b_[bucket(key)].push_back({key, node});
    ++size_;
  }
  std::pair<uint64_t, int> pop() {
    if (b_[0].empty()) {
      int i = 1;
      while (b_[i].empty()) ++i;
      uint64_t m = b_[i][0].first;
      for (const auto& it : b_[i]) m = std::min(m, it.first);
      last_ = m;
      for (const auto& it : b_[i]) b_[bucket(it.first)].push_back(it);
      b_[i].clear();
    }
    const auto r = b_[0].back();
    b_[0].pop_back();
    --size_;
    return r;
  }

 private:
  int bucket(uint64_t key) const { return key == last_ ? 0 : 64 - __builtin_clzll(key ^ last_); }
  std::vector<std::pair<uint64_t, int>> b_[65];
  uint64_t last_ = 0;
  size_t size_ = 0;
};

/** One neighbour's shortest-path tree, reset through the list of qubits it touched. */
struct Slot {
  std::vector<double> dist;
  std::vector<int> parent;
  std::vector<int> touched;
  bool exhausted = false;
};

using Clock = std::chrono::steady_clock;

class Search {
 public:
  Search(const MinorProblem& p, const MinorOptions& o)
      : P(p), O(o), N(p.numQubits), n(p.numVars), rng_(o.seed, 0, 0), started_(Clock::now()) {
    chains_.assign(n, {});
    use_.assign(N, 0);
    owner_.assign(N, -1);
    fixedOwner_.assign(N, -1);
    isFixed_.assign(n, 0);
    tie_.resize(N);
    stamp_.assign(N, 0);
    chainDeg_.assign(N, 0);
    varMark_.assign(n, 0);
    contacts_.assign(n, 0);
    pow_.assign(64, 1.0);
    usedNbrs_.assign(N, 0);
    invDeg_.assign(N, 0.0);
    for (int q = 0; q < N; ++q) {
      const int d = p.qubitStart[q + 1] - p.qubitStart[q];
      invDeg_[q] = d > 0 ? 1.0 / d : 0.0;
    }
    dense_ = n > 0 && static_cast<double>(p.varAdj.size()) / n > kDenseDegree;
    for (int v = 0; v < n; ++v) {
      if (v < static_cast<int>(p.fixedChains.size()) && !p.fixedChains[v].empty()) {
        isFixed_[v] = 1;
        for (int q : p.fixedChains[v]) fixedOwner_[q] = v;
      }
    }
  }

  MinorResult run() {
    MinorResult r;
    if (n == 0) {
      r.found = true;
      r.bestExcess = 0;
      return r;
    }
    for (int attempt = 0; attempt < O.tries; ++attempt) {
      r.triesRun = attempt + 1;
      rng_ = Rng(O.seed, static_cast<uint64_t>(attempt), 0x13);
      for (int q = 0; q < N; ++q) tie_[q] = static_cast<uint32_t>(rng_.next() >> 32);
      for (auto& c : chains_) c.clear();
      std::fill(use_.begin(), use_.end(), 0);
      std::fill(usedNbrs_.begin(), usedNbrs_.end(), 0);
      exclusive_ = false;
      for (int v = 0; v < n; ++v)
        if (isFixed_[v]) place(v, P.fixedChains[v]);
      if (attempt == 0)
        for (int v = 0; v < n && v < static_cast<int>(P.initialChains.size()); ++v)
          if (!isFixed_[v] && !P.initialChains[v].empty()) place(v, P.initialChains[v]);

      double base = dense_ ? kDenseBase : kSparseBase;
      setBase(base);
      // Most-connected-first order on even tries, breadth-first on odd ones: neither wins everywhere. The
      // first chain sits at a far end of the target and the order starts at a far end of the source, so a
      // grid grows from a corner (30x30 into Pegasus 16: 1.4 s, was 2.8-7 s from a random start).
      corner_ = firstPlacement_ = true;
      std::vector<int> order = varOrder(attempt % 2 == 1);
      std::vector<int> chain;
      bool stopped = false;
      for (int v : order) {
        if (!chains_[v].empty()) continue;
        if (outOfTime()) {
          stopped = true;
          break;
        }
        if (!grow(v, chain)) {
          r.unreachable = true;
          return r;  // no restart helps a variable that cannot reach its neighbours at all
        }
        place(v, chain);
      }
      corner_ = false;
      if (stopped) {
        r.timedOut = true;
        return r;
      }
      if (dense_) {
        const int best = repairDense(r, stopped);  // sets stopped: a statement of its own
        if (endTry(r, best, stopped)) return r;
        continue;
      }
      int best = excess(), now = best, stale = 0;
      base = kRepairBase;
      while (best > 0 && stale < O.maxNoImprovement && !(stopped = outOfTime())) {
        ++r.overlapRounds;
        base = std::min(base * kRepairGrowth, kRepairMaxBase);
        if (now > kFullRoundShare * n) {
          // Overlaps everywhere (dense sources): every chain is re-placed in turn.
          setBase(std::min(kRepairMaxBase, std::pow(2.0, kFillExponent / maxFill())));
          for (int v : varOrder(false)) {
            if ((stopped = outOfTime())) break;
            std::vector<int> old = ripUp(v);
            place(v, grow(v, chain) ? chain : old);
          }
          if (stopped) break;
        } else {
          // Only the overlapping chains are re-placed, with the variables within `stale` source edges of
          // them: while rounds bring no progress, a walled-in region is re-packed from further out.
          setBase(base);
          std::vector<int> cleared = clearAroundOverlaps(stale);
          for (int v : pfsSubset(cleared)) {
            if ((stopped = outOfTime())) break;
            if (grow(v, chain)) place(v, chain);
          }
          bool lost = false;
          for (int v : cleared) lost = lost || chains_[v].empty();
          if (stopped || lost) break;
        }
        now = excess();
        if (now < best) {
          best = now;
          stale = 0;
        } else {
          ++stale;
        }
      }
      if (best > 0 && !stopped) {
        // Targeted repair stalled (small crowded targets: ER(40, 0.08) into Chimera 6 stuck on one shared
        // qubit in all 10 tries): the dense rounds, whole tear-out with pruned tentacles, finish the try.
        const int dense = repairDense(r, stopped);
        best = dense == 0 ? 0 : std::min(best, dense);
      }
      if (endTry(r, best, stopped)) return r;
    }
    return r;
  }

 private:
  // Ends a try that left `best` overlaps: records it, and with none left shortens the chains into r.
  // Returns whether the search is over (embedding found, or out of time); else the next try starts.
  bool endTry(MinorResult& r, int best, bool stopped) {
    if (stopped) r.timedOut = true;
    if (r.bestExcess < 0 || best < r.bestExcess) r.bestExcess = best;
    if (best > 0 || stopped) return r.timedOut;
    r.bestExcess = 0;
    shortenChains(r);
    r.found = true;
    r.chains = chains_;
    for (auto& c : r.chains) std::sort(c.begin(), c.end());
    return true;
  }

  const MinorProblem& P;
  const MinorOptions& O;
  const int N, n;
  Rng rng_;
  Clock::time_point started_;
  uint32_t checks_ = 0;
  bool timeUp_ = false;

  std::vector<std::vector<int>> chains_;
  std::vector<int> use_, owner_, fixedOwner_;
  // Used neighbours per qubit, for the crowding cost of free qubits (see kCrowding).
  std::vector<int> usedNbrs_;
  std::vector<double> invDeg_;
  bool dense_ = false, corner_ = false, firstPlacement_ = false;
  std::vector<uint8_t> isFixed_;
  std::vector<uint32_t> tie_;
  std::vector<double> pow_;
  bool exclusive_ = false;
  std::vector<Slot> slots_;
  MinHeap heap_;
  std::vector<int> stamp_;
  int stampNow_ = 0;
  std::vector<int> chainDeg_, varMark_, contacts_;
  int varStampNow_ = 0;

  // ---- dense repair -----------------------------------------------------------------------------
  /**
   * Overlap removal for dense sources (Cai-Macready-Roy rounds with minorminer's weighting): every chain
   * is torn out and re-placed in turn, a qubit on c other chains costing base^c with base
   * 2^(kDenseExponent / fullest qubit), free qubits 1, the root counted once per neighbour. Before a
   * chain is re-placed its neighbours drop the leaves they held only to touch it, so no chain keeps
   * tentacles towards where a neighbour used to be (without that, K60 into Chimera 16 stalls at hundreds
   * of shared qubits). Progress is (fullest qubit, how many qubits that full, shared qubits), compared in
   * that order; `maxNoImprovement` rounds without progress end the try. Returns the fewest shared qubits
   * seen, 0 only when the chains are disjoint and every source edge has touching chains.
   */
  int repairDense(MinorResult& r, bool& stopped) {
    noCrowd_ = rootK_ = true;
    startTracking();
    std::vector<int> chain;
    auto score = [&]() {
      std::array<int, 3> k{1, 0, 0};  // fullest qubit, qubits that full, shared qubits
      for (int q = 0; q < N; ++q) {
        const int c = use_[q];
        if (c > k[0]) {
          k[0] = c;
          k[1] = 0;
        }
        if (c == k[0] && c > 1) ++k[1];
        if (c > 1) k[2] += c - 1;
      }
      return k;
    };
    std::array<int, 3> best = score();
    int stale = 0, fewest = best[2];
    bool done = false;
    while (best[2] > 0 && stale < O.maxNoImprovement) {
      ++r.overlapRounds;
      setBase(std::pow(2.0, kDenseExponent / maxFill()));
      // Fresh tie ranks each round: equally cheap paths and roots change between rounds.
      for (int q = 0; q < N; ++q) tie_[q] = static_cast<uint32_t>(rng_.next() >> 32);
      for (int v : varOrder(false)) {
        if ((stopped = outOfTime())) break;
        std::vector<int> old = ripUp(v);
        for (int e = P.varStart[v]; e < P.varStart[v + 1]; ++e) prune(P.varAdj[e]);
        if (!grow(v, chain)) {
          // Walled in by fixed chains: the old chain goes back (should pruning have cut one of its
          // contacts, linked() keeps the try from counting as found).
          place(v, old);
          continue;
        }
        place(v, chain);
      }
      if (stopped) break;
      const std::array<int, 3> now = score();
      fewest = std::min(fewest, now[2]);
      if (now < best) {
        best = now;
        stale = 0;
      } else {
        ++stale;
      }
      if (now[2] == 0 && (done = linked())) break;
    }
    noCrowd_ = rootK_ = track_ = false;
    return done ? 0 : std::max(1, fewest);
  }

  bool noCrowd_ = false, rootK_ = false, track_ = false, cached_ = false;
  std::vector<double> wCache_;  // weight(q, v) for the placement in progress (see grow)
  std::vector<uint32_t> wInt_;  // the same, rounded, for dijkstraRadix
  RadixHeap radix_;
  std::vector<std::vector<int>> holders_;  // per qubit, the chains on it (dense repair only)
  std::vector<int> qMark_;
  int qMarkNow_ = 0;

  void startTracking() {
    track_ = true;
    holders_.assign(N, {});
    qMark_.assign(N, 0);
    for (int v = 0; v < n; ++v)
      for (int q : chains_[v]) holders_[q].push_back(v);
  }

  /**
   * Drops leaf qubits of w's chain that no contact with a neighbouring chain needs, chains possibly
   * overlapping (a shared qubit counts as a contact). Leaves only, so the chain stays connected.
   */
  void prune(int w) {
    std::vector<int>& chain = chains_[w];
    if (isFixed_[w] || chain.size() <= 1) return;
    const int mark = ++qMarkNow_;
    for (int x : chain) qMark_[x] = mark;
    const int vm = ++varStampNow_;
    for (int e = P.varStart[w]; e < P.varStart[w + 1]; ++e) {
      varMark_[P.varAdj[e]] = vm;
      contacts_[P.varAdj[e]] = 0;
    }
    const int* start = P.qubitStart.data();
    const int* adj = P.qubitAdj.data();
    auto touch = [&](int x, int by) {
      for (int c : holders_[x])
        if (c != w && varMark_[c] == vm) contacts_[c] += by;
      for (int e = start[x]; e < start[x + 1]; ++e)
        for (int c : holders_[adj[e]])
          if (c != w && varMark_[c] == vm) contacts_[c] += by;
    };
    for (int x : chain) {
      chainDeg_[x] = 0;
      for (int e = start[x]; e < start[x + 1]; ++e) chainDeg_[x] += qMark_[adj[e]] == mark;
      touch(x, 1);
    }
    leaves_.clear();
    for (int x : chain)
      if (chainDeg_[x] <= 1) leaves_.push_back(x);
    size_t size = chain.size();
    bool removed = false;
    while (!leaves_.empty() && size > 1) {
      const int x = leaves_.back();
      leaves_.pop_back();
      if (qMark_[x] != mark) continue;
      touch(x, -1);
      bool needed = false;
      for (int c : holders_[x]) needed = needed || (c != w && varMark_[c] == vm && contacts_[c] <= 0);
      for (int e = start[x]; e < start[x + 1] && !needed; ++e)
        for (int c : holders_[adj[e]]) needed = needed || (c != w && varMark_[c] == vm && contacts_[c] <= 0);
      if (needed) {
        touch(x, 1);
        continue;
      }
      qMark_[x] = 0;
      auto& h = holders_[x];
      h.erase(std::find(h.begin(), h.end(), w));
      if (--use_[x] == 0) crowd(x, -1);
      --size;
      removed = true;
      for (int e = start[x]; e < start[x + 1]; ++e) {
        const int y = adj[e];
        if (qMark_[y] == mark && --chainDeg_[y] == 1) leaves_.push_back(y);
      }
    }
    if (removed) chain.erase(std::remove_if(chain.begin(), chain.end(), [&](int q) { return qMark_[q] != mark; }), chain.end());
  }

  /** True when every source edge has its two chains touching or sharing a qubit. */
  bool linked() {
    for (int v = 0; v < n; ++v) {
      const int mark = ++qMarkNow_;
      for (int x : chains_[v]) qMark_[x] = mark;
      for (int e = P.varStart[v]; e < P.varStart[v + 1]; ++e) {
        const int u = P.varAdj[e];
        if (u < v) continue;
        bool ok = false;
        for (int x : chains_[u]) {
          if (qMark_[x] == mark) ok = true;
          for (int f = P.qubitStart[x]; f < P.qubitStart[x + 1] && !ok; ++f) ok = qMark_[P.qubitAdj[f]] == mark;
          if (ok) break;
        }
        if (!ok) return false;
      }
    }
    return true;
  }

  // ---- limits ------------------------------------------------------------------------------------
  bool outOfTime() {
    if ((O.cancel && O.cancel->load(std::memory_order_relaxed)) || (O.abort && O.abort->load(std::memory_order_relaxed)))
      throw Cancelled();
    if (!timeUp_ && (++checks_ & 7) == 0)
      timeUp_ = std::chrono::duration<double, std::milli>(Clock::now() - started_).count() > O.timeoutMs;
    return timeUp_;
  }


  // ---- starting points ---------------------------------------------------------------------------
  /** Breadth-first distances over a CSR graph from `s`; returns the last vertex reached (a far one). */
  static int farthest(const std::vector<int>& start, const std::vector<int>& adj, int s, const std::vector<uint8_t>* skip) {
    const int m = static_cast<int>(start.size()) - 1;
    std::vector<int> dist(m, -1), queue{s};
    dist[s] = 0;
    int last = s;
    for (size_t h = 0; h < queue.size(); ++h) {
      const int x = queue[h];
      last = x;
      for (int e = start[x]; e < start[x + 1]; ++e) {
        const int y = adj[e];
        if (dist[y] < 0 && !(skip && (*skip)[y])) {
          dist[y] = dist[x] + 1;
          queue.push_back(y);
        }
      }
    }
    return last;
  }

  // ---- chains and weights ------------------------------------------------------------------------
  void setBase(double base) {
    exclusive_ = false;
    pow_[0] = 1;
    for (size_t c = 1; c < pow_.size(); ++c) pow_[c] = std::min(kMaxWeight, pow_[c - 1] * base);
  }

  inline double weight(int q, int v) const {
    const int f = fixedOwner_[q];
    if (f >= 0 && f != v) return kInf;
    const int c = use_[q];
    if (exclusive_) return c == 0 ? 1.0 : kInf;
    if (c == 0) return noCrowd_ ? 1.0 : 1.0 + kCrowding * usedNbrs_[q] * invDeg_[q];
    // A shared qubit always costs more than the most crowded free one.
    return c < 64 ? (noCrowd_ ? 1.0 : 1.0 + kCrowding) * pow_[c] : kMaxWeight;
  }

  void place(int v, const std::vector<int>& chain) {
    chains_[v] = chain;
    if (track_)
      for (int q : chain) holders_[q].push_back(v);
    for (int q : chain) {
      if (use_[q]++ == 0) crowd(q, 1);
      if (exclusive_) owner_[q] = v;
    }
  }

  std::vector<int> ripUp(int v) {
    std::vector<int> old;
    old.swap(chains_[v]);
    if (track_)
      for (int q : old) {
        auto& h = holders_[q];
        h.erase(std::find(h.begin(), h.end(), v));
      }
    for (int q : old) {
      if (--use_[q] == 0) crowd(q, -1);
      if (exclusive_) owner_[q] = -1;
    }
    return old;
  }

  void crowd(int q, int by) {
    for (int e = P.qubitStart[q]; e < P.qubitStart[q + 1]; ++e) usedNbrs_[P.qubitAdj[e]] += by;
  }

  int maxFill() const {
    int m = 1;
    for (int q = 0; q < N; ++q) m = std::max(m, use_[q]);
    return m;
  }

  int excess() const {
    int e = 0;
    for (int q = 0; q < N; ++q)
      if (use_[q] > 1) e += use_[q] - 1;
    return e;
  }

  // ---- searches ----------------------------------------------------------------------------------
  Slot& slot(size_t s) {
    while (slots_.size() <= s) {
      slots_.emplace_back();
      slots_.back().dist.assign(N, kInf);
      slots_.back().parent.assign(N, -1);
    }
    return slots_[s];
  }

  /** Cheapest paths for v from chain `from` (distance 0 on it) to every qubit within `limit`. */
  void dijkstra(Slot& sl, const std::vector<int>& from, int v, double limit) {
    if (cached_ && noCrowd_) dijkstraRadix(sl, from);
    else if (cached_) dijkstraT<true>(sl, from, v, limit);
    else dijkstraT<false>(sl, from, v, limit);
  }

  /**
   * Dense repair's whole-target search: integer weights (wInt_, 0 = barred), keys distance << 24 | the
   * top 24 bits of the tie rank, so equal distances are still settled in random order.
   */
  void dijkstraRadix(Slot& sl, const std::vector<int>& from) {
    for (int x : sl.touched) {
      sl.dist[x] = kInf;
      sl.parent[x] = -1;
    }
    sl.touched.clear();
    radix_.clear();
    for (int q : from) {
      if (sl.dist[q] == 0) continue;
      sl.dist[q] = 0;
      sl.touched.push_back(q);
      radix_.push(tie_[q] >> 8, q);
    }
    const int* start = P.qubitStart.data();
    const int* adj = P.qubitAdj.data();
    while (!radix_.empty()) {
      const auto [key, x] = radix_.pop();
      const uint64_t d = key >> 24;
      if (static_cast<double>(d) > sl.dist[x]) continue;
      for (int e = start[x], end = start[x + 1]; e < end; ++e) {
        const int y = adj[e];
        const uint64_t w = wInt_[y];
        if (w == 0) continue;
        const uint64_t nd = d + w;
        if (static_cast<double>(nd) < sl.dist[y]) {
          if (sl.dist[y] == kInf) sl.touched.push_back(y);
          sl.dist[y] = static_cast<double>(nd);
          sl.parent[y] = x;
          radix_.push(nd << 24 | tie_[y] >> 8, y);
        }
      }
    }
    sl.exhausted = true;
  }

  template <bool Cached>
  void dijkstraT(Slot& sl, const std::vector<int>& from, int v, double limit) {
    for (int x : sl.touched) {
      sl.dist[x] = kInf;
      sl.parent[x] = -1;
    }
    sl.touched.clear();
    heap_.clear();
    for (int q : from) {
      sl.dist[q] = 0;
      sl.touched.push_back(q);
      heap_.push({0.0, tie_[q], q});
    }
    const int* start = P.qubitStart.data();
    const int* adj = P.qubitAdj.data();
    bool exhausted = true;
    while (!heap_.empty()) {
      const HeapItem top = heap_.top();
      if (top.key > limit) {
        exhausted = false;
        break;
      }
      heap_.pop();
      const int x = top.node;
      if (top.key > sl.dist[x]) continue;
      for (int e = start[x], end = start[x + 1]; e < end; ++e) {
        const int y = adj[e];
        const double w = Cached ? wCache_[y] : weight(y, v);
        if (w == kInf) continue;
        const double nd = top.key + w;
        if (nd < sl.dist[y]) {
          if (sl.dist[y] == kInf) sl.touched.push_back(y);
          sl.dist[y] = nd;
          sl.parent[y] = x;
          heap_.push({nd, tie_[y], y});
        }
      }
    }
    sl.exhausted = exhausted;
  }

  /** A random qubit among the cheapest that v may take, or -1. */
  int freeQubit(int v) {
    if (corner_ && firstPlacement_) {
      firstPlacement_ = false;
      // The first chain of a try starts at a far end of the target, matching the source's far end.
      const int q0 = static_cast<int>(rng_.below(static_cast<uint32_t>(N)));
      const int far = farthest(P.qubitStart, P.qubitAdj, farthest(P.qubitStart, P.qubitAdj, q0, nullptr), nullptr);
      if (weight(far, v) == 1.0) return far;
    }
    for (int t = 0; t < 64; ++t) {
      const int q = static_cast<int>(rng_.below(static_cast<uint32_t>(N)));
      if (weight(q, v) == 1.0) return q;
    }
    int best = -1;
    double bestW = kInf;
    const int off = static_cast<int>(rng_.below(static_cast<uint32_t>(N)));
    for (int i = 0; i < N; ++i) {
      const int q = (off + i) % N;
      const double w = weight(q, v);
      if (w == 1.0) return q;
      if (w < bestW) {
        bestW = w;
        best = q;
      }
    }
    return best;
  }

  /**
   * A new chain for v (ripped up) joining its placed neighbours' chains; false when no qubit reaches them
   * all. In exclusive mode `tryRoots` equally cheap roots are built and the shortest chain is kept.
   */
  bool grow(int v, std::vector<int>& out, int tryRoots = 1, double maxCost = kInf) {
    nbrs_.clear();
    for (int e = P.varStart[v]; e < P.varStart[v + 1]; ++e) {
      const int u = P.varAdj[e];
      if (!chains_[u].empty()) nbrs_.push_back(u);
    }
    const size_t k = nbrs_.size();
    out.clear();
    if (k == 0) {
      const int q = freeQubit(v);
      if (q < 0 || weight(q, v) == kInf) return false;
      out.push_back(q);
      return true;
    }
    for (size_t i = k; i > 1; --i) std::swap(nbrs_[i - 1], nbrs_[rng_.below(static_cast<uint32_t>(i))]);
    // Many neighbours (dense sources): the balls must meet, so bounded searches would be widened again
    // and again; search everything at once.
    double limit = std::min(maxCost, k > 8 ? kInf : exclusive_ ? 4.0 : 8.0);
    // Whole-target searches (dense sources): the weights once per placement, not once per relaxation.
    cached_ = limit == kInf && k > 8;
    if (cached_ && noCrowd_) {
      // Integer weights, capped so a path over every qubit stays below 2^40 (the key's distance bits).
      const double cap = std::min(2147483647.0, static_cast<double>((uint64_t{1} << 40) / static_cast<uint64_t>(N + 1)));
      wInt_.resize(N);
      for (int q = 0; q < N; ++q) {
        const double w = weight(q, v);
        wInt_[q] = w == kInf ? 0 : static_cast<uint32_t>(std::min(cap, std::max(1.0, std::round(w))));
      }
    } else if (cached_) {
      wCache_.resize(N);
      for (int q = 0; q < N; ++q) wCache_[q] = weight(q, v);
    }
    for (;;) {
      bool anyOpen = false;
      for (size_t s = 0; s < k; ++s) {
        Slot& sl = slot(s);
        dijkstra(sl, chains_[nbrs_[s]], v, limit);
        if (!sl.exhausted) anyOpen = true;
      }
      const Slot& first = slots_[0];
      double bestCost = kInf;
      roots_.clear();
      for (int x : first.touched) {
        const double d0 = first.dist[x];
        if (d0 == 0) continue;
        double total = d0;
        for (size_t s = 1; s < k && total < kInf; ++s) {
          const double d = slots_[s].dist[x];
          total = d == 0 ? kInf : total + d;
        }
        if (total == kInf) continue;
        if (!rootK_) total -= static_cast<double>(k - 1) * weight(x, v);
        if (total < bestCost) {
          bestCost = total;
          roots_.clear();
          roots_.push_back(x);
        } else if (total == bestCost) {
          roots_.push_back(x);
        }
      }
      if (!roots_.empty() && (bestCost <= limit || !anyOpen)) {
        const int tries = std::min<int>(tryRoots, static_cast<int>(roots_.size()));
        for (int t = 0; t < tries; ++t) {
          // A random root among the cheapest (without repeats).
          const size_t pick = t + rng_.below(static_cast<uint32_t>(roots_.size() - t));
          std::swap(roots_[t], roots_[pick]);
          construct(roots_[t], k, t == 0 ? out : candidate_);
          if (t > 0 && candidate_.size() < out.size()) out.swap(candidate_);
        }
        return true;
      }
      if (!anyOpen || limit >= maxCost) return false;
      limit = std::min(maxCost, !roots_.empty() ? bestCost : limit * 4);
    }
  }

  /** The root plus, per neighbour, the path from the chain qubit nearest that neighbour. */
  void construct(int root, size_t k, std::vector<int>& chain) {
    const int mark = ++stampNow_;
    chain.clear();
    chain.push_back(root);
    stamp_[root] = mark;
    for (size_t s = 0; s < k; ++s) {
      const Slot& sl = slots_[s];
      int p = root;
      double best = sl.dist[root];
      for (int c : chain)
        if (sl.dist[c] < best) {
          best = sl.dist[c];
          p = c;
        }
      if (best == 0) continue;  // shares a qubit with that neighbour (overlap rounds only)
      for (int x = sl.parent[p]; x >= 0 && sl.dist[x] > 0; x = sl.parent[x]) {
        if (stamp_[x] != mark) {
          stamp_[x] = mark;
          chain.push_back(x);
        }
      }
    }
  }

  // ---- overlap rounds ----------------------------------------------------------------------------
  std::vector<int> clearAroundOverlaps(int radius) {
    std::vector<int> dist(n, -1);
    std::vector<int> out;
    for (int v = 0; v < n; ++v) {
      if (isFixed_[v] || chains_[v].empty()) continue;
      for (int q : chains_[v])
        if (use_[q] > 1) {
          dist[v] = 0;
          out.push_back(v);
          break;
        }
    }
    for (size_t h = 0; h < out.size(); ++h) {
      const int x = out[h];
      if (dist[x] >= radius) continue;
      for (int e = P.varStart[x]; e < P.varStart[x + 1]; ++e) {
        const int y = P.varAdj[e];
        if (dist[y] < 0 && !isFixed_[y] && !chains_[y].empty()) {
          dist[y] = dist[x] + 1;
          out.push_back(y);
        }
      }
    }
    for (int v : out) ripUp(v);
    return out;
  }

  // ---- orders ------------------------------------------------------------------------------------
  /**
   * Every free variable, component by component from random starts: priority-first (next the variable
   * with the most visited neighbours, random ties) or breadth-first.
   */
  std::vector<int> varOrder(bool breadthFirst) {
    std::vector<int> starts(n);
    for (int v = 0; v < n; ++v) starts[v] = v;
    shuffle(starts);
    if (corner_ && !starts.empty() && !isFixed_[starts[0]]) {
      // Start at a far end of the source (two sweeps from a random variable): a grid then grows from a corner.
      const int far = farthest(P.varStart, P.varAdj, farthest(P.varStart, P.varAdj, starts[0], &isFixed_), &isFixed_);
      std::swap(starts[0], *std::find(starts.begin(), starts.end(), far));
    }
    std::vector<uint32_t> rank(n);
    for (int i = 0; i < n; ++i) rank[starts[i]] = static_cast<uint32_t>(i);
    std::vector<uint8_t> visited(n, 0);
    std::vector<int> count(n, 0);
    std::vector<int> order;
    order.reserve(n);
    for (int v = 0; v < n; ++v)
      if (isFixed_[v]) visited[v] = 1;
    if (breadthFirst) {
      std::vector<int> nb;
      for (int s : starts) {
        if (visited[s]) continue;
        size_t head = order.size();
        visited[s] = 1;
        order.push_back(s);
        while (head < order.size()) {
          const int x = order[head++];
          nb.assign(P.varAdj.begin() + P.varStart[x], P.varAdj.begin() + P.varStart[x + 1]);
          shuffle(nb);
          for (int y : nb)
            if (!visited[y]) {
              visited[y] = 1;
              order.push_back(y);
            }
        }
      }
      return order;
    }
    MinHeap pq;
    for (int s : starts) {
      if (visited[s]) continue;
      pq.clear();
      pq.push({0.0, rank[s], s});
      while (!pq.empty()) {
        const int x = pq.top().node;
        pq.pop();
        if (visited[x]) continue;
        visited[x] = 1;
        order.push_back(x);
        for (int e = P.varStart[x]; e < P.varStart[x + 1]; ++e) {
          const int y = P.varAdj[e];
          if (!visited[y]) pq.push({-static_cast<double>(++count[y]), rank[y], y});
        }
      }
    }
    return order;
  }

  /** Priority-first order of a subset; placed variables count as visited neighbours. */
  std::vector<int> pfsSubset(const std::vector<int>& subset) {
    std::vector<int> count(n, 0), order;
    std::vector<uint8_t> pending(n, 0);
    for (int v : subset) pending[v] = 1;
    MinHeap pq;
    for (int v : subset) {
      for (int e = P.varStart[v]; e < P.varStart[v + 1]; ++e)
        if (!chains_[P.varAdj[e]].empty()) ++count[v];
      pq.push({-static_cast<double>(count[v]), static_cast<uint32_t>(rng_.next() >> 32), v});
    }
    while (!pq.empty()) {
      const HeapItem top = pq.top();
      pq.pop();
      const int x = top.node;
      if (!pending[x] || top.key != -static_cast<double>(count[x])) continue;
      pending[x] = 0;
      order.push_back(x);
      for (int e = P.varStart[x]; e < P.varStart[x + 1]; ++e) {
        const int y = P.varAdj[e];
        if (pending[y]) pq.push({-static_cast<double>(++count[y]), static_cast<uint32_t>(rng_.next() >> 32), y});
      }
    }
    return order;
  }

  template <class T>
  void shuffle(std::vector<T>& a) {
    for (size_t i = a.size(); i > 1; --i) std::swap(a[i - 1], a[rng_.below(static_cast<uint32_t>(i))]);
  }

  // ---- chain-length rounds -----------------------------------------------------------------------
  size_t totalQubits() const {
    size_t t = 0;
    for (auto& c : chains_) t += c.size();
    return t;
  }

  /**
   * Drops leaf qubits of v's chain that no coupling to a neighbouring chain needs (ownership is exclusive
   * here). Leaves only, so the chain stays connected.
   */
  void trim(int v) {
    std::vector<int>& chain = chains_[v];
    if (isFixed_[v] || chain.size() <= 1) return;
    const int mark = ++varStampNow_;
    for (int e = P.varStart[v]; e < P.varStart[v + 1]; ++e) {
      varMark_[P.varAdj[e]] = mark;
      contacts_[P.varAdj[e]] = 0;
    }
    const int* start = P.qubitStart.data();
    const int* adj = P.qubitAdj.data();
    for (int x : chain) {
      chainDeg_[x] = 0;
      for (int e = start[x]; e < start[x + 1]; ++e) {
        const int o = owner_[adj[e]];
        if (o == v) ++chainDeg_[x];
        else if (o >= 0 && varMark_[o] == mark) ++contacts_[o];
      }
    }
    leaves_.clear();
    for (int x : chain)
      if (chainDeg_[x] <= 1) leaves_.push_back(x);
    size_t size = chain.size();
    bool removed = false;
    while (!leaves_.empty() && size > 1) {
      const int x = leaves_.back();
      leaves_.pop_back();
      if (owner_[x] != v) continue;
      // Removable when every neighbour it touches keeps another contact.
      bool needed = false;
      for (int e = start[x]; e < start[x + 1] && !needed; ++e) {
        const int o = owner_[adj[e]];
        if (o < 0 || o == v || varMark_[o] != mark) continue;
        int mine = 0;
        for (int f = start[x]; f < start[x + 1]; ++f) mine += owner_[adj[f]] == o;
        needed = contacts_[o] <= mine;
      }
      if (needed) continue;
      owner_[x] = -1;
      if (--use_[x] == 0) crowd(x, -1);
      --size;
      removed = true;
      for (int e = start[x]; e < start[x + 1]; ++e) {
        const int y = adj[e];
        const int o = owner_[y];
        if (o == v) {
          if (--chainDeg_[y] == 1) leaves_.push_back(y);
        } else if (o >= 0 && varMark_[o] == mark) {
          --contacts_[o];
        }
      }
    }
    if (removed) chain.erase(std::remove_if(chain.begin(), chain.end(), [&](int q) { return owner_[q] != v; }), chain.end());
  }

  void shortenChains(MinorResult& r) {
    exclusive_ = true;
    std::fill(owner_.begin(), owner_.end(), -1);
    for (int v = 0; v < n; ++v)
      for (int q : chains_[v]) owner_[q] = v;
    for (int v = 0; v < n; ++v) trim(v);
    size_t best = totalQubits();
    int stale = 0;
    std::vector<int> chain;
    std::vector<int> freeVars;
    for (int v = 0; v < n; ++v)
      if (!isFixed_[v]) freeVars.push_back(v);
    // A variable whose last try failed is skipped until it or a neighbour changes (late rounds then cost
    // little: 500-node 3-regular into Pegasus 16, ...).
    std::vector<uint64_t> changed(n, 1), tried(n, 0);
    uint64_t clock = 1;
    auto settled = [&](int v) {
      if (tried[v] <= changed[v]) return false;
      for (int e = P.varStart[v]; e < P.varStart[v + 1]; ++e)
        if (tried[v] <= changed[P.varAdj[e]]) return false;
      return true;
    };
    bool stopped = false;
    while (stale < O.chainLengthPatience && !stopped) {
      ++r.lengthRounds;
      shuffle(freeVars);
      for (int v : freeVars) {
        if ((stopped = outOfTime())) break;
        if (settled(v)) continue;
        // Neighbours' qubits that were there only to touch v are dropped first, so v may move away from
        // them (or take them); the move stands when v and its neighbours use no more qubits than before.
        saved_.clear();
        size_t before = chains_[v].size();
        for (int e = P.varStart[v]; e < P.varStart[v + 1]; ++e) {
          const int u = P.varAdj[e];
          saved_.push_back(chains_[u]);
          before += chains_[u].size();
        }
        // Every chain has at least one qubit: when v and its neighbours all have one, nothing can shrink.
        if (before == 1 + static_cast<size_t>(P.varStart[v + 1] - P.varStart[v])) continue;
        std::vector<int> old = ripUp(v);
        for (int e = P.varStart[v]; e < P.varStart[v + 1]; ++e) trim(P.varAdj[e]);
        // A chain longer than what the neighbours gave back cannot pay off: that bounds the searches.
        size_t budget = before;
        for (int e = P.varStart[v]; e < P.varStart[v + 1]; ++e) budget -= chains_[P.varAdj[e]].size();
        bool keep = false;
        if (grow(v, chain, kShortRoots, static_cast<double>(budget))) {
          place(v, chain);
          trim(v);
          size_t after = chains_[v].size();
          for (int e = P.varStart[v]; e < P.varStart[v + 1]; ++e) {
            trim(P.varAdj[e]);
            after += chains_[P.varAdj[e]].size();
          }
          keep = after <= before;
          if (!keep) ripUp(v);
        }
        if (keep) {
          changed[v] = ++clock;
          for (int e = P.varStart[v]; e < P.varStart[v + 1]; ++e) changed[P.varAdj[e]] = clock;
        }
        tried[v] = ++clock;
        if (!keep) {
          size_t i = 0;
          for (int e = P.varStart[v]; e < P.varStart[v + 1]; ++e, ++i) {
            const int u = P.varAdj[e];
            if (isFixed_[u]) continue;
            ripUp(u);
            place(u, saved_[i]);
          }
          place(v, old);
        }
      }
      const size_t t = totalQubits();
      // Late rounds shave a qubit here and there: a round that saves under kMinLengthGain counts as no progress.
      if (static_cast<double>(t) < static_cast<double>(best) * (1 - kMinLengthGain)) stale = 0;
      else ++stale;
      best = std::min(best, t);
    }
    if (stopped) r.timedOut = true;
  }

  std::vector<int> nbrs_, roots_, candidate_, leaves_;
  std::vector<std::vector<int>> saved_;
};

}  // namespace

MinorResult findMinorEmbedding(const MinorProblem& p, const MinorOptions& o) {
  Search s(p, o);
  return s.run();
}

}  // namespace qahan
