// The 'sparse' SA lanes compiled for AVX-512 (see qahan/kernels/lanes.h); only called when the CPU has it
// (sparse_lanes.cc). qahan/isa/begin_avx512.h sets the target and QAHAN_ISA_AVX512, which lanes.h tests
// (GCC's target pragma leaves __AVX2__ and kin undefined).
#include "qahan/isa/begin_avx512.h"
#if defined(QAHAN_ISA_AVX512)
#include "qahan/kernels/lanes.h"

namespace qahan {
namespace lanes {
bool runGroupAvx512(const Group& g) { return runGroup(g); }
}  // namespace lanes
}  // namespace qahan
#else
#include "qahan/kernels/lanes_group.h"
namespace qahan {
namespace lanes {
bool runGroupAvx512(const Group& g) { return runGroupPortable(g); }
}  // namespace lanes
}  // namespace qahan
#endif
#include "qahan/isa/end.h"
