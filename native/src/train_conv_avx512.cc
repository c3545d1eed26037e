// The convolution loops with 16 floats per vector (train_conv.cc picks the file the CPU can run).
#include "qahan/isa/begin_avx512.h"
#if defined(QAHAN_ISA_AVX512)
#include "qahan/train/conv_loops.h"

namespace qahan {
namespace train {
void convForwardAvx512(const ForwardArgs& a) { forwardLoops<16>(a); }
void convFilterAvx512(const FilterArgs& a) { filterLoops<16>(a); }
}  // namespace train
}  // namespace qahan
#endif
#include "qahan/isa/end.h"
