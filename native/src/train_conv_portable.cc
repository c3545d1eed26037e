// The convolution loops with 4 floats per vector (train_conv.cc picks the file the CPU can run).
#include "qahan/train/conv_loops.h"

namespace qahan {
namespace train {
void convForwardPortable(const ForwardArgs& a) { forwardLoops<4>(a); }
void convFilterPortable(const FilterArgs& a) { filterLoops<4>(a); }
}  // namespace train
}  // namespace qahan
