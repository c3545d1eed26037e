// Column sums (qahan/train/reduce.h): rows streamed once, the running sums of a block of columns kept in
// a small buffer that stays in L1; no transpose.
#include "qahan/train/reduce.h"

#include <algorithm>

namespace qahan {
namespace train {

void sumRows(const float* x, std::size_t rows, std::size_t cols, float* out) {
  constexpr std::size_t kBlock = 1024;  // columns per pass: 4 KiB of sums
  for (std::size_t c0 = 0; c0 < cols; c0 += kBlock) {
    const std::size_t w = std::min(kBlock, cols - c0);
    float acc[kBlock];
    std::fill(acc, acc + w, 0.0f);
    for (std::size_t r = 0; r < rows; ++r) {
      const float* row = x + r * cols + c0;
      for (std::size_t c = 0; c < w; ++c) acc[c] += row[c];
    }
    std::copy(acc, acc + w, out + c0);
  }
}

}  // namespace train
}  // namespace qahan
