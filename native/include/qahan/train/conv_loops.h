// qahan/train/conv_loops.h - the convolution loops, compiled once per instruction set (train_conv_*.cc) over
// buffers train_conv.cc has prepared: a zero-padded input and a filter whose output channels are padded to a
// whole number of vectors. Internal linkage only (anonymous namespace): see qahan/isa/begin_avx512.h.
#pragma once
#include <cstddef>
#include <cstring>

namespace qahan {
namespace train {

// Forward over a padded input xp [n][xh][xw][ci] (xh = oh + kh - 1, xw = ow + kw - 1) and filter
// wp [kh][kw][ci][cop] (cop a multiple of the vector width); writes out [n][oh][ow][co].
struct ForwardArgs {
  const float* xp;
  const float* wp;
  float* out;
  int n, oh, ow, ci, kh, kw, co, cop;
  int tile;  // channel vectors per tile: 1, 2 or 4; 0 picks
};

// dfilter accumulation: dwp[k][cop] += sum over pixels m of xp[pix[m] + koff[k]] * dyp[m][cop], k over
// kh * kw * ci (ci fastest), m over n * oh * ow.
struct FilterArgs {
  const float* xp;
  const float* dyp;
  const std::size_t* pix;
  const std::size_t* koff;
  float* dwp;
  std::size_t pixels;
  int k, cop;
  int tile;  // as ForwardArgs::tile
};

namespace {

template <int VL>
struct VecOf {
  typedef float type __attribute__((vector_size(VL * sizeof(float))));
};

template <int VL>
inline typename VecOf<VL>::type loadv(const float* p) {
  typename VecOf<VL>::type v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <int VL>
inline void storev(float* p, typename VecOf<VL>::type v) {
  std::memcpy(p, &v, sizeof v);
}

// P output pixels of one row x J vectors of output channels. xb: xp at (n, y, x0); wb: wp at channel co0.
template <int VL, int J, int P>
inline void forwardTile(const ForwardArgs& a, const float* xb, std::size_t rowStride, const float* wb, float* ob,
                        int coLeft) {
  typedef typename VecOf<VL>::type V;
  V acc[P][J];
  for (int p = 0; p < P; ++p)
    for (int j = 0; j < J; ++j) acc[p][j] = V{};
  const int ci = a.ci;
  for (int ky = 0; ky < a.kh; ++ky) {
    for (int kx = 0; kx < a.kw; ++kx) {
      const float* xr = xb + ky * rowStride + static_cast<std::size_t>(kx) * ci;
      const float* wr = wb + static_cast<std::size_t>(ky * a.kw + kx) * ci * a.cop;
      for (int c = 0; c < ci; ++c) {
        V wv[J];
        for (int j = 0; j < J; ++j) wv[j] = loadv<VL>(wr + static_cast<std::size_t>(c) * a.cop + j * VL);
        for (int p = 0; p < P; ++p) {
          const float s = xr[static_cast<std::size_t>(p) * ci + c];
          for (int j = 0; j < J; ++j) acc[p][j] += wv[j] * s;
        }
      }
    }
  }
  for (int p = 0; p < P; ++p) {
    float* o = ob + static_cast<std::size_t>(p) * a.co;
    for (int j = 0; j < J; ++j) {
      const int left = coLeft - j * VL;
      if (left >= VL) {
        storev<VL>(o + j * VL, acc[p][j]);
      } else if (left > 0) {
        float tmp[VL];
        storev<VL>(tmp, acc[p][j]);
        std::memcpy(o + j * VL, tmp, sizeof(float) * left);
      }
    }
  }
}

template <int VL, int J, int P>
inline void forwardRow(const ForwardArgs& a, const float* xrow, std::size_t rowStride, float* orow) {
  for (int co0 = 0; co0 < a.cop; co0 += J * VL) {
    const float* wb = a.wp + co0;
    int x0 = 0;
    for (; x0 + P <= a.ow; x0 += P)
      forwardTile<VL, J, P>(a, xrow + static_cast<std::size_t>(x0) * a.ci, rowStride, wb,
                            orow + static_cast<std::size_t>(x0) * a.co + co0, a.co - co0);
    for (; x0 < a.ow; ++x0)
      forwardTile<VL, J, 1>(a, xrow + static_cast<std::size_t>(x0) * a.ci, rowStride, wb,
                            orow + static_cast<std::size_t>(x0) * a.co + co0, a.co - co0);
  }
}

template <int VL, int J, int P>
inline void forwardAll(const ForwardArgs& a) {
  const std::size_t xw = static_cast<std::size_t>(a.ow + a.kw - 1), xh = static_cast<std::size_t>(a.oh + a.kh - 1);
  const std::size_t rowStride = xw * a.ci;
  for (int b = 0; b < a.n; ++b)
    for (int y = 0; y < a.oh; ++y)
      forwardRow<VL, J, P>(a, a.xp + (b * xh + y) * rowStride, rowStride,
                           a.out + (static_cast<std::size_t>(b) * a.oh + y) * a.ow * a.co);
}

// J vectors per tile, P pixels: 12 accumulators.
template <int VL>
inline void forwardLoops(const ForwardArgs& a) {
  const int blocks = a.cop / VL;
  if (a.tile == 1) return forwardAll<VL, 1, 12>(a);
  if (a.tile == 2 && blocks % 2 == 0) return forwardAll<VL, 2, 6>(a);
  if (a.tile == 4 && blocks % 4 == 0) return forwardAll<VL, 4, 3>(a);
  // Two channel vectors by six pixels measured best on MNIST's layers (AVX-512; 4 x 3 spills the
  // filter tile out of L1).
  if (blocks % 2 == 0) return forwardAll<VL, 2, 6>(a);
  return forwardAll<VL, 1, 12>(a);
}

// PK filter rows (k) x J channel vectors, accumulated over pixels [m0, m1).
template <int VL, int J, int PK>
inline void filterTile(const FilterArgs& a, int k0, int co0, std::size_t m0, std::size_t m1) {
  typedef typename VecOf<VL>::type V;
  V acc[PK][J];
  std::size_t ko[PK];
  for (int p = 0; p < PK; ++p) {
    ko[p] = a.koff[k0 + p];
    for (int j = 0; j < J; ++j) acc[p][j] = loadv<VL>(a.dwp + static_cast<std::size_t>(k0 + p) * a.cop + co0 + j * VL);
  }
  for (std::size_t m = m0; m < m1; ++m) {
    const float* xb = a.xp + a.pix[m];
    const float* d = a.dyp + m * a.cop + co0;
    V dv[J];
    for (int j = 0; j < J; ++j) dv[j] = loadv<VL>(d + j * VL);
    for (int p = 0; p < PK; ++p) {
      const float s = xb[ko[p]];
      for (int j = 0; j < J; ++j) acc[p][j] += dv[j] * s;
    }
  }
  for (int p = 0; p < PK; ++p)
    for (int j = 0; j < J; ++j) storev<VL>(a.dwp + static_cast<std::size_t>(k0 + p) * a.cop + co0 + j * VL, acc[p][j]);
}

template <int VL, int J, int PK>
inline void filterAll(const FilterArgs& a) {
  // Pixel chunks keep a chunk of dy and of the input in cache while every tile passes over it.
  const std::size_t chunk = 256;
  for (std::size_t m0 = 0; m0 < a.pixels; m0 += chunk) {
    const std::size_t m1 = m0 + chunk < a.pixels ? m0 + chunk : a.pixels;
    for (int co0 = 0; co0 < a.cop; co0 += J * VL) {
      int k0 = 0;
      for (; k0 + PK <= a.k; k0 += PK) filterTile<VL, J, PK>(a, k0, co0, m0, m1);
      for (; k0 < a.k; ++k0) filterTile<VL, J, 1>(a, k0, co0, m0, m1);
    }
  }
}

template <int VL>
inline void filterLoops(const FilterArgs& a) {
  const int blocks = a.cop / VL;
  if (a.tile == 1) return filterAll<VL, 1, 12>(a);
  if (a.tile == 2 && blocks % 2 == 0) return filterAll<VL, 2, 6>(a);
  if (a.tile == 4 && blocks % 4 == 0) return filterAll<VL, 4, 3>(a);
  // Two channel vectors by six pixels measured best on MNIST's layers (AVX-512; 4 x 3 spills the
  // filter tile out of L1).
  if (blocks % 2 == 0) return filterAll<VL, 2, 6>(a);
  return filterAll<VL, 1, 12>(a);
}

}  // namespace
}  // namespace train
}  // namespace qahan
