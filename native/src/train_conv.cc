// The training kernels' host side: checks the geometry, pads the input and the filter into reused scratch
// buffers, and runs the loops of the widest instruction set the CPU has (train_conv_*.cc).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include "qahan/train/conv.h"
#include "qahan/train/conv_loops.h"

namespace qahan {
namespace train {

void convForwardPortable(const ForwardArgs& a);
void convFilterPortable(const FilterArgs& a);
#if defined(__x86_64__) || defined(__i386__)
void convForwardAvx2(const ForwardArgs& a);
void convFilterAvx2(const FilterArgs& a);
void convForwardAvx512(const ForwardArgs& a);
void convFilterAvx512(const FilterArgs& a);
#endif

namespace {

struct Isa {
  const char* name;
  int width;  // floats per vector
  void (*forward)(const ForwardArgs&);
  void (*filter)(const FilterArgs&);
};

const Isa& isa() {
  static const Isa chosen = [] {
    const char* e = std::getenv("QAHAN_CONV_ISA");
    const std::string want = e ? e : "";
    Isa portable{"portable", 4, convForwardPortable, convFilterPortable};
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    const bool has512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
    const bool has2 = __builtin_cpu_supports("avx2");
    Isa avx2{"avx2", 8, convForwardAvx2, convFilterAvx2};
    Isa avx512{"avx512", 16, convForwardAvx512, convFilterAvx512};
    if (want == "portable") return portable;
    if (want == "avx2") return has2 ? avx2 : portable;
    return has512 ? avx512 : has2 ? avx2 : portable;
#else
    return portable;
#endif
  }();
  return chosen;
}

// Scratch reused across calls (a fresh multi-megabyte buffer per call costs its page faults every time).
// 64-byte aligned, so that the loops' full-vector loads of filter rows and dy never straddle cache lines.
template <class T>
struct Aligned64 {
  using value_type = T;
  Aligned64() = default;
  template <class U>
  Aligned64(const Aligned64<U>&) {}
  T* allocate(std::size_t n) {
    void* p = ::operator new(n * sizeof(T), std::align_val_t(64));
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t(64)); }
  template <class U>
  bool operator==(const Aligned64<U>&) const { return true; }
  template <class U>
  bool operator!=(const Aligned64<U>&) const { return false; }
};
using FloatBuf = std::vector<float, Aligned64<float>>;

thread_local FloatBuf tlPadded, tlFilter, tlDy, tlDw;
thread_local std::vector<std::size_t> tlPix, tlKoff;

int tileChoice() {
  static const int t = [] {
    const char* e = std::getenv("QAHAN_CONV_TILE");
    return e ? std::atoi(e) : 0;
  }();
  return t;
}

float* scratch(FloatBuf& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

int roundUp(int v, int m) { return (v + m - 1) / m * m; }

// rows x cols floats into scratch v with rows `stride` floats apart, zeros after each row's cols.
const float* widenRows(FloatBuf& v, const float* src, std::size_t rows, int cols, int stride) {
  float* d = scratch(v, rows * stride);
  for (std::size_t r = 0; r < rows; ++r) {
    std::memcpy(d + r * stride, src + r * cols, sizeof(float) * cols);
    std::fill(d + r * stride + cols, d + (r + 1) * stride, 0.0f);
  }
  return d;
}

// x [n][h][w][c] into xp [n][xh][xw][c] with xp(y, x) = x(y - top, x - left), zeros outside.
const float* padInput(const float* x, int n, int h, int w, int c, int top, int left, int xh, int xw) {
  const std::size_t rowLen = static_cast<std::size_t>(xw) * c;
  float* xp = scratch(tlPadded, static_cast<std::size_t>(n) * xh * rowLen);
  for (int b = 0; b < n; ++b) {
    for (int y = 0; y < xh; ++y) {
      float* dst = xp + (static_cast<std::size_t>(b) * xh + y) * rowLen;
      const int sy = y - top;
      if (sy < 0 || sy >= h) {
        std::fill(dst, dst + rowLen, 0.0f);
        continue;
      }
      const int x0 = std::max(0, left), x1 = std::min(xw, w + left);  // destination columns with a source
      std::fill(dst, dst + static_cast<std::size_t>(x0) * c, 0.0f);
      if (x1 > x0)
        std::memcpy(dst + static_cast<std::size_t>(x0) * c,
                    x + ((static_cast<std::size_t>(b) * h + sy) * w + (x0 - left)) * c, sizeof(float) * (x1 - x0) * c);
      std::fill(dst + static_cast<std::size_t>(std::max(x1, x0)) * c, dst + rowLen, 0.0f);
    }
  }
  return xp;
}

}  // namespace

const char* convIsa() { return isa().name; }

const char* convGeomProblem(const ConvGeom& g) {
  const long long lim = 1 << 24;
  if (g.n < 1 || g.h < 1 || g.w < 1 || g.ci < 1 || g.kh < 1 || g.kw < 1 || g.co < 1 || g.oh < 1 || g.ow < 1)
    return "every size must be at least 1";
  if (g.n > lim || g.h > lim || g.w > lim || g.ci > lim || g.kh > 1024 || g.kw > 1024 || g.co > lim || g.oh > lim || g.ow > lim)
    return "a size is too large";
  if (g.padTop < 0 || g.padLeft < 0 || g.padTop >= g.kh || g.padLeft >= g.kw) return "pads must be in [0, filter size)";
  // Padded input and output must stay addressable with plenty of room.
  const double xp = double(g.n) * (g.oh + g.kh - 1) * (g.ow + g.kw - 1) * std::max(g.ci, g.co + 16);
  const double out = double(g.n) * g.oh * g.ow * std::max(g.co, g.ci);
  const double flt = double(g.kh) * g.kw * (g.ci + 16) * (g.co + 16);
  if (xp > double(1ll << 31) || out > double(1ll << 31) || flt > double(1ll << 30)) return "the tensors are too large";
  return "";
}

void conv2dForward(const ConvGeom& g, const float* x, const float* filter, float* out) {
  const Isa& s = isa();
  const int cop = roundUp(g.co, s.width);
  const int xh = g.oh + g.kh - 1, xw = g.ow + g.kw - 1;
  const float* xp = padInput(x, g.n, g.h, g.w, g.ci, g.padTop, g.padLeft, xh, xw);
  const std::size_t k = static_cast<std::size_t>(g.kh) * g.kw * g.ci;
  // Copied when padded or unaligned (a few hundred KiB at most): aligned rows load faster.
  const bool aligned = reinterpret_cast<std::uintptr_t>(filter) % 64 == 0 && (g.co * sizeof(float)) % 64 == 0;
  const float* wp = cop == g.co && aligned ? filter : widenRows(tlFilter, filter, k, g.co, cop);
  s.forward(ForwardArgs{xp, wp, out, g.n, g.oh, g.ow, g.ci, g.kh, g.kw, g.co, cop, tileChoice()});
}

void conv2dBackpropInput(const ConvGeom& g, const float* dy, const float* filter, float* dx) {
  // dx is the forward convolution of dy with the filter turned by 180 degrees and its channels swapped,
  // dy padded by (filter - 1 - pad) before, so that dx comes out at the input's size.
  const Isa& s = isa();
  const int cip = roundUp(g.ci, s.width);
  float* f = scratch(tlFilter, static_cast<std::size_t>(g.kh) * g.kw * g.co * cip);
  for (int ky = 0; ky < g.kh; ++ky)
    for (int kx = 0; kx < g.kw; ++kx)
      for (int o = 0; o < g.co; ++o) {
        float* dst = f + ((static_cast<std::size_t>(ky) * g.kw + kx) * g.co + o) * cip;
        const float* src = filter + (static_cast<std::size_t>(g.kh - 1 - ky) * g.kw + (g.kw - 1 - kx)) * g.ci * g.co + o;
        for (int c = 0; c < g.ci; ++c) dst[c] = src[static_cast<std::size_t>(c) * g.co];
        std::fill(dst + g.ci, dst + cip, 0.0f);
      }
  const int top = g.kh - 1 - g.padTop, left = g.kw - 1 - g.padLeft;
  const int xh = g.h + g.kh - 1, xw = g.w + g.kw - 1;
  const float* dyp = padInput(dy, g.n, g.oh, g.ow, g.co, top, left, xh, xw);
  s.forward(ForwardArgs{dyp, f, dx, g.n, g.h, g.w, g.co, g.kh, g.kw, g.ci, cip, tileChoice()});
}

void conv2dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dfilter) {
  const Isa& s = isa();
  const int cop = roundUp(g.co, s.width);
  const int xh = g.oh + g.kh - 1, xw = g.ow + g.kw - 1;
  const float* xp = padInput(x, g.n, g.h, g.w, g.ci, g.padTop, g.padLeft, xh, xw);
  const std::size_t pixels = static_cast<std::size_t>(g.n) * g.oh * g.ow;
  const bool aligned = reinterpret_cast<std::uintptr_t>(dy) % 64 == 0 && (g.co * sizeof(float)) % 64 == 0;
  const float* dyp = cop == g.co && aligned ? dy : widenRows(tlDy, dy, pixels, g.co, cop);
  if (tlPix.size() < pixels) tlPix.resize(pixels);
  std::size_t m = 0;
  for (int b = 0; b < g.n; ++b)
    for (int y = 0; y < g.oh; ++y)
      for (int xx = 0; xx < g.ow; ++xx) tlPix[m++] = ((static_cast<std::size_t>(b) * xh + y) * xw + xx) * g.ci;
  const int k = g.kh * g.kw * g.ci;
  if (tlKoff.size() < static_cast<std::size_t>(k)) tlKoff.resize(k);
  for (int ky = 0, r = 0; ky < g.kh; ++ky)
    for (int kx = 0; kx < g.kw; ++kx)
      for (int c = 0; c < g.ci; ++c) tlKoff[r++] = (static_cast<std::size_t>(ky) * xw + kx) * g.ci + c;
  // Accumulated in aligned scratch (its rows are loaded and stored once per tile and pixel chunk).
  float* dwp = scratch(tlDw, static_cast<std::size_t>(k) * cop);
  std::fill(dwp, dwp + static_cast<std::size_t>(k) * cop, 0.0f);
  s.filter(FilterArgs{xp, dyp, tlPix.data(), tlKoff.data(), dwp, pixels, k, cop, tileChoice()});
  if (dwp != dfilter)
    for (int r = 0; r < k; ++r) std::memcpy(dfilter + static_cast<std::size_t>(r) * g.co, dwp + static_cast<std::size_t>(r) * cop, sizeof(float) * g.co);
}

const char* poolGeomProblem(const PoolGeom& g) {
  const long long lim = 1 << 24;
  if (g.n < 1 || g.h < 1 || g.w < 1 || g.c < 1 || g.fh < 1 || g.fw < 1 || g.sh < 1 || g.sw < 1 || g.oh < 1 || g.ow < 1)
    return "every size must be at least 1";
  if (g.n > lim || g.h > lim || g.w > lim || g.c > lim || g.fh > lim || g.fw > lim || g.sh > lim || g.sw > lim || g.oh > lim || g.ow > lim)
    return "a size is too large";
  if (g.padTop < 0 || g.padLeft < 0 || g.padTop >= g.fh || g.padLeft >= g.fw) return "pads must be in [0, window size)";
  if (double(g.n) * g.h * g.w * g.c > double(1ll << 31) || double(g.n) * g.oh * g.ow * g.c > double(1ll << 31)) return "the tensors are too large";
  return "";
}

namespace {

// The common 2 x 2, stride 2, unpadded case, branch-free so that the compiler vectorises over channels:
// cell i of a window takes dy when it is a number above -inf, no earlier cell is >= it and no later cell
// is > it, which is what maxPoolGrad's sequential rule gives.
void maxPoolGrad2x2(const PoolGeom& g, const float* dy, const float* x, float* dx) {
  const std::size_t c = g.c, rowLen = static_cast<std::size_t>(g.w) * c;
  const float ninf = -std::numeric_limits<float>::infinity();
  for (int b = 0; b < g.n; ++b)
    for (int oy = 0; oy < g.oh; ++oy) {
      const std::size_t r0 = (static_cast<std::size_t>(b) * g.h + 2 * oy) * rowLen, r1 = r0 + rowLen;
      for (int ox = 0; ox < g.ow; ++ox) {
        const std::size_t a0 = r0 + 2 * ox * c, a1 = a0 + c, a2 = r1 + 2 * ox * c, a3 = a2 + c;
        const float* d = dy + ((static_cast<std::size_t>(b) * g.oh + oy) * g.ow + ox) * c;
        for (std::size_t k = 0; k < c; ++k) {
          const float v0 = x[a0 + k], v1 = x[a1 + k], v2 = x[a2 + k], v3 = x[a3 + k];
          // Bitwise, not &&, and masks, not branches: random data mispredicts every branch, and the
          // compiler vectorises this form.
          const uint32_t p0 = (v0 > ninf) & !(v1 > v0) & !(v2 > v0) & !(v3 > v0);
          const uint32_t p1 = (v1 > ninf) & !(v0 >= v1) & !(v2 > v1) & !(v3 > v1);
          const uint32_t p2 = (v2 > ninf) & !(v0 >= v2) & !(v1 >= v2) & !(v3 > v2);
          const uint32_t p3 = (v3 > ninf) & !(v0 >= v3) & !(v1 >= v3) & !(v2 >= v3);
          uint32_t t;
          std::memcpy(&t, d + k, 4);
          const uint32_t o0 = t & (0u - p0), o1 = t & (0u - p1), o2 = t & (0u - p2), o3 = t & (0u - p3);
          std::memcpy(dx + a0 + k, &o0, 4);
          std::memcpy(dx + a1 + k, &o1, 4);
          std::memcpy(dx + a2 + k, &o2, 4);
          std::memcpy(dx + a3 + k, &o3, 4);
        }
      }
    }
}

}  // namespace

void maxPoolGrad(const PoolGeom& g, const float* dy, const float* x, float* dx) {
  if (g.fh == 2 && g.fw == 2 && g.sh == 2 && g.sw == 2 && g.padTop == 0 && g.padLeft == 0 && g.oh * 2 == g.h &&
      g.ow * 2 == g.w)
    return maxPoolGrad2x2(g, dy, x, dx);
  constexpr std::size_t kNone = ~std::size_t(0);
  const std::size_t plane = static_cast<std::size_t>(g.h) * g.w * g.c;
  std::fill(dx, dx + static_cast<std::size_t>(g.n) * plane, 0.0f);
  std::vector<std::size_t> best(g.c);
  std::vector<float> bestVal(g.c);
  for (int b = 0; b < g.n; ++b) {
    const float* xb = x + b * plane;
    float* db = dx + b * plane;
    for (int oy = 0; oy < g.oh; ++oy)
      for (int ox = 0; ox < g.ow; ++ox) {
        const float* d = dy + ((static_cast<std::size_t>(b) * g.oh + oy) * g.ow + ox) * g.c;
        // Start below every value and keep strictly greater ones: the first maximum in row-major window
        // order wins, and a window of NaN or -inf passes nothing on, as in tfjs.
        std::fill(best.begin(), best.end(), kNone);
        std::fill(bestVal.begin(), bestVal.end(), -std::numeric_limits<float>::infinity());
        for (int fy = 0; fy < g.fh; ++fy) {
          const int y = oy * g.sh + fy - g.padTop;
          if (y < 0 || y >= g.h) continue;
          for (int fx = 0; fx < g.fw; ++fx) {
            const int xx = ox * g.sw + fx - g.padLeft;
            if (xx < 0 || xx >= g.w) continue;
            const std::size_t at = (static_cast<std::size_t>(y) * g.w + xx) * g.c;
            const float* v = xb + at;
            for (int c = 0; c < g.c; ++c)
              if (v[c] > bestVal[c]) best[c] = at + c, bestVal[c] = v[c];
          }
        }
        for (int c = 0; c < g.c; ++c)
          if (best[c] != kNone) db[best[c]] += d[c];
      }
  }
}

}  // namespace train
}  // namespace qahan
