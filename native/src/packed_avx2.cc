// The packed sweeps with 4 words (or 4 sites) per AVX2 vector; called only when the CPU has AVX2
// (packed.cc). Everything it compiles is internal (qahan/kernels/packed.h's unnamed namespace).
#include "qahan/isa/begin_avx2.h"
#if defined(QAHAN_ISA_AVX2)
#include "qahan/kernels/packed.h"

namespace qahan {
namespace packed {
void runChunkAvx2(const Chunk& c) { runChunk<v4>(c); }
void runSqaAvx2(const Chunk& c) { runSqa<v4>(c); }
void runSitesAvx2(const Chunk& c) { runSites<v4>(c); }
}  // namespace packed
}  // namespace qahan
#endif
#include "qahan/isa/end.h"
