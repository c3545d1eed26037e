// JS binding of the training kernels (qahan/train/conv.h): trainingKernel(op, heap, offsets, dims) runs one
// kernel on float32 tensors that live in `heap` (an ArrayBuffer, in practice the tfjs wasm heap) at the given
// byte offsets, synchronously on the calling thread (tfjs kernels are synchronous). Everything is checked
// first: bad arguments throw TypeError / RangeError naming the argument, as the rest of the binding does, and
// no read or write can leave the buffer.
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "qahan/train/adam.h"
#include "qahan/train/conv.h"
#include "qahan/train/reduce.h"

namespace qahan {
namespace {

[[noreturn]] void fail(Napi::Env env, bool range, const std::string& msg) {
  if (range) throw Napi::RangeError::New(env, msg);
  throw Napi::TypeError::New(env, msg);
}

int64_t intAt(Napi::Env env, const Napi::Array& a, uint32_t i, const std::string& path, int64_t lo, int64_t hi) {
  const Napi::Value v = a.Get(i);
  const std::string at = path + "[" + std::to_string(i) + "]";
  if (!v.IsNumber()) fail(env, false, at + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::floor(d)) fail(env, true, at + " must be an integer");
  if (d < double(lo) || d > double(hi)) fail(env, true, at + " must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return static_cast<int64_t>(d);
}

Napi::Array arrayOf(Napi::Env env, const Napi::Value& v, const std::string& path, uint32_t len) {
  if (!v.IsArray()) fail(env, false, path + " must be an array");
  Napi::Array a = v.As<Napi::Array>();
  if (a.Length() != len) fail(env, true, path + " must have " + std::to_string(len) + " entries");
  return a;
}

// offsets[i] as a byte offset of a float32 tensor of count floats inside a heap of `bytes` bytes.
uint64_t tensorOffset(Napi::Env env, const Napi::Array& offs, uint32_t i, uint64_t count, uint64_t bytes) {
  const uint64_t off = static_cast<uint64_t>(intAt(env, offs, i, "offsets", 0, int64_t(1) << 52));
  if (off % 4 != 0) fail(env, true, "offsets[" + std::to_string(i) + "] must be a multiple of 4");
  if (off > bytes || count * 4 > bytes - off) fail(env, true, "offsets[" + std::to_string(i) + "]: the tensor does not fit in heap");
  return off;
}

Napi::Value TrainingKernel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) fail(env, false, "op must be a string");
  const std::string op = info[0].As<Napi::String>().Utf8Value();
  const bool pool = op == "maxPoolGrad";
  if (!pool && op != "conv2d" && op != "conv2dBackpropFilter" && op != "conv2dBackpropInput")
    fail(env, true, "op must be one of conv2d, conv2dBackpropFilter, conv2dBackpropInput, maxPoolGrad");
  if (!info[1].IsArrayBuffer()) fail(env, false, "heap must be an ArrayBuffer");
  Napi::ArrayBuffer heap = info[1].As<Napi::ArrayBuffer>();
  const uint64_t bytes = heap.ByteLength();
  Napi::Array offs = arrayOf(env, info[2], "offsets", 3);
  Napi::Array dims = arrayOf(env, info[3], "dims", pool ? 12 : 11);
  int64_t d[12];
  for (uint32_t i = 0; i < dims.Length(); ++i) d[i] = intAt(env, dims, i, "dims", 0, int64_t(1) << 30);

  // Element counts of the three tensors, in the order of `offsets`.
  uint64_t count[3];
  train::ConvGeom g;
  train::PoolGeom p;
  if (pool) {
    p = train::PoolGeom{int(d[0]), int(d[1]), int(d[2]), int(d[3]), int(d[4]), int(d[5]),
                        int(d[6]), int(d[7]), int(d[8]), int(d[9]), int(d[10]), int(d[11])};
    const char* why = train::poolGeomProblem(p);
    if (*why) fail(env, true, std::string("dims: ") + why);
    const uint64_t in = uint64_t(p.n) * p.h * p.w * p.c, out = uint64_t(p.n) * p.oh * p.ow * p.c;
    count[0] = out, count[1] = in, count[2] = in;  // dy, x, dx
  } else {
    g = train::ConvGeom{int(d[0]), int(d[1]), int(d[2]), int(d[3]), int(d[4]), int(d[5]),
                        int(d[6]), int(d[7]), int(d[8]), int(d[9]), int(d[10])};
    const char* why = train::convGeomProblem(g);
    if (*why) fail(env, true, std::string("dims: ") + why);
    const uint64_t in = uint64_t(g.n) * g.h * g.w * g.ci, out = uint64_t(g.n) * g.oh * g.ow * g.co,
                   filt = uint64_t(g.kh) * g.kw * g.ci * g.co;
    if (op == "conv2d") count[0] = in, count[1] = filt, count[2] = out;
    else if (op == "conv2dBackpropFilter") count[0] = in, count[1] = out, count[2] = filt;
    else count[0] = out, count[1] = filt, count[2] = in;
  }
  uint64_t off[3];
  for (uint32_t i = 0; i < 3; ++i) off[i] = tensorOffset(env, offs, i, count[i], bytes);
  // The output (last) must not overlap an input: the kernels read inputs while writing it.
  for (uint32_t i = 0; i < 2; ++i)
    if (off[2] < off[i] + count[i] * 4 && off[i] < off[2] + count[2] * 4)
      fail(env, true, "offsets: the output overlaps input " + std::to_string(i));

  uint8_t* base = static_cast<uint8_t*>(heap.Data());
  const float* a = reinterpret_cast<const float*>(base + off[0]);
  const float* b = reinterpret_cast<const float*>(base + off[1]);
  float* o = reinterpret_cast<float*>(base + off[2]);
  try {
    if (pool) train::maxPoolGrad(p, a, b, o);
    else if (op == "conv2d") train::conv2dForward(g, a, b, o);
    else if (op == "conv2dBackpropFilter") train::conv2dBackpropFilter(g, a, b, o);
    else train::conv2dBackpropInput(g, a, b, o);
  } catch (const std::bad_alloc&) {
    fail(env, true, "qahan: out of memory");
  }
  return env.Undefined();
}

double numberAt(Napi::Env env, const Napi::Array& a, uint32_t i, const std::string& path) {
  const Napi::Value v = a.Get(i);
  const std::string at = path + "[" + std::to_string(i) + "]";
  if (!v.IsNumber()) fail(env, false, at + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) fail(env, true, at + " must be finite");
  return d;
}

// adamUpdate(heap, [w, wOut, m, v, g] byte offsets, n, [beta1, 1 - beta1, beta2, 1 - beta2, 1 - beta1^t,
// 1 - beta2^t, epsilon, -learningRate]): one Adam step on n float32 values; m and v in place, the new
// weights into wOut (a new tensor: tfjs-backend-wasm caches XNNPACK operators by weight tensor, so
// weights written in place would leave stale packed copies behind).
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArrayBuffer()) fail(env, false, "heap must be an ArrayBuffer");
  Napi::ArrayBuffer heap = info[0].As<Napi::ArrayBuffer>();
  const uint64_t bytes = heap.ByteLength();
  Napi::Array offs = arrayOf(env, info[1], "offsets", 5);
  if (!info[2].IsNumber()) fail(env, false, "n must be a number");
  const double nd = info[2].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(nd) || nd != std::floor(nd) || nd < 1 || nd > double(int64_t(1) << 31))
    fail(env, true, "n must be an integer between 1 and 2^31");
  const uint64_t n = static_cast<uint64_t>(nd);
  Napi::Array sc = arrayOf(env, info[3], "scalars", 8);
  float f[8];
  for (uint32_t i = 0; i < 8; ++i) f[i] = static_cast<float>(numberAt(env, sc, i, "scalars"));
  uint64_t off[5];
  for (uint32_t i = 0; i < 5; ++i) off[i] = tensorOffset(env, offs, i, n, bytes);
  // Every pair disjoint except w and wOut, which may be the same buffer (an elementwise update).
  for (uint32_t i = 0; i < 5; ++i)
    for (uint32_t j = i + 1; j < 5; ++j)
      if (!(i == 0 && j == 1 && off[0] == off[1]) && off[i] < off[j] + n * 4 && off[j] < off[i] + n * 4)
        fail(env, true, "offsets: tensors " + std::to_string(i) + " and " + std::to_string(j) + " overlap");
  uint8_t* base = static_cast<uint8_t*>(heap.Data());
  auto at = [&](int i) { return reinterpret_cast<float*>(base + off[i]); };
  train::adamUpdate(at(0), at(1), at(2), at(3), at(4), n, train::AdamScalars{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]});
  return env.Undefined();
}

// sumRows(heap, [x, out] byte offsets, rows, cols): out[c] = sum over r of x[r, c], float32.
Napi::Value SumRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArrayBuffer()) fail(env, false, "heap must be an ArrayBuffer");
  Napi::ArrayBuffer heap = info[0].As<Napi::ArrayBuffer>();
  const uint64_t bytes = heap.ByteLength();
  Napi::Array offs = arrayOf(env, info[1], "offsets", 2);
  uint64_t size[2];
  for (uint32_t i = 0; i < 2; ++i) {
    if (!info[2 + i].IsNumber()) fail(env, false, std::string(i ? "cols" : "rows") + " must be a number");
    const double d = info[2 + i].As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || d != std::floor(d) || d < 1 || d > double(int64_t(1) << 31))
      fail(env, true, std::string(i ? "cols" : "rows") + " must be an integer between 1 and 2^31");
    size[i] = static_cast<uint64_t>(d);
  }
  const uint64_t count[2] = {size[0] * size[1], size[1]};
  uint64_t off[2];
  for (uint32_t i = 0; i < 2; ++i) off[i] = tensorOffset(env, offs, i, count[i], bytes);
  if (off[1] < off[0] + count[0] * 4 && off[0] < off[1] + count[1] * 4) fail(env, true, "offsets: the output overlaps the input");
  uint8_t* base = static_cast<uint8_t*>(heap.Data());
  train::sumRows(reinterpret_cast<const float*>(base + off[0]), size[0], size[1], reinterpret_cast<float*>(base + off[1]));
  return env.Undefined();
}

}  // namespace

void registerTrainingKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("trainingKernel", Napi::Function::New(env, TrainingKernel, "trainingKernel"));
  exports.Set("sumRows", Napi::Function::New(env, SumRows, "sumRows"));
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate, "adamUpdate"));
  exports.Set("trainingKernelIsa", Napi::String::New(env, train::convIsa()));
}

}  // namespace qahan
