// qahan/isa/begin_avx2.h - compiles the rest of the including .cc file for AVX2 where the compiler can
// (x86 with GCC or Clang) and then defines QAHAN_ISA_AVX2. Include it first, before any other header, and
// qahan/isa/end.h last. A file-wide pragma, not a target attribute on single functions: with the
// attribute GCC 12 built vector broadcasts lane by lane. Such a file may only be called after the CPU
// said it has AVX2, and must not define or instantiate anything with external linkage beyond its entry
// points, or the linker could keep its copy of an inline function for every CPU.
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define QAHAN_ISA_AVX2 1
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC target("avx2")
#endif
#endif
