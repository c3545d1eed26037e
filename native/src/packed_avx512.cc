// The packed sweeps with 8 words per AVX-512 vector; compiled and guarded as packed_avx2.cc is.
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx512f,avx512vl,avx512bw,avx512dq")
#endif
#define QAHAN_PACKED_AVX512 1
#include "qahan/kernels/packed.h"

namespace qahan {
namespace packed {
void runChunkAvx512(const Chunk& c) { runChunk<v8>(c); }
void runSitesAvx512(const Chunk& c) { runSites<v8>(c); }
}  // namespace packed
}  // namespace qahan
#if defined(__clang__)
#pragma clang attribute pop
#endif
#endif
