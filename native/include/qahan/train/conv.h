// qahan/train/conv.h - the training network's hot kernels in native code: 2-D convolution (stride 1, no
// dilation, NHWC input, HWIO filter) forward and its two gradients, and max-pool's gradient. They run on
// buffers the caller owns (the tfjs wasm heap, see src/train/native-kernels.ts), on the calling thread,
// vectorised for the best instruction set the CPU has. Results are deterministic for a given CPU: every
// output element is summed in a fixed order.
#pragma once
#include <cstddef>
#include <cstdint>

namespace qahan {
namespace train {

// Geometry of one convolution: input [n, h, w, ci], filter [kh, kw, ci, co], output [n, oh, ow, co], output
// (y, x) reading input (y + ky - padTop, x + kx - padLeft); reads outside the input are zeros.
struct ConvGeom {
  int n = 0, h = 0, w = 0, ci = 0;
  int kh = 0, kw = 0, co = 0;
  int padTop = 0, padLeft = 0;
  int oh = 0, ow = 0;
};

// Returns an empty string when g is consistent and within limits, else why not.
const char* convGeomProblem(const ConvGeom& g);

void conv2dForward(const ConvGeom& g, const float* x, const float* filter, float* out);
// dfilter[ky, kx, c, o] = sum over n, y, x of input(n, y + ky - padTop, x + kx - padLeft, c) * dy[n, y, x, o].
void conv2dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dfilter);
// dx[n, y, x, c] = sum over ky, kx, o of dy(n, y - ky + padTop, x - kx + padLeft, o) * filter[ky, kx, c, o].
void conv2dBackpropInput(const ConvGeom& g, const float* dy, const float* filter, float* dx);

// Max pooling's gradient, NHWC: for each output cell, dy goes to the first (row-major) maximum of its window
// in x; overlapping windows add up. Windows reading outside x skip those cells.
struct PoolGeom {
  int n = 0, h = 0, w = 0, c = 0;
  int fh = 0, fw = 0, sh = 0, sw = 0;
  int padTop = 0, padLeft = 0;
  int oh = 0, ow = 0;
};
const char* poolGeomProblem(const PoolGeom& g);
void maxPoolGrad(const PoolGeom& g, const float* dy, const float* x, float* dx);

// Which instruction set the convolutions use: "avx512", "avx2" or "portable".
const char* convIsa();

}  // namespace train
}  // namespace qahan
