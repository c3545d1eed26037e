// qahan/train/reduce.h - column sums of a row-major [rows, cols] float32 matrix (a bias gradient: the sum
// over every axis but the last). Each column is summed in row order with float accumulation, as the tfjs
// wasm Sum kernel does after moving the summed axes innermost, so the results match it bit for bit.
#pragma once
#include <cstddef>

namespace qahan {
namespace train {

void sumRows(const float* x, std::size_t rows, std::size_t cols, float* out);

}  // namespace train
}  // namespace qahan
