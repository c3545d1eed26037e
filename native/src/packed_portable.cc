// The packed sweeps, one 64-bit word per vector: runs on any CPU (see qahan/kernels/packed.h).
#if defined(__GNUC__) || defined(__clang__)
#include "qahan/kernels/packed.h"

namespace qahan {
namespace packed {
void runChunkPortable(const Chunk& c) { runChunk<v1>(c); }
void runSqaPortable(const Chunk& c) { runSqa<v1>(c); }
}  // namespace packed
}  // namespace qahan
#endif
