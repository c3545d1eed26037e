// The 'sparse' SA lanes compiled for AVX2 (see qahan/kernels/lanes.h); the whole file is under the
// pragma, and only called when the CPU has AVX2 (sparse_lanes.cc).
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx2")
#endif
#include "qahan/kernels/lanes.h"

namespace qahan {
namespace lanes {
bool runGroupAvx2(const Group& g) { return runGroup(g); }
}  // namespace lanes
}  // namespace qahan
#if defined(__clang__)
#pragma clang attribute pop
#endif
#else
#include "qahan/kernels/lanes_group.h"
namespace qahan {
namespace lanes {
bool runGroupAvx2(const Group& g) { return runGroupPortable(g); }
}  // namespace lanes
}  // namespace qahan
#endif
