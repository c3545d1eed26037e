// The 'sparse' SA lanes compiled for AVX512 (see qahan/kernels/lanes.h); the whole file is under the
// pragma, and only called when the CPU has AVX512 (sparse_lanes.cc).
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx512f,avx512vl,avx512bw,avx512dq")
#endif
#include "qahan/kernels/lanes.h"

namespace qahan {
namespace lanes {
bool runGroupAvx512(const Group& g) { return runGroup(g); }
}  // namespace lanes
}  // namespace qahan
#if defined(__clang__)
#pragma clang attribute pop
#endif
#else
#include "qahan/kernels/lanes_group.h"
namespace qahan {
namespace lanes {
bool runGroupAvx512(const Group& g) { return runGroupPortable(g); }
}  // namespace lanes
}  // namespace qahan
#endif
