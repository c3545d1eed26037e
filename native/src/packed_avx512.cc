// The packed sweeps with 8 words (or 8 sites) per AVX-512 vector; as packed_avx2.cc.
#include "qahan/isa/begin_avx512.h"
#if defined(QAHAN_ISA_AVX512)
#include "qahan/kernels/packed.h"

namespace qahan {
namespace packed {
void runChunkAvx512(const Chunk& c) { runChunk<v8>(c); }
void runSqaAvx512(const Chunk& c) { runSqa<v8>(c); }
void runSitesAvx512(const Chunk& c) { runSites<v8>(c); }
}  // namespace packed
}  // namespace qahan
#endif
#include "qahan/isa/end.h"
