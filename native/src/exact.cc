#include "qahan/exact.h"

#include <algorithm>
#include <numeric>
#include <queue>
#include <string>

namespace qahan {

void checkExactSize(int n, uint64_t keep) {
  if (n > kMaxExactVariables)
    throw std::range_error("exact solving supports at most " + std::to_string(kMaxExactVariables) + " variables, got " +
                           std::to_string(n));
  const uint64_t total = uint64_t(1) << n;
  const uint64_t k = std::min(keep, total);
  if (k > kMaxExactBytes / (16 + static_cast<uint64_t>(n)))
    throw std::range_error("keeping " + std::to_string(k) + " states does not fit in memory; lower maxStates");
}

namespace {

using Entry = std::pair<double, uint32_t>;  // (energy, state)

struct Chunk {
  std::vector<Entry> kept;
};

void walkChunk(const Problem& p, uint64_t t0, uint64_t t1, uint64_t keep, const CancelFlag& cancel, Chunk& out) {
  const int n = p.n;
  std::vector<int8_t> s(n);
  std::vector<double> f(n);
  uint32_t g = static_cast<uint32_t>(t0 ^ (t0 >> 1));
  for (int i = 0; i < n; ++i) s[i] = (g >> i) & 1 ? 1 : -1;
  p.fields(s.data(), f.data());
  double e = p.energy(s.data());
  const bool all = keep >= (t1 - t0);
  auto cmp = [](const Entry& a, const Entry& b) { return a < b; };  // max-heap on (energy, state)
  std::vector<Entry>& heap = out.kept;
  heap.reserve(static_cast<size_t>(std::min<uint64_t>(keep, t1 - t0)));
  const size_t N = static_cast<size_t>(n);
  for (uint64_t t = t0;;) {
    if (all || heap.size() < keep) {
      heap.emplace_back(e, g);
      if (!all && heap.size() == keep) std::make_heap(heap.begin(), heap.end(), cmp);
    } else if (Entry(e, g) < heap.front()) {
      std::pop_heap(heap.begin(), heap.end(), cmp);
      heap.back() = Entry(e, g);
      std::push_heap(heap.begin(), heap.end(), cmp);
    }
    if (++t >= t1) break;
    if ((t & 0xFFFF) == 0 && cancel && cancel->load(std::memory_order_relaxed)) throw Cancelled();
    // Gray step: flip bit ctz(t).
    int i = 0;
    while (!((t >> i) & 1)) ++i;
    const int si = s[i];
    e += -2.0 * si * f[i];
    s[i] = static_cast<int8_t>(-si);
    g ^= (1u << i);
    const double c = -2.0 * si;
    if (p.dense) {
      const double* row = p.J.data() + i * N;
      for (size_t j = 0; j < N; ++j) f[j] += c * row[j];
    } else {
      for (uint32_t k = p.rowPtr[i]; k < p.rowPtr[i + 1]; ++k) f[p.colIdx[k]] += c * p.val[k];
    }
  }
}

}  // namespace

ExactOutput exactSolve(const Problem& p, const Model& m, uint64_t keep, unsigned threads, const CancelFlag& cancel) {
  const int n = p.n;
  checkExactSize(n, keep);
  const uint64_t total = uint64_t(1) << n;
  keep = std::min(keep, total);
  ExactOutput out;
  if (keep == 0) return out;
  // Each chunk keeps `cap` candidates by its incremental energy; the slack above `keep` makes the final,
  // exactly recomputed order robust to rounding among near-ties at the cut.
  const uint64_t cap = std::min(total, keep + std::min<uint64_t>(keep, 4096));
  // Fixed chunking (never depends on the thread count): at most 256 chunks of at least 4096 states, and
  // no more chunks than the memory budget allows (each may hold min(cap, its size) entries).
  const uint64_t budget = kMaxExactBytes / (16 + static_cast<uint64_t>(n));
  uint64_t chunks = std::max<uint64_t>(1, std::min<uint64_t>(256, total / 4096));
  while (chunks > 1 && chunks * std::min(cap, total / chunks + 1) > budget) chunks /= 2;
  std::vector<Chunk> parts(chunks);
  parallelFor(chunks, threads, [&](size_t c) {
    const uint64_t t0 = total * c / chunks, t1 = total * (c + 1) / chunks;
    walkChunk(p, t0, t1, cap, cancel, parts[c]);
  });
  if (cancel && cancel->load()) throw Cancelled();
  std::vector<Entry> all;
  size_t sz = 0;
  for (auto& c : parts) sz += c.kept.size();
  all.reserve(sz);
  for (auto& c : parts) {
    all.insert(all.end(), c.kept.begin(), c.kept.end());
    std::vector<Entry>().swap(c.kept);
  }
  // Keep `cap` candidates overall, recompute their energies exactly, then sort for real.
  if (cap < all.size()) {
    std::nth_element(all.begin(), all.begin() + static_cast<size_t>(cap), all.end());
    all.resize(static_cast<size_t>(cap));
  }
  std::vector<int8_t> x(n);
  for (auto& en : all) {
    for (int i = 0; i < n; ++i) x[i] = fromSpin((en.second >> i) & 1 ? 1 : -1, p.vartype);
    en.first = m.energy(x.data());
  }
  std::sort(all.begin(), all.end());
  all.resize(static_cast<size_t>(keep));
  out.samples.resize(static_cast<size_t>(keep) * n);
  out.energies.resize(static_cast<size_t>(keep));
  for (size_t k = 0; k < all.size(); ++k) {
    out.energies[k] = all[k].first;
    for (int i = 0; i < n; ++i) out.samples[k * n + i] = fromSpin((all[k].second >> i) & 1 ? 1 : -1, p.vartype);
  }
  return out;
}

}  // namespace qahan
