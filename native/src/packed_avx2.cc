// The packed sweeps with 4 words per AVX2 vector. The whole file is compiled for AVX2 by the pragma (a
// target attribute on single functions makes GCC 12 build broadcasts lane by lane); only called when
// the CPU has AVX2 (packed.cc), and it includes nothing with external linkage that another file could
// share (see qahan/kernels/packed_chunk.h).
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx2")
#endif
#define QAHAN_PACKED_AVX2 1
#include "qahan/kernels/packed.h"

namespace qahan {
namespace packed {
void runChunkAvx2(const Chunk& c) { runChunk<v4>(c); }
void runSitesAvx2(const Chunk& c) { runSites<v4>(c); }
}  // namespace packed
}  // namespace qahan
#if defined(__clang__)
#pragma clang attribute pop
#endif
#endif
