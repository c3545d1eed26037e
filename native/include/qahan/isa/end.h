// qahan/isa/end.h - closes qahan/isa/begin_*.h at the end of the including file.
#if defined(__clang__) && (defined(QAHAN_ISA_AVX2) || defined(QAHAN_ISA_AVX512))
#pragma clang attribute pop
#endif
