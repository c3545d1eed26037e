// The host side of the packed SA kernel (qahan/kernels/packed.h holds the sweeps): sites in colour order,
// 64-read words packed and unpacked by 64 x 64 bit transposes, one hash key per word, per-sweep
// acceptance tables, the choice of vector width at run time, and the spread of chunks over threads.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "qahan/kernels/kernels.h"
#include "qahan/kernels/packed_chunk.h"
#include "qahan/kernels/sparse_int.h"
#include "qahan/memory.h"

namespace qahan {

#if defined(__GNUC__) || defined(__clang__)
namespace {

using packed::Bond;

// Keys of what packed.cc keeps with a PreparedModel (PreparedModel::derived).
constexpr int kDerivedPackedSites = 100;
constexpr int kDerivedPackedGroups = 200;  // + lanes

inline bool stopped(const BatchOptions& o) {
  return (o.cancel && o.cancel->load(std::memory_order_relaxed)) || (o.abort && o.abort->load(std::memory_order_relaxed));
}

// Sites in sweep order: position p holds model site order[p]. The order groups sites by colour (no bond
// inside a colour class, by a greedy colouring in model order), so consecutive updates never read a word
// the previous one just wrote: in model order a ring or a Chimera cell chains every update to the last.
struct Sites {
  int n = 0;
  std::vector<uint32_t> start;  // n + 1
  std::vector<Bond> bonds;      // j: a position, or n for the dummy site
  std::vector<int32_t> total;   // W_p
  std::vector<int32_t> order;   // position -> model site
  std::vector<int32_t> pos;     // model site -> position (n -> n)
  int K = 1;
  bool unit = true;
  // Energies from the packed words: E = c + unit (2 U - S), U a read's weighted count of unsatisfied
  // bonds (fields as bonds to the dummy site) and S the sum of all weights, used only when every energy
  // of the model is an exact sum in double (exactEnergies), so the value is Model::energy's bit for bit.
  bool exact = false;
  double c = 0.0, unitValue = 0.0, S = 0.0;
};

// Site-parallel groups of L lanes (see packed::SiteGroups): a run of L positions with no bond between
// them (checked directly, so the colouring's runs are only a guide) and one W.
struct Groups {
  std::vector<packed::SiteGroup> item;
  std::vector<int32_t> j;
  std::vector<uint64_t> m, wb;
  packed::SiteGroups view() const {
    packed::SiteGroups g;
    g.items = static_cast<int>(item.size());
    g.item = item.data();
    g.j = j.data();
    g.m = m.data();
    g.wb = wb.data();
    return g;
  }
};

Groups siteGroups(const Sites& st, int L) {
  Groups g;
  const int n = st.n;
  auto independent = [&](int p) {
    for (int l = 0; l < L; ++l) {
      if (st.total[p + l] != st.total[p]) return false;
      for (uint32_t e = st.start[p + l]; e < st.start[p + l + 1]; ++e)
        if (st.bonds[e].j >= p && st.bonds[e].j < p + L) return false;
    }
    return true;
  };
  for (int p = 0; p < n;) {
    if (p + L <= n && independent(p)) {
      int slots = 0;
      for (int l = 0; l < L; ++l) slots = std::max(slots, static_cast<int>(st.start[p + l + 1] - st.start[p + l]));
      const int off = static_cast<int>(g.j.size());
      g.item.push_back({p, slots, st.total[p], off, 0});
      for (int s = 0; s < slots; ++s) {
        for (int l = 0; l < L; ++l) {
          const uint32_t e = st.start[p + l] + s;
          const bool real = e < st.start[p + l + 1];
          g.j.push_back(real ? st.bonds[e].j : p + l);  // padding: the lane's own word, so x = 0
          g.m.push_back(real ? st.bonds[e].m : 0);
        }
        for (int b = 0; b < 4; ++b)
          for (int l = 0; l < L; ++l) {
            const uint32_t e = st.start[p + l] + s;
            const bool real = e < st.start[p + l + 1];
            g.wb.push_back(real && ((st.bonds[e].w >> b) & 1) ? ~uint64_t(0) : 0);
          }
      }
      p += L;
    } else {
      g.item.push_back({p, -1, st.total[p], 0, 0});
      ++p;
    }
  }
  // Pairs: two consecutive groups where no bond of the second lands in the first (then none of the first
  // lands in the second either, bonds being symmetric); pairs do not overlap.
  for (size_t k = 0; k + 1 < g.item.size(); ++k) {
    packed::SiteGroup &x = g.item[k], &y = g.item[k + 1];
    if (x.slots < 0 || y.slots < 0) continue;
    bool free = true;
    for (int l = 0; l < L && free; ++l)
      for (uint32_t e = st.start[y.p + l]; e < st.start[y.p + l + 1]; ++e)
        if (st.bonds[e].j >= x.p && st.bonds[e].j < x.p + L) free = false;
    if (free) {
      x.pairNext = 1;
      ++k;
    }
  }
  return g;
}

// Greedy colouring in model order (each site takes the smallest colour none of its earlier neighbours
// has), then sites sorted by (colour, field total W, index): deterministic for a model, and it leaves long
// runs of one colour and one W for the site-parallel sweeps.
std::vector<int32_t> colourOrder(const IntegerForm& f) {
  const int n = f.n;
  std::vector<int32_t> colour(static_cast<size_t>(n), -1), W(static_cast<size_t>(n), 0);
  std::vector<char> used;
  for (int i = 0; i < n; ++i) {
    used.assign(static_cast<size_t>(f.D) + 1, 0);
    W[i] = std::abs(f.hi[i]);
    for (int d = 0; d < f.D; ++d) {
      const size_t e = static_cast<size_t>(i) * f.D + d;
      const int j = f.nbr[e];
      W[i] += std::abs(f.w[e]);
      if (j < n && f.w[e] != 0 && colour[j] >= 0 && colour[j] <= f.D) used[colour[j]] = 1;
    }
    int c = 0;
    while (used[c]) ++c;
    colour[i] = c;
  }
  std::vector<int32_t> order(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](int32_t a, int32_t b) { return colour[a] != colour[b] ? colour[a] < colour[b] : W[a] < W[b]; });
  return order;
}

// Whether every energy of the model (m and its spin form p) and c + unit (2 U - S) are exact sums in
// double whatever the order: all coefficients integer multiples of one power of two 2^e, and the sum of
// their magnitudes below 2^50 such units. Then Model::energy's sum and the count formula both give the
// exact value, the same double.
bool exactEnergies(const Model& m, const Problem& p, double unit, double S) {
  if (!m.dense.empty() || p.dense || !(S < double(1 << 24))) return false;
  int e = 1 << 20;
  bool ok = true;
  auto grid = [&](double v) {
    if (!std::isfinite(v)) ok = false;
    if (v == 0.0 || !ok) return;
    int x;
    const double f = std::frexp(std::fabs(v), &x);
    const uint64_t M = static_cast<uint64_t>(std::ldexp(f, 53));
    e = std::min(e, x - 53 + __builtin_ctzll(M));
  };
  grid(m.offset), grid(p.c), grid(unit);
  for (double v : m.linear) grid(v);
  for (double v : m.bias) grid(v);
  for (double v : p.h) grid(v);
  for (double v : p.val) grid(v);
  if (!ok) return false;
  double mm = std::fabs(m.offset), pp = std::fabs(p.c) + 2.0 * unit * S;
  for (double v : m.linear) mm += std::fabs(v);
  for (double v : m.bias) mm += std::fabs(v);
  for (double v : p.h) pp += std::fabs(v);
  for (double v : p.val) pp += std::fabs(v);
  const double lim = std::ldexp(1.0, 50 + e);
  return mm < lim && pp < lim;
}

Sites packedSites(const IntegerForm& f) {
  Sites st;
  st.n = f.n;
  st.order = colourOrder(f);
  st.pos.assign(static_cast<size_t>(f.n) + 1, f.n);
  for (int p = 0; p < f.n; ++p) st.pos[st.order[p]] = p;
  st.start.assign(static_cast<size_t>(f.n) + 1, 0);
  st.total.assign(static_cast<size_t>(f.n), 0);
  for (int p = 0; p < f.n; ++p) {
    const int i = st.order[p];
    auto add = [&](int j, int w) {
      if (w == 0) return;
      st.bonds.push_back({st.pos[j], std::abs(w), w > 0 ? ~uint64_t(0) : uint64_t(0)});
      st.total[p] += std::abs(w);
      st.unit = st.unit && std::abs(w) == 1;
    };
    for (int d = 0; d < f.D; ++d) add(f.nbr[static_cast<size_t>(i) * f.D + d], f.w[static_cast<size_t>(i) * f.D + d]);
    add(f.n, -f.hi[i]);  // h s_i is a bond of weight -h to the dummy site, fixed at s = -1
    st.start[p + 1] = static_cast<uint32_t>(st.bonds.size());
  }
  while ((1 << st.K) <= f.maxField) ++st.K;
  for (const Bond& b : st.bonds) st.S += b.w;
  st.S /= 2;  // each bond between sites is listed at both ends
  for (int p = 0; p < f.n; ++p) st.S += std::abs(f.hi[st.order[p]]) / 2.0;  // fields once
  return st;
}

int packedWords();

// In place: bit c of x[r] becomes bit r of x[c] (swap the off-diagonal blocks, halving the block size).
void transpose64(uint64_t x[64]) {
  uint64_t m = 0x00000000FFFFFFFFull;
  for (int j = 32; j != 0; j >>= 1, m ^= m << j)
    for (int k = 0; k < 64; k = ((k | j) + 1) & ~j) {
      const uint64_t t = ((x[k] >> j) ^ x[k | j]) & m;
      x[k] ^= t << j;
      x[k | j] ^= t;
    }
}

// Codes for the field totals present (bit W of present), without a branch on the bits (the branch
// mispredicted about half the time: ~4% of a 64-read sweep on Chimera C16).
void fillStepCodes(packed::StepCodes& codes, const uint64_t* q, int maxField, uint32_t present) {
  for (int W = 1; W <= maxField && W < 16; ++W) {
    if (!((present >> W) & 1)) continue;
    for (int t = 0; t < 64; ++t) {
      unsigned m = 0;
      for (int c = 0; 2 * c < W; ++c) m |= static_cast<unsigned>((q[W - 2 * c] >> (63 - t)) & 1) << c;
      codes.code[W][t] = static_cast<uint8_t>(m);
    }
  }
}

struct Tables {
  const Ramp* betas;
  const BatchOptions* opt;
  const IntegerForm* f;
  uint64_t live;
  double last = -1.0;
  std::vector<uint64_t> q;
  packed::StepCodes codes;
  uint32_t present;  // bit W: some site has field total W
};

int beforeSweep(void* ctx, size_t t) {
  Tables& tb = *static_cast<Tables*>(ctx);
  if (stopped(*tb.opt)) return 1;
  if (t > 0 && tb.opt->progress) tb.opt->progress->fetch_add(tb.live, std::memory_order_relaxed);
  const double beta = tb.betas->at(t);
  if (beta != tb.last) {
    acceptanceThresholds(beta, tb.f->unit, tb.f->maxField, tb.q.data());
    fillStepCodes(tb.codes, tb.q.data(), tb.f->maxField, tb.present);
    tb.last = beta;
  }
  return 0;
}

struct ChunkJob {
  const PreparedModel* model;
  const Sites* sites;
  const Groups* groups;  // for a one-word chunk on a vector CPU, else null
  const Ramp* betas;
  size_t b;
  int word0;
  int words;           // 1, 4 or 8 words side by side
  int reads;           // the model's numReads
  const int8_t* init;  // the model's initial states or null
  int8_t* out;         // the model's samples (numReads * n)
  double* energies;    // the model's energies (numReads)
};

// One start state as ceil(n / 64) words of site bits in model order: the initial state init (n values in
// the model's vartype) when given, else the next draws of rng (random spins 64 to a draw, as the other
// kernels take them).
void startBits(const int8_t* init, int n, Vartype vt, Rng& rng, uint64_t* bits) {
  const int G = (n + 63) / 64;
  if (!init) {
    for (int g = 0; g < G; ++g) bits[g] = rng.next();
    return;
  }
  for (int g = 0; g < G; ++g) {
    uint64_t w = 0;
    for (int k = 0; k < 64 && 64 * g + k < n; ++k)
      if (toSpin(init[64 * g + k], vt) > 0) w |= uint64_t(1) << k;
    bits[g] = w;
  }
}

// A zeroed, 64-byte aligned array of `words` words for the packed states (SQA's 512 reads x 16 slices on
// 2,048 sites hold 2.1 MiB: on huge pages, and kept for the next call; qahan/memory.h).
HugeVector<uint64_t> wordStore(size_t words) { return HugeVector<uint64_t>(words, uint64_t(0)); }

void unsatCounts(const Sites& st, const uint64_t* a, int NW, uint32_t* out);

// The SA sweeps of one job; true when the energies were filled too (Sites::exact).
bool runChunkJob(const ChunkJob& c, const BatchOptions& opt) {
  const int NW = c.words;
  const Sites& st = *c.sites;
  const int n = st.n, G = (n + 63) / 64;
  const Vartype vt = c.model->model().vartype;
  const IntegerForm& f = c.model->integer();
  auto store = wordStore(static_cast<size_t>(NW) * (n + 1));
  uint64_t* a = store.data();
  std::vector<uint64_t> rows(static_cast<size_t>(64) * G);
  uint64_t x[64];
  int live = 0;
  for (int k = 0; k < NW; ++k) {
    for (int l = 0; l < 64; ++l) {
      const int r = (c.word0 + k) * 64 + l;
      if (r < c.reads) {
        Rng rr(opt.seed, c.b, static_cast<uint64_t>(r));
        startBits(c.init ? c.init + static_cast<size_t>(r) * n : nullptr, n, vt, rr, &rows[static_cast<size_t>(l) * G]);
        ++live;
      } else {
        std::fill(&rows[static_cast<size_t>(l) * G], &rows[static_cast<size_t>(l) * G] + G, uint64_t(0));
      }
    }
    for (int g = 0; g < G; ++g) {
      for (int l = 0; l < 64; ++l) x[l] = rows[static_cast<size_t>(l) * G + g];
      transpose64(x);
      for (int s = 0; s < 64 && 64 * g + s < n; ++s) a[static_cast<size_t>(st.pos[64 * g + s]) * NW + k] = x[s];
    }
  }
  std::vector<uint64_t> keys(static_cast<size_t>(NW));
  for (int k = 0; k < NW; ++k) keys[k] = Rng(opt.seed, c.b, kPackedStream + static_cast<uint64_t>(c.word0 + k)).next();
  uint32_t present = 0;
  for (int p = 0; p < n; ++p) present |= uint32_t(1) << std::min(15, st.total[p]);
  Tables tb{c.betas, &opt, &f, static_cast<uint64_t>(live), -1.0, std::vector<uint64_t>(16, 0), {}, present};
  packed::Chunk ch;
  ch.n = n;
  ch.K = st.K;
  ch.unit = st.unit;
  ch.start = st.start.data();
  ch.bonds = st.bonds.data();
  ch.total = st.total.data();
  ch.a = a;
  ch.keys = keys.data();
  ch.sweeps = c.betas->size();
  ch.q = tb.q.data();
  ch.codes = &tb.codes;
  ch.ctx = &tb;
  ch.beforeSweep = beforeSweep;
  const packed::SiteGroups gv = c.groups ? c.groups->view() : packed::SiteGroups();
  ch.groups = &gv;
#if defined(__x86_64__) || defined(__i386__)
  if (NW == 8) packed::runChunkAvx512(ch);
  else if (NW == 4) packed::runChunkAvx2(ch);
  else if (c.groups && packedWords() == 8) packed::runSitesAvx512(ch);
  else if (c.groups && packedWords() == 4) packed::runSitesAvx2(ch);
  else
#endif
    packed::runChunkPortable(ch);
  if (stopped(opt)) throw Cancelled();
  if (opt.progress && ch.sweeps > 0) opt.progress->fetch_add(tb.live, std::memory_order_relaxed);
  // Unpack: 64 sites of one word at a time, transposed into 64 reads' site bits, spread into bytes 8 at a
  // time from a table (a branch per bit mispredicts half the time: it cost more than 200 sweeps).
  const int8_t hi = fromSpin(1, vt), lo = fromSpin(-1, vt);
  int8_t spread[256][8];
  for (int v = 0; v < 256; ++v)
    for (int b = 0; b < 8; ++b) spread[v][b] = ((v >> b) & 1) ? hi : lo;
  for (int k = 0; k < NW; ++k)
    for (int g = 0; g < G; ++g) {
      for (int s = 0; s < 64; ++s) x[s] = 64 * g + s < n ? a[static_cast<size_t>(st.pos[64 * g + s]) * NW + k] : 0;
      transpose64(x);
      const int m = std::min(64, n - 64 * g);
      for (int l = 0; l < 64; ++l) {
        const int r = (c.word0 + k) * 64 + l;
        if (r >= c.reads) break;
        int8_t* dst = c.out + static_cast<size_t>(r) * n + 64 * g;
        int s = 0;
        for (; s + 8 <= m; s += 8) std::memcpy(dst + s, spread[(x[l] >> s) & 255], 8);
        for (; s < m; ++s) dst[s] = spread[(x[l] >> s) & 1][0];
      }
    }
  // Energies from bit-sliced counts of the packed words (Model::energies over the bytes cost more than
  // 100 sweeps of 512 reads on a 3-regular graph).
  if (!st.exact) return false;
  std::vector<uint32_t> u(static_cast<size_t>(NW) * 64);
  unsatCounts(st, a, NW, u.data());
  for (int k = 0; k < NW; ++k)
    for (int l = 0; l < 64; ++l) {
      const int r = (c.word0 + k) * 64 + l;
      if (r < c.reads) c.energies[r] = st.c + st.unitValue * (2.0 * u[static_cast<size_t>(k) * 64 + l] - st.S);
    }
  return true;
}

int packedWords() {
  static const int w = [] {
    const char* e = std::getenv("QAHAN_PACKED_ISA");
    const std::string want = e ? e : "";
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    const bool has512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
    const bool has2 = __builtin_cpu_supports("avx2");
    if (want == "portable") return 1;
    if (want == "avx2") return has2 ? 4 : 1;
    // Widest first; QAHAN_PACKED_ISA=portable|avx2 narrows it (the samples never depend on the width).
    return has512 ? 8 : has2 ? 4 : 1;
#endif
    return 1;
  }();
  return w;
}

// SQA: the per-sweep tables (SqaTables) from the schedule's step t.
struct SqaTablesCtx {
  const SqaSchedule* schedule;
  const BatchOptions* opt;
  const IntegerForm* f;
  std::vector<char> hasW;  // field totals present
  uint64_t live;
  int P;
  packed::SqaTables tb;
};

int beforeSqaSweep(void* ctx, size_t t) {
  SqaTablesCtx& c = *static_cast<SqaTablesCtx*>(ctx);
  if (stopped(*c.opt)) return 1;
  if (t > 0 && c.opt->progress) c.opt->progress->fetch_add(c.live, std::memory_order_relaxed);
  const SqaStep step = c.schedule->at(t);
  const double jp = c.P > 1 ? step.jperp : 0.0;
  const double a = 2.0 * step.w * c.f->unit;
  for (int W = 0; W < 16; ++W) {
    if (!c.hasW[W]) continue;
    for (int U = 0; U <= W; ++U)
      for (int D = 0; D < 3; ++D) {
        const double x = a * (W - 2 * U) + 4.0 * jp * (1 - D);
        uint64_t q;
        if (!(x > 0.0)) {
          q = ~uint64_t(0);
        } else {
          const double pr = std::exp(-x);
          q = pr >= 1.0 ? ~uint64_t(0) : static_cast<uint64_t>(std::ldexp(pr, 64));
        }
        c.tb.q[W][U][D] = q;
      }
    if (W >= 8) continue;  // SQA models have W <= kPackedSqaMaxFieldUnits
    // The classes of W: undecided ones (0 < q < ~0) split into balanced groups of at most 4, and the
    // ones that never flip (q = 0).
    packed::SqaClasses& cl = c.tb.cls[W];
    uint64_t uq[24];
    cl.n = cl.nrej = 0;
    for (int U = 0; U <= W; ++U)
      for (int D = 0; D < 3; ++D) {
        const uint64_t q = c.tb.q[W][U][D];
        if (q == 0) {
          cl.ru[cl.nrej] = static_cast<uint8_t>(U);
          cl.rd[cl.nrej++] = static_cast<uint8_t>(D);
        } else if (q != ~uint64_t(0)) {
          cl.u[cl.n] = static_cast<uint8_t>(U);
          cl.d[cl.n] = static_cast<uint8_t>(D);
          uq[cl.n++] = q;
        }
      }
    cl.groups = static_cast<uint8_t>((cl.n + 3) / 4);
    for (int g = 0, c0 = 0, base = 0; g < cl.groups; ++g) {
      const int size = cl.n / cl.groups + (g < cl.n % cl.groups ? 1 : 0);
      cl.size[g] = static_cast<uint8_t>(size);
      cl.base[g] = static_cast<uint8_t>(base);
      for (int t = 0; t < 64; ++t) {
        int m = 0;
        for (int j = 0; j < size; ++j)
          if ((uq[c0 + j] >> (63 - t)) & 1) m |= 1 << j;
        cl.code[t][g] = static_cast<uint8_t>(base + m);
      }
      c0 += size;
      base += 1 << size;
    }
  }
  return 0;
}

// Per lane of each of the NW words of one slice (a: (n + 1) x NW words): the weighted count of
// unsatisfied bonds, fields counted as bonds to the dummy site. A slice's energy is -sum |w| + 2 count
// units, so the count orders a read's slices as their energies do (lowest slice, ties to the first).
// Bonds are summed into a 4-plane bit-sliced counter, carried into the 24-plane one before it could
// overflow (no branch per bond on the data: a ripple per bond into the wide counter mispredicted).
void unsatCounts(const Sites& st, const uint64_t* a, int NW, uint32_t* out) {
  constexpr int B = 24;  // up to 2^24 - 1 weighted bonds
  std::vector<uint64_t> wide(static_cast<size_t>(B) * NW, 0), small(static_cast<size_t>(4) * NW, 0);
  int held = 0;  // units added to small since it was last carried (a bound for every lane)
  auto carryOut = [&] {
    for (int k = 0; k < NW; ++k) {
      uint64_t carry = 0;
      for (int q = 0; q < B; ++q) {
        const uint64_t s = q < 4 ? small[static_cast<size_t>(q) * NW + k] : 0;
        uint64_t& w = wide[static_cast<size_t>(q) * NW + k];
        const uint64_t t = w ^ s;
        const uint64_t c2 = (w & s) | (t & carry);
        w = t ^ carry;
        carry = c2;
        if (q >= 3 && !carry) break;
      }
    }
    std::fill(small.begin(), small.end(), uint64_t(0));
    held = 0;
  };
  const int n = st.n;
  for (int p = 0; p < n; ++p)
    for (uint32_t e = st.start[p]; e < st.start[p + 1]; ++e) {
      const Bond& b = st.bonds[e];
      if (b.j < p) continue;  // each bond once (from its lower end; the dummy site n is above every p)
      if (held + b.w > 15) carryOut();
      held += b.w;
      const uint64_t* x0 = a + static_cast<size_t>(p) * NW;
      const uint64_t* x1 = a + static_cast<size_t>(b.j) * NW;
      for (int q0 = 0; q0 < 4; ++q0) {
        if (!((b.w >> q0) & 1)) continue;
        for (int k = 0; k < NW; ++k) {
          uint64_t carry = x0[k] ^ x1[k] ^ b.m;
          for (int q = q0; q < 4; ++q) {
            uint64_t& pl = small[static_cast<size_t>(q) * NW + k];
            const uint64_t c2 = pl & carry;
            pl ^= carry;
            carry = c2;
          }
        }
      }
    }
  carryOut();
  uint64_t x[64];
  for (int k = 0; k < NW; ++k) {
    for (int q = 0; q < 64; ++q) x[q] = q < B ? wide[static_cast<size_t>(q) * NW + k] : 0;
    transpose64(x);
    for (int l = 0; l < 64; ++l) out[static_cast<size_t>(k) * 64 + l] = static_cast<uint32_t>(x[l]);
  }
}

void runSqaChunkJob(const ChunkJob& c, const SqaOptions& sqa, const BatchOptions& opt) {
  const int NW = c.words, P = sqa.P;
  const Sites& st = *c.sites;
  const int n = st.n, G = (n + 63) / 64;
  const Vartype vt = c.model->model().vartype;
  const IntegerForm& f = c.model->integer();
  const size_t stride = static_cast<size_t>(n) + 1;
  auto store = wordStore(static_cast<size_t>(NW) * stride * P);
  uint64_t* a = store.data();
  // rows[(l * P + k) * G + g]: read l's slice k, site bits in model order.
  std::vector<uint64_t> rows(static_cast<size_t>(64) * P * G);
  std::vector<uint32_t> pick(static_cast<size_t>(64) * NW, 0);
  uint64_t x[64];
  int live = 0;
  for (int k = 0; k < NW; ++k) {
    for (int l = 0; l < 64; ++l) {
      const int r = (c.word0 + k) * 64 + l;
      uint64_t* row = &rows[static_cast<size_t>(l) * P * G];
      if (r >= c.reads) {
        std::fill(row, row + static_cast<size_t>(P) * G, uint64_t(0));
        continue;
      }
      ++live;
      // As runner.cc: every slice from the read's stream in turn, or the initial state in every slice.
      Rng rr(opt.seed, c.b, static_cast<uint64_t>(r));
      for (int sl = 0; sl < P; ++sl)
        startBits(c.init ? c.init + static_cast<size_t>(r) * n : nullptr, n, vt, rr, row + static_cast<size_t>(sl) * G);
      if (sqa.returnSlice == kSliceRandom) pick[static_cast<size_t>(k) * 64 + l] = rr.below(static_cast<uint32_t>(P));
    }
    for (int sl = 0; sl < P; ++sl)
      for (int g = 0; g < G; ++g) {
        for (int l = 0; l < 64; ++l) x[l] = rows[(static_cast<size_t>(l) * P + sl) * G + g];
        transpose64(x);
        for (int b = 0; b < 64 && 64 * g + b < n; ++b) a[(sl * stride + st.pos[64 * g + b]) * NW + k] = x[b];
      }
  }
  std::vector<uint64_t> keys(static_cast<size_t>(NW));
  for (int k = 0; k < NW; ++k) keys[k] = Rng(opt.seed, c.b, kPackedStream + static_cast<uint64_t>(c.word0 + k)).next();
  SqaTablesCtx tc{&sqa.schedule, &opt, &f, std::vector<char>(16, 0), static_cast<uint64_t>(live), P, {}};
  for (int p = 0; p < n; ++p) tc.hasW[std::min(15, st.total[p])] = 1;
  packed::Chunk ch;
  ch.n = n;
  ch.K = st.K;
  ch.unit = st.unit;
  ch.start = st.start.data();
  ch.bonds = st.bonds.data();
  ch.total = st.total.data();
  ch.a = a;
  ch.keys = keys.data();
  ch.sweeps = sqa.schedule.size();
  ch.ctx = &tc;
  ch.beforeSweep = beforeSqaSweep;
  ch.slices = P;
  ch.sqa = &tc.tb;
#if defined(__x86_64__) || defined(__i386__)
  if (NW == 8) packed::runSqaAvx512(ch);
  else if (NW == 4) packed::runSqaAvx2(ch);
  else
#endif
    packed::runSqaPortable(ch);
  if (stopped(opt)) throw Cancelled();
  if (opt.progress && ch.sweeps > 0) opt.progress->fetch_add(tc.live, std::memory_order_relaxed);
  // The lowest slice of every read from the packed words (the bit-sliced counts of unsatisfied bonds).
  if (sqa.returnSlice == kSliceLowest) {
    std::vector<uint32_t> best(static_cast<size_t>(NW) * 64), cur(static_cast<size_t>(NW) * 64);
    unsatCounts(st, a, NW, best.data());
    for (int sl = 1; sl < P; ++sl) {
      unsatCounts(st, a + sl * stride * NW, NW, cur.data());
      for (size_t q = 0; q < cur.size(); ++q)
        if (cur[q] < best[q]) best[q] = cur[q], pick[q] = static_cast<uint32_t>(sl);
    }
  }
  // Each read's chosen slice back to site bits (only the slices some read of the word returns are
  // transposed), then into bytes 8 sites at a time from a table (as runChunkJob).
  const int8_t hi = fromSpin(1, vt), lo = fromSpin(-1, vt);
  int8_t spread[256][8];
  for (int v = 0; v < 256; ++v)
    for (int b = 0; b < 8; ++b) spread[v][b] = ((v >> b) & 1) ? hi : lo;
  std::vector<uint64_t> chosen(static_cast<size_t>(64) * G);  // chosen[l * G + g]
  for (int k = 0; k < NW; ++k) {
    const int lanes = std::max(0, std::min(64, c.reads - (c.word0 + k) * 64));
    int sliceOf[64];
    std::vector<char> used(static_cast<size_t>(P), 0);
    for (int l = 0; l < lanes; ++l) {
      sliceOf[l] = sqa.returnSlice >= 0 ? std::min(sqa.returnSlice, P - 1) : static_cast<int>(pick[static_cast<size_t>(k) * 64 + l]);
      used[sliceOf[l]] = 1;
    }
    for (int sl = 0; sl < P; ++sl) {
      if (!used[sl]) continue;
      for (int g = 0; g < G; ++g) {
        for (int b = 0; b < 64; ++b) x[b] = 64 * g + b < n ? a[(sl * stride + st.pos[64 * g + b]) * NW + k] : 0;
        transpose64(x);
        for (int l = 0; l < lanes; ++l)
          if (sliceOf[l] == sl) chosen[static_cast<size_t>(l) * G + g] = x[l];
      }
    }
    for (int l = 0; l < lanes; ++l) {
      const int r = (c.word0 + k) * 64 + l;
      int8_t* dst = c.out + static_cast<size_t>(r) * n;
      for (int g = 0; g < G; ++g) {
        const uint64_t w = chosen[static_cast<size_t>(l) * G + g];
        const int m = std::min(64, n - 64 * g);
        int s = 0;
        for (; s + 8 <= m; s += 8) std::memcpy(dst + 64 * g + s, spread[(w >> s) & 255], 8);
        for (; s < m; ++s) dst[64 * g + s] = spread[(w >> s) & 1][0];
      }
    }
  }
}

}  // namespace

const char* packedIsa() {
  const int w = packedWords();
  return w == 8 ? "avx512" : w == 4 ? "avx2" : "portable";
}

namespace {

// The chunks of a call and their run: whole vectors of words while they last, then one word at a time
// (site-parallel when groups are given), so no word is computed and thrown away. Every word has its own
// stream, so how the words are grouped never changes the samples. The layouts stay with the model.
// run(job) fills the job's samples, and their energies when it returns true; else they follow here.
template <class Run>
std::vector<SampleOutput> runChunks(const std::vector<const PreparedModel*>& models, const std::vector<Ramp>* schedules,
                                    bool siteGroupsWanted, const BatchOptions& opt, Run run) {
  const size_t B = models.size();
  const int R = opt.numReads;
  const int NW = packedWords();
  std::vector<SampleOutput> out(B);
  std::vector<std::shared_ptr<const Sites>> sites(B);
  std::vector<std::shared_ptr<const Groups>> groups(B);
  std::vector<ChunkJob> jobs;
  const int words = (R + 63) / 64;
  for (size_t b = 0; b < B; ++b) {
    const PreparedModel& pm = *models[b];
    const IntegerForm& f = pm.integer();
    sites[b] = pm.derived<Sites>(kDerivedPackedSites, [&] {
      auto* st = new Sites(packedSites(f));
      st->c = pm.problem().c;
      st->unitValue = f.unit;
      st->exact = exactEnergies(pm.model(), pm.problem(), f.unit, st->S);
      return st;
    });
    const bool singles = siteGroupsWanted && words % NW != 0 && NW > 1;
    if (singles)
      groups[b] = pm.derived<Groups>(kDerivedPackedGroups + NW, [&] { return new Groups(siteGroups(*sites[b], NW)); });
    out[b].samples.assign(static_cast<size_t>(R) * f.n, 0);
    out[b].energies.assign(static_cast<size_t>(R), 0.0);
    const int8_t* init = b < opt.initial.size() ? opt.initial[b] : nullptr;
    const Ramp* betas = schedules ? &(*schedules)[b] : nullptr;
    int w0 = 0;
    for (; w0 + NW <= words; w0 += NW)
      jobs.push_back({models[b], sites[b].get(), nullptr, betas, b, w0, NW, R, init, out[b].samples.data(),
                      out[b].energies.data()});
    for (; w0 < words; ++w0)
      jobs.push_back({models[b], sites[b].get(), singles ? groups[b].get() : nullptr, betas, b, w0, 1, R, init,
                      out[b].samples.data(), out[b].energies.data()});
  }
  parallelFor(
      jobs.size(), opt.threads,
      [&](size_t item) {
        const ChunkJob& c = jobs[item];
        if (run(c)) return;  // the energies came from the packed words
        const int n = c.model->model().n;
        const int r0 = c.word0 * 64, r1 = std::min(R, (c.word0 + c.words) * 64);
        c.model->model().energies(c.out + static_cast<size_t>(r0) * n, static_cast<size_t>(r1 - r0),
                                  out[c.b].energies.data() + r0);
      },
      opt.tick ? opt.tick : std::function<void()>([] {}), 100, [&opt] { return stopped(opt); });
  if (stopped(opt)) throw Cancelled();
  return out;
}

}  // namespace

std::vector<SampleOutput> runPackedSa(const std::vector<const PreparedModel*>& models, const std::vector<Ramp>& schedules,
                                      const BatchOptions& opt) {
  return runChunks(models, &schedules, true, opt, [&opt](const ChunkJob& c) { return runChunkJob(c, opt); });
}

std::vector<SampleOutput> runPackedSqa(const std::vector<const PreparedModel*>& models, const SqaOptions& sqa,
                                       const BatchOptions& opt) {
  return runChunks(models, nullptr, false, opt, [&sqa, &opt](const ChunkJob& c) {
    runSqaChunkJob(c, sqa, opt);
    return false;
  });
}
#else
const char* packedIsa() { return "none"; }
std::vector<SampleOutput> runPackedSa(const std::vector<const PreparedModel*>&, const std::vector<Ramp>&,
                                      const BatchOptions&) {
  throw std::runtime_error("the packed kernel needs a GCC or Clang build");
}
std::vector<SampleOutput> runPackedSqa(const std::vector<const PreparedModel*>&, const SqaOptions&, const BatchOptions&) {
  throw std::runtime_error("the packed kernel needs a GCC or Clang build");
}
#endif

}  // namespace qahan
