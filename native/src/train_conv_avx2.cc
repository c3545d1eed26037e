// The convolution loops with 8 floats per vector (train_conv.cc picks the file the CPU can run).
#include "qahan/isa/begin_avx2.h"
#if defined(QAHAN_ISA_AVX2)
#include "qahan/train/conv_loops.h"

namespace qahan {
namespace train {
void convForwardAvx2(const ForwardArgs& a) { forwardLoops<8>(a); }
void convFilterAvx2(const FilterArgs& a) { filterLoops<8>(a); }
}  // namespace train
}  // namespace qahan
#endif
#include "qahan/isa/end.h"
