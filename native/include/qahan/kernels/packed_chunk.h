// qahan/kernels/packed_chunk.h - what the host side of the packed kernel (native/src/packed.cc) hands to
// the sweep loops, which are compiled once per instruction set (native/src/packed_{portable,avx2,avx512}.cc,
// each under its own `#pragma GCC target`). Plain data and declarations only: nothing here may be compiled
// into an out-of-line function, or the linker could keep an AVX-512 copy of it for a CPU without AVX-512.
#pragma once
#include <cstddef>
#include <cstdint>

namespace qahan {
namespace packed {

struct Bond {
  int32_t j, w;  // neighbour position (n = the dummy site), |weight| in units
  uint64_t m;    // all ones when the weight is > 0
};

// Per sweep and field total W (1..15) and step t (0..63, MSB first): bit c set when bit (63 - t) of
// q[W - 2c] is 1, c over the uphill classes 0..ceil(W/2)-1.
struct StepCodes {
  uint8_t code[16][64];
};

// The site-parallel layout of one word's sweep: items in sweep order, each a group of L consecutive
// positions of one colour and one field total W (slots >= 0: its bonds, padded, L lanes per slot at
// j/m/wb + off) or a single position (slots < 0, its bonds in the Chunk's lists). Items are taken in
// pairs where pairNext says so.
struct SiteGroup {
  int32_t p, slots, W, off;
  int32_t pairNext;  // 1: the next item is a group with no bond into this one (it may be counted first)
};
struct SiteGroups {
  int items = 0;
  const SiteGroup* item = nullptr;
  const int32_t* j = nullptr;   // neighbour position per slot and lane (a padding slot names the lane's own)
  const uint64_t* m = nullptr;  // sign mask per slot and lane (0 on padding)
  const uint64_t* wb = nullptr;  // per slot, 4 x L masks: lane's weight has bit 0..3 (0 on padding)
};

// SQA tables of one sweep: q[W][U][D] for a flip at a site of field total W (units) with U unsatisfied
// bond units in its slice and D (0..2) of its two neighbouring slices disagreeing: the flip costs
// x = 2 w unit (W - 2U) + 4 Jperp (1 - D) and is taken with probability min(1, exp(-x)):
// ~0 = always (x <= 0), 0 = never (exp(-x) < 2^-64), else floor(2^64 exp(-x)).
// Per W, the classes (U, D) whose outcome is not certain are listed and split into up to 6 groups of at
// most 4; a site tables every union of each group's class masks (entries base[g] .. base[g] + 2^size[g]),
// and code[t][g] names the entry of group g holding the classes with a 1 at bit (63 - t) of their
// threshold, so a step's plane is one load per group. Classes that never flip are listed in rej.
struct SqaClasses {
  uint8_t n = 0, groups = 0, nrej = 0;
  uint8_t size[6] = {}, base[6] = {};
  uint8_t u[28] = {}, d[28] = {};  // undecided classes, group by group (zero padded: read 4 at a time)
  uint8_t ru[24] = {}, rd[24] = {};  // classes that never flip
  uint8_t code[64][6] = {};
};
struct SqaTables {
  uint64_t q[16][16][3];
  SqaClasses cls[8];  // W <= 7 (kPackedSqaMaxFieldUnits)
};

// One chunk: NW 64-read words of one model, swept together.
struct Chunk {
  int n = 0;                       // sites, in sweep order (positions)
  int K = 2;                       // bit planes of the unsatisfied-bond counter
  bool unit = true;                // every |weight| is 1
  const uint32_t* start = nullptr;  // n + 1 bond offsets per position
  const Bond* bonds = nullptr;
  const int32_t* total = nullptr;  // W_p = sum of |weights| at position p
  uint64_t* a = nullptr;           // (n + 1) * NW words, a[p * NW + k]; a[n * NW + k] == 0; 64-byte aligned
  const uint64_t* keys = nullptr;  // NW hash keys, one per word
  size_t sweeps = 0;
  // Called before sweep t: refreshes q[1..maxField] and codes when beta changes, counts progress;
  // nonzero stops the chunk (cancelled).
  const uint64_t* q = nullptr;
  const StepCodes* codes = nullptr;
  void* ctx = nullptr;
  int (*beforeSweep)(void* ctx, size_t t) = nullptr;
  const SiteGroups* groups = nullptr;  // for the site-parallel sweeps (one word)
  // SQA: a holds slices x (n + 1) x NW words (slice s at a + s * (n + 1) * NW); sqa is refreshed by
  // beforeSweep.
  int slices = 0;
  const SqaTables* sqa = nullptr;
};

// The sweeps of one chunk with 1, 4 or 8 words per vector.
void runChunkPortable(const Chunk& c);
void runChunkAvx2(const Chunk& c);
void runChunkAvx512(const Chunk& c);
// SQA sweeps (local moves, all slices in turn) of one chunk with 1, 4 or 8 words per vector.
void runSqaPortable(const Chunk& c);
void runSqaAvx2(const Chunk& c);
void runSqaAvx512(const Chunk& c);
// The sweeps of a one-word chunk with 4 or 8 positions per vector (groups built for that width).
void runSitesAvx2(const Chunk& c);
void runSitesAvx512(const Chunk& c);

}  // namespace packed
}  // namespace qahan
