// The 'sparse' SA lanes for the baseline instruction set (see qahan/kernels/lanes.h).
#if defined(__GNUC__) || defined(__clang__)
#include "qahan/kernels/lanes.h"

namespace qahan {
namespace lanes {
bool runGroupPortable(const Group& g) { return runGroup(g); }
}  // namespace lanes
}  // namespace qahan
#endif
