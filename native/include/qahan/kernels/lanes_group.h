// qahan/kernels/lanes_group.h - what the host side of the 'sparse' SA kernel (native/src/sparse_lanes.cc)
// hands to its sweep loops, compiled once per instruction set (native/src/lanes_{portable,avx2,avx512}.cc,
// each under its own `#pragma GCC target`). Plain data and declarations only, so no out-of-line copy
// built for one instruction set can be picked by the linker for another.
#pragma once
#include <cstddef>
#include <cstdint>

namespace qahan {
namespace lanes {

struct Slot {
  int32_t j;     // neighbour site (n = the dummy site of the padding)
  int32_t base;  // -2 w: the change of f_j when this spin goes from +1 to -1 (0 on padding)
};

// L reads of one integer model side by side, one per 32-bit lane: fields f_i in units, spins as masks
// (0: s = +1, -1: s = -1), and per lane its own xoshiro128++ stream. Every attempt of every lane takes
// one 32-bit number of its own stream, so a read's samples do not depend on L or on the other lanes.
struct Group {
  int n = 0, D = 0, L = 16;
  const Slot* slots = nullptr;  // n * D
  int32_t* f = nullptr;         // (n + 1) * L, f[i * L + l]; 64-byte aligned
  int32_t* m = nullptr;         // n * L, 64-byte aligned
  uint32_t* rng = nullptr;      // 4 * L state words, rng[w * L + l]; 64-byte aligned
  int maxField = 0;
  const uint32_t* thr = nullptr;  // thr[c] = floor(2^32 exp(-2 beta unit c)), c = 1..maxField; thr[0] = 0
  size_t sweeps = 0;
  // Called before sweep t: refreshes thr when beta changes and counts progress; nonzero stops the group.
  void* ctx = nullptr;
  int (*beforeSweep)(void* ctx, size_t t) = nullptr;
};

// Runs g.sweeps sweeps; returns false when beforeSweep stopped it. L is 4, 8 or 16 (any width on any ISA).
bool runGroupPortable(const Group& g);
bool runGroupAvx2(const Group& g);
bool runGroupAvx512(const Group& g);

}  // namespace lanes
}  // namespace qahan
