// binding.cc - the Node-API surface (the only file that includes napi.h). The contract is
// src/native/addon.ts. Every argument is validated and copied on the main thread; bad input throws a
// TypeError (wrong type/shape) or RangeError (bad value) naming the argument. Sampling runs as a Job
// (a control thread driving the core's thread pool, reporting through a thread-safe function) that
// settles a Promise; no C++ exception ever escapes into Node (std::bad_alloc becomes a RangeError, other
// failures an Error). Context-aware: all JS state is per env, and env teardown stops that env's jobs.
// Where node-addon-api itself would rethrow into an env that is shutting down (a terminated worker),
// give up quietly instead of calling std::terminate.
#define NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_set>
#include <utility>
#include <type_traits>
#include <vector>

#if defined(_WIN32)
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <dlfcn.h>
#endif

#include "qahan/attention.h"
#include "qahan/embedding.h"
#include "qahan/exact.h"
#include "qahan/kernels/dense_int.h"
#include "qahan/kernels/kernels.h"
#include "qahan/kernels/sparse_lanes.h"
#include "qahan/kernels/sqa_int.h"
#include "qahan/memory.h"
#include "qahan/prepared.h"
#include "qahan/problem.h"
#include "qahan/runner.h"
#include "qahan/schedules.h"
#include "qahan/tabu.h"
#include "qahan/tempering.h"
#include "qahan/version.h"

namespace qahan {
void registerTrainingKernels(Napi::Env env, Napi::Object exports);  // binding_train.cc
}

namespace {

using namespace qahan;

// ---------------------------------------------------------------------------------------------------
// Errors raised while validating; turned into JS TypeError/RangeError at the function boundary.
struct ArgError {
  bool range;
  std::string msg;
};
[[noreturn]] void typeError(const std::string& m) { throw ArgError{false, m}; }
[[noreturn]] void rangeError(const std::string& m) { throw ArgError{true, m}; }

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1
constexpr int64_t kMaxVariables = int64_t(1) << 26;
constexpr uint64_t kMaxDenseBytes = uint64_t(1) << 31;  // n*n*8 for a dense model
constexpr uint64_t kMaxOutputValues = uint64_t(1) << 30;  // sample values per call
constexpr uint64_t kMaxTotalReads = uint64_t(1) << 27;    // models * numReads per call
constexpr uint64_t kMaxSliceValues = uint64_t(1) << 26;  // P * n per read
constexpr int64_t kMaxSweeps = (int64_t(1) << 31) - 1;
constexpr int64_t kMaxSlices = 1 << 16;

class Job;
// The live jobs of one env; touched only on that env's JS thread.
struct JobRegistry {
  std::unordered_set<Job*> live;
};

// Per-env state (the addon may be loaded by any number of worker threads).
struct AddonData {
  Napi::FunctionReference cancelCtor;
  Napi::FunctionReference modelCtor;  // ModelHandle
  std::shared_ptr<JobRegistry> jobs = std::make_shared<JobRegistry>();
};

// ---------------------------------------------------------------------------------------------------
class CancelToken : public Napi::ObjectWrap<CancelToken> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "CancelToken",
                       {InstanceMethod<&CancelToken::Cancel>("cancel"),
                        InstanceAccessor<&CancelToken::Cancelled>("cancelled")});
  }
  explicit CancelToken(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<CancelToken>(info), flag_(std::make_shared<std::atomic<bool>>(false)) {}
  CancelFlag flag() const { return flag_; }

 private:
  Napi::Value Cancel(const Napi::CallbackInfo& info) {
    flag_->store(true);
    return info.Env().Undefined();
  }
  Napi::Value Cancelled(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), flag_->load()); }
  CancelFlag flag_;
};

// ---------------------------------------------------------------------------------------------------
// Validation helpers. `path` is the argument's name as shown in messages, e.g. "params.numReads".

Napi::Object asObject(const Napi::Value& v, const std::string& path) {
  if (!v.IsObject() || v.IsArray() || v.IsTypedArray() || v.IsFunction()) typeError(path + " must be an object");
  return v.As<Napi::Object>();
}

double finiteNumber(const Napi::Value& v, const std::string& path) {
  if (!v.IsNumber()) typeError(path + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) rangeError(path + " must be finite");
  return d;
}

int64_t integer(const Napi::Value& v, const std::string& path, int64_t lo, int64_t hi) {
  const double d = finiteNumber(v, path);
  if (d != std::floor(d)) rangeError(path + " must be an integer");
  if (d < static_cast<double>(lo) || d > static_cast<double>(hi))
    rangeError(path + " must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return static_cast<int64_t>(d);
}

bool has(const Napi::Object& o, const char* key) { return !o.Get(key).IsUndefined(); }

template <class T>
Napi::TypedArrayOf<T> typedArray(const Napi::Value& v, napi_typedarray_type type, const char* typeName,
                                 const std::string& path) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type)
    typeError(path + " must be a " + typeName);
  return v.As<Napi::TypedArrayOf<T>>();
}

std::vector<double> finiteF64(const Napi::Value& v, const std::string& path, size_t expectLen, bool checkLen = true) {
  auto a = typedArray<double>(v, napi_float64_array, "Float64Array", path);
  const size_t len = a.ElementLength();
  if (checkLen && len != expectLen)
    typeError(path + " must have length " + std::to_string(expectLen) + ", got " + std::to_string(len));
  std::vector<double> out(len);
  if (len) std::memcpy(out.data(), a.Data(), len * sizeof(double));
  for (size_t i = 0; i < len; ++i)
    if (!std::isfinite(out[i])) rangeError(path + "[" + std::to_string(i) + "] must be finite");
  return out;
}

// Float32Array or Float64Array, copied to double.
std::vector<double> finiteReal(const Napi::Value& v, const std::string& path, size_t expectLen) {
  if (!v.IsTypedArray()) typeError(path + " must be a Float32Array or Float64Array");
  auto t = v.As<Napi::TypedArray>();
  std::vector<double> out;
  if (t.TypedArrayType() == napi_float64_array) {
    auto a = v.As<Napi::Float64Array>();
    out.assign(a.Data(), a.Data() + a.ElementLength());
  } else if (t.TypedArrayType() == napi_float32_array) {
    auto a = v.As<Napi::Float32Array>();
    out.assign(a.Data(), a.Data() + a.ElementLength());
  } else {
    typeError(path + " must be a Float32Array or Float64Array");
  }
  if (out.size() != expectLen)
    typeError(path + " must have length " + std::to_string(expectLen) + ", got " + std::to_string(out.size()));
  for (size_t i = 0; i < out.size(); ++i)
    if (!std::isfinite(out[i])) rangeError(path + "[" + std::to_string(i) + "] must be finite");
  return out;
}

std::vector<uint32_t> u32(const Napi::Value& v, const std::string& path) {
  auto a = typedArray<uint32_t>(v, napi_uint32_array, "Uint32Array", path);
  const size_t len = a.ElementLength();
  std::vector<uint32_t> out(len);
  if (len) std::memcpy(out.data(), a.Data(), len * sizeof(uint32_t));
  return out;
}

CancelFlag cancelFlag(Napi::Env env, const Napi::Object& params, const std::string& path) {
  Napi::Value v = params.Get("cancelToken");
  if (v.IsUndefined()) return nullptr;
  auto* data = env.GetInstanceData<AddonData>();
  if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(data->cancelCtor.Value()))
    typeError(path + ".cancelToken must be a CancelToken created by the addon");
  return CancelToken::Unwrap(v.As<Napi::Object>())->flag();
}

Model parseModel(const Napi::Value& v, const std::string& path) {
  Napi::Object o = asObject(v, path);
  Model m;
  m.n = static_cast<int>(integer(o.Get("numVariables"), path + ".numVariables", 0, kMaxVariables));
  const size_t N = static_cast<size_t>(m.n);
  Napi::Value vt = o.Get("vartype");
  if (!vt.IsString()) typeError(path + ".vartype must be 'SPIN' or 'BINARY'");
  const std::string vts = vt.As<Napi::String>().Utf8Value();
  if (vts == "SPIN")
    m.vartype = Vartype::Spin;
  else if (vts == "BINARY")
    m.vartype = Vartype::Binary;
  else
    rangeError(path + ".vartype must be 'SPIN' or 'BINARY'");
  m.linear = finiteF64(o.Get("linear"), path + ".linear", N);
  m.offset = has(o, "offset") ? finiteNumber(o.Get("offset"), path + ".offset") : 0.0;

  const bool hr = has(o, "quadRow"), hc = has(o, "quadCol"), hb = has(o, "quadBias");
  if (hr || hc || hb) {
    if (!(hr && hc && hb)) typeError(path + ".quadRow, quadCol and quadBias must be given together");
    m.row = u32(o.Get("quadRow"), path + ".quadRow");
    m.col = u32(o.Get("quadCol"), path + ".quadCol");
    m.bias = finiteF64(o.Get("quadBias"), path + ".quadBias", 0, false);
    if (m.col.size() != m.row.size())
      typeError(path + ".quadCol must have the length of quadRow (" + std::to_string(m.row.size()) + ")");
    if (m.bias.size() != m.row.size())
      typeError(path + ".quadBias must have the length of quadRow (" + std::to_string(m.row.size()) + ")");
    for (size_t k = 0; k < m.row.size(); ++k) {
      if (m.row[k] >= N) rangeError(path + ".quadRow[" + std::to_string(k) + "] is out of range (n = " + std::to_string(N) + ")");
      if (m.col[k] >= N) rangeError(path + ".quadCol[" + std::to_string(k) + "] is out of range (n = " + std::to_string(N) + ")");
      if (m.row[k] == m.col[k])
        rangeError(path + ".quadRow[" + std::to_string(k) + "] equals quadCol[" + std::to_string(k) + "] (i == j)");
    }
  }
  if (has(o, "dense")) {
    if (static_cast<uint64_t>(N) * N * 8 > kMaxDenseBytes)
      rangeError(path + ".dense: a dense model with " + std::to_string(N) + " variables is too large (n*n*8 bytes > 2 GiB)");
    auto a = typedArray<double>(o.Get("dense"), napi_float64_array, "Float64Array", path + ".dense");
    if (a.ElementLength() != N * N)
      typeError(path + ".dense must have length n*n = " + std::to_string(N * N) + ", got " + std::to_string(a.ElementLength()));
    reserveHuge(m.dense, N * N);
    m.dense.assign(a.Data(), a.Data() + N * N);
    for (size_t i = 0; i < N; ++i)
      for (size_t j = i + 1; j < N; ++j)
        if (!std::isfinite(m.dense[i * N + j])) rangeError(path + ".dense[" + std::to_string(i * N + j) + "] must be finite");
  }
  return m;
}

std::vector<int8_t> i8Values(const Napi::Value& v, const std::string& path, size_t expectLen) {
  auto a = typedArray<int8_t>(v, napi_int8_array, "Int8Array", path);
  if (a.ElementLength() != expectLen)
    typeError(path + " must have length " + std::to_string(expectLen) + ", got " + std::to_string(a.ElementLength()));
  std::vector<int8_t> out(expectLen);
  if (expectLen) std::memcpy(out.data(), a.Data(), expectLen);
  return out;
}

template <class Models>
std::vector<int8_t> parseSamples(const Napi::Value& v, const std::string& path, const Models& models, int64_t reads) {
  size_t total = 0;
  for (auto& m : models) total += static_cast<size_t>(reads) * m.n;
  std::vector<int8_t> out = i8Values(v, path, total);
  size_t pos = 0;
  for (size_t b = 0; b < models.size(); ++b) {
    const auto& m = models[b];
    const size_t len = static_cast<size_t>(reads) * m.n;
    for (size_t i = 0; i < len; ++i, ++pos) {
      const int8_t x = out[pos];
      const bool ok = m.vartype == Vartype::Spin ? (x == 1 || x == -1) : (x == 0 || x == 1);
      if (!ok)
        rangeError(path + "[" + std::to_string(pos) + "] must be " +
                   (m.vartype == Vartype::Spin ? "-1 or +1 (SPIN)" : "0 or 1 (BINARY)"));
    }
  }
  return out;
}

// A model prepared once and kept by JS (one per BinaryQuadraticModel until it changes): the parsed Model
// and, built on first use, its Problem, default ranges and kernel forms (prepared.h).
class ModelHandle : public Napi::ObjectWrap<ModelHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "ModelHandle", {InstanceAccessor<&ModelHandle::NumVariables>("numVariables")});
  }
  explicit ModelHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelHandle>(info) {
    if (info.Length() < 1 || !info[0].IsExternal()) {
      Napi::TypeError::New(info.Env(), "ModelHandle is made by prepareModel()").ThrowAsJavaScriptException();
      return;
    }
    model_ = *info[0].As<Napi::External<PreparedPtr>>().Data();
    const Model& m = model_->model();
    const double N = m.n;
    // The parsed copy plus about what the Problem will take, so V8 collects dropped handles in time.
    bytes_ = static_cast<int64_t>(8 * (m.dense.size() + m.linear.size() + 2 * m.bias.size()) +
                                  (m.dense.empty() ? 24.0 * m.bias.size() : (N >= kFloatFrom ? 12.0 : 8.0) * N * N));
    Napi::MemoryManagement::AdjustExternalMemory(info.Env(), bytes_);
  }
  ~ModelHandle() override {
    if (bytes_) Napi::MemoryManagement::AdjustExternalMemory(Env(), -bytes_);
  }
  const PreparedPtr& model() const { return model_; }

 private:
  Napi::Value NumVariables(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), model_ ? model_->model().n : 0); }
  PreparedPtr model_;
  int64_t bytes_ = 0;
};

// A ModelHandle's prepared model, or a fresh one parsed from a plain model object.
PreparedPtr preparedArg(Napi::Env env, const Napi::Value& v, const std::string& path) {
  auto* data = env.GetInstanceData<AddonData>();
  if (v.IsObject() && v.As<Napi::Object>().InstanceOf(data->modelCtor.Value())) {
    const PreparedPtr& p = ModelHandle::Unwrap(v.As<Napi::Object>())->model();
    if (!p) typeError(path + " is an empty ModelHandle");
    return p;
  }
  return std::make_shared<const PreparedModel>(parseModel(v, path));
}

// What the parameter checks need of each model of a call.
struct ModelRef {
  int n;
  Vartype vartype;
};

std::vector<PreparedPtr> parseModels(Napi::Env env, const Napi::Value& v) {
  if (!v.IsArray()) typeError("models must be an array of models");
  Napi::Array a = v.As<Napi::Array>();
  const uint32_t B = a.Length();
  if (B > (1u << 24)) rangeError("models: too many models");
  std::vector<PreparedPtr> out;
  out.reserve(B);
  for (uint32_t b = 0; b < B; ++b) out.push_back(preparedArg(env, a.Get(b), "models[" + std::to_string(b) + "]"));
  return out;
}

std::vector<ModelRef> modelRefs(const std::vector<PreparedPtr>& ps) {
  std::vector<ModelRef> out;
  for (auto& p : ps) out.push_back({p->model().n, p->model().vartype});
  return out;
}

std::pair<double, double> parsePair(const Napi::Value& v, const std::string& path, double minExclusive,
                                    bool allowEqualMin) {
  if (!v.IsArray() || v.As<Napi::Array>().Length() != 2) typeError(path + " must be an array of two numbers");
  Napi::Array a = v.As<Napi::Array>();
  double x[2];
  for (uint32_t i = 0; i < 2; ++i) {
    const std::string p = path + "[" + std::to_string(i) + "]";
    x[i] = finiteNumber(a.Get(i), p);
    if (allowEqualMin ? x[i] < minExclusive : x[i] <= minExclusive)
      rangeError(p + (allowEqualMin ? " must be >= 0" : " must be > 0"));
  }
  return {x[0], x[1]};
}

std::string optionalString(const Napi::Object& o, const char* key, const std::string& path,
                           std::initializer_list<const char*> allowed, const char* dflt) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return dflt;
  std::string list;
  for (auto* s : allowed) list += std::string(list.empty() ? "" : " or ") + "'" + s + "'";
  if (!v.IsString()) typeError(path + " must be " + list);
  std::string s = v.As<Napi::String>().Utf8Value();
  for (auto* a : allowed)
    if (s == a) return s;
  rangeError(path + " must be " + list);
}

// Common sampling params (validated and copied).
struct Common {
  int numReads = 1;
  uint64_t seed = 0;
  unsigned threads = 0;
  std::vector<int8_t> initial;  // flat, or empty
  CancelFlag cancel;
  Napi::Function onProgress;  // empty when absent
};

Common parseCommon(Napi::Env env, const Napi::Object& p, const std::vector<ModelRef>& models) {
  Common c;
  c.numReads = static_cast<int>(integer(p.Get("numReads"), "params.numReads", 1, kMaxSweeps));
  c.seed = has(p, "seed") ? static_cast<uint64_t>(integer(p.Get("seed"), "params.seed", 0, static_cast<int64_t>(kMaxSafeInteger))) : 0;
  c.threads = has(p, "threads") ? static_cast<unsigned>(integer(p.Get("threads"), "params.threads", 0, kMaxThreads)) : 0;
  uint64_t total = 0;
  for (auto& m : models) total += static_cast<uint64_t>(c.numReads) * static_cast<uint64_t>(m.n);
  if (total > kMaxOutputValues)
    rangeError("params.numReads: numReads * numVariables over the batch is too large (" + std::to_string(total) + " values)");
  if (static_cast<uint64_t>(c.numReads) * models.size() > kMaxTotalReads)
    rangeError("params.numReads: numReads * models.length is too large");
  if (has(p, "initialStates")) c.initial = parseSamples(p.Get("initialStates"), "params.initialStates", models, c.numReads);
  c.cancel = cancelFlag(env, p, "params");
  Napi::Value cb = p.Get("onProgress");
  if (!cb.IsUndefined()) {
    if (!cb.IsFunction()) typeError("params.onProgress must be a function");
    c.onProgress = cb.As<Napi::Function>();
  }
  return c;
}

void fillBatchOptions(const Common& c, const std::vector<ModelRef>& models, BatchOptions& o) {
  o.numReads = c.numReads;
  o.seed = c.seed;
  o.threads = c.threads;
  o.cancel = c.cancel;
  o.initial.assign(models.size(), nullptr);
  if (!c.initial.empty()) {
    size_t pos = 0;
    for (size_t b = 0; b < models.size(); ++b) {
      o.initial[b] = c.initial.data() + pos;
      pos += static_cast<size_t>(c.numReads) * models[b].n;
    }
  }
}

// params.cardinality: keep exactly k ones (BINARY) / +1 spins (SPIN) with pair swaps; -1 when absent.
// Initial states, when given, must already hold exactly k.
int parseCardinality(const Napi::Object& p, const std::vector<ModelRef>& models, const Common& c) {
  if (!has(p, "cardinality")) return -1;
  int64_t maxK = kMaxVariables;
  for (auto& m : models) maxK = std::min<int64_t>(maxK, m.n);
  const int k = static_cast<int>(integer(p.Get("cardinality"), "params.cardinality", 0, maxK));
  if (!c.initial.empty()) {
    size_t pos = 0;
    for (size_t b = 0; b < models.size(); ++b) {
      const auto& m = models[b];
      for (int r = 0; r < c.numReads; ++r, pos += m.n) {
        int count = 0;
        for (int i = 0; i < m.n; ++i) count += c.initial[pos + i] == 1;
        if (count != k)
          rangeError("params.initialStates: state " + std::to_string(r) + " of model " + std::to_string(b) + " has " +
                     std::to_string(count) + " ones, but params.cardinality is " + std::to_string(k));
      }
    }
  }
  return k;
}

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

Napi::Array pairArray(Napi::Env env, double a, double b) {
  Napi::Array r = Napi::Array::New(env, 2);
  r.Set(0u, Napi::Number::New(env, a));
  r.Set(1u, Napi::Number::New(env, b));
  return r;
}

template <class Alloc>
Napi::Int8Array toInt8Array(Napi::Env env, const std::vector<int8_t, Alloc>& v) {
  auto a = Napi::Int8Array::New(env, v.size());
  if (!v.empty()) std::memcpy(a.Data(), v.data(), v.size());
  return a;
}

Napi::Float64Array toFloat64Array(Napi::Env env, const std::vector<double>& v) {
  auto a = Napi::Float64Array::New(env, v.size());
  if (!v.empty()) std::memcpy(a.Data(), v.data(), v.size() * sizeof(double));
  return a;
}

struct Timing {
  double pre = 0, sampling = 0, post = 0;
};

// Hands v's memory to JS without a copy (v is left empty): a fresh typed array is zero-filled memory
// that the copy then faults in page by page, ~3 ms for 512 reads of 2,000 variables on this VM, more
// than the rest of the call's setup. V8 is told the bytes held (whole pages for a large buffer), so
// garbage collection sees the memory.
template <class A, class V>
A adoptArray(Napi::Env env, V& v) {
  using T = typename V::value_type;
  if (v.empty()) return A::New(env, 0);
  auto* owned = new V(std::move(v));
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(heldBytes(*owned)));
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(
      env, owned->data(), owned->size() * sizeof(T),
      [](Napi::Env e, void*, V* p) {
        Napi::MemoryManagement::AdjustExternalMemory(e, -static_cast<int64_t>(heldBytes(*p)));
        delete p;
      },
      owned);
  return A::New(env, owned->size(), buf, 0);
}

// Takes the samples and energies when it may (left empty), copies them when they are const.
template <class S, class E>
Napi::Object resultObject(Napi::Env env, int numReads, int n, S& samples, E& energies, bool dense, const Timing& t) {
  Napi::Object r = Napi::Object::New(env);
  r.Set("numReads", Napi::Number::New(env, numReads));
  r.Set("numVariables", Napi::Number::New(env, n));
  if constexpr (std::is_const<S>::value) {
    r.Set("samples", toInt8Array(env, samples));
    r.Set("energies", toFloat64Array(env, energies));
  } else {
    r.Set("samples", adoptArray<Napi::Int8Array>(env, samples));
    r.Set("energies", adoptArray<Napi::Float64Array>(env, energies));
  }
  r.Set("storage", Napi::String::New(env, dense ? "dense" : "sparse"));
  Napi::Object tm = Napi::Object::New(env);
  tm.Set("preprocessMs", Napi::Number::New(env, t.pre));
  tm.Set("samplingMs", Napi::Number::New(env, t.sampling));
  tm.Set("postprocessMs", Napi::Number::New(env, t.post));
  r.Set("timing", tm);
  return r;
}

// ---------------------------------------------------------------------------------------------------
// Async jobs.
//
// A job's `work` runs on a control thread of JobThreads, never on libuv's pool: Node joins libuv's
// threads at process.exit and waits for libuv work before tearing a worker's env down, so a long job
// there kept the process alive and then settled into a dead env (std::terminate). Progress and the
// result reach the JS thread through a thread-safe function (TSFN), which also keeps the event loop
// alive while the job runs. At env teardown the env cleanup hook and the TSFN finalizer set the job's
// abort flag (the workers stop within a sweep); the control thread never touches the TSFN after its
// finalizer ran, and the JS side settles with raw napi calls whose failures are ignored, so nothing
// throws while an env goes away. Workers only use memory the job owns, so nobody has to wait for them.

// Control threads: one per running job, reused, at most kMaxJobThreads (further jobs queue).
class JobThreads {
 public:
  static constexpr unsigned kMaxJobThreads = 64;
  void run(std::function<void()> task) {
    std::lock_guard<std::mutex> lk(mu_);
    // Every queued task needs an idle thread of its own, else it would wait behind a long job.
    if (q_.size() + 1 > idle_ && threads_ < kMaxJobThreads) {
      try {
        std::thread(&JobThreads::loop, this).detach();
        ++threads_;
      } catch (const std::system_error&) {
        if (threads_ == 0) throw;  // nobody would ever run it; else it waits for a free thread
      }
    }
    q_.push_back(std::move(task));
    cv_.notify_one();
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      ++idle_;
      cv_.wait(lk, [&] { return !q_.empty(); });
      --idle_;
      std::function<void()> task = std::move(q_.front());
      q_.pop_front();
      lk.unlock();
      task();
      lk.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> q_;
  size_t idle_ = 0;
  unsigned threads_ = 0;
};

JobThreads& jobThreads() {
  static JobThreads* t = new JobThreads();  // never destroyed: detached threads outlive static teardown
  return *t;
}

class Job : public std::enable_shared_from_this<Job> {
 public:
  using Work = std::function<void(Job&)>;
  using Finish = std::function<Napi::Value(Napi::Env, double postStartMs)>;

  Job(Work work, Finish finish, std::shared_ptr<JobRegistry> registry, CancelFlag alsoStop)
      : work_(std::move(work)),
        finish_(std::move(finish)),
        registry_(std::move(registry)),
        abort_(std::make_shared<std::atomic<bool>>(false)),
        alsoStop_(std::move(alsoStop)) {}

  std::atomic<uint64_t> done{0};
  uint64_t total = 0;
  CancelFlag abortFlag() const { return abort_; }

  // The env is going away: stop the work for good (alsoStop is e.g. the flag exactSolve polls).
  void teardown() {
    abort_->store(true);
    if (alsoStop_) alsoStop_->store(true);
  }

  // JS thread: creates the Promise and the TSFN and hands the work to a control thread.
  Napi::Value start(Napi::Env env, Napi::Function onProgress) {
    napi_value promise, name;
    check(env, napi_create_promise(env, &deferred_, &promise));
    if (!onProgress.IsEmpty()) check(env, napi_create_reference(env, onProgress, 1, &onProgress_));
    wantsProgress_ = onProgress_ != nullptr;
    check(env, napi_create_string_utf8(env, "qahan", NAPI_AUTO_LENGTH, &name));
    auto* holder = new std::shared_ptr<Job>(shared_from_this());
    const napi_status s = napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, holder, &Job::finalize,
                                                          holder, &Job::callJs, &tsfn_);
    if (s != napi_ok) {
      delete holder;
      if (onProgress_) napi_delete_reference(env, onProgress_);
      check(env, s);
    }
    std::shared_ptr<Job> self = shared_from_this();
    try {
      jobThreads().run([self] { self->control(); });
    } catch (...) {
      tsfnGone_ = true;  // no control thread: drop the TSFN (its finalizer frees `holder`)
      napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
      throw;
    }
    registry_->live.insert(this);
    return Napi::Value(env, promise);
  }

  // Control thread (called by the runner about every 100 ms): queue one progress report unless one is
  // still waiting; it reads `done` when it runs.
  void tick() {
    if (!wantsProgress_) return;
    std::lock_guard<std::mutex> lk(mu_);
    if (tsfnGone_ || progressQueued_) return;
    progressQueued_ = true;
    callLocked(kProgress);
  }

 private:
  static void* const kProgress;
  static void* const kComplete;

  static void check(napi_env env, napi_status s) {
    if (s != napi_ok) throw Napi::Error::New(env);
  }

  // Under mu_: napi_closing means the TSFN is being torn down and must not be used again.
  void callLocked(void* what) {
    if (napi_call_threadsafe_function(tsfn_, what, napi_tsfn_nonblocking) == napi_closing) tsfnGone_ = true;
  }

  void control() {
    try {
      if (abort_->load()) throw Cancelled();
      work_(*this);
      tick();
    } catch (const Cancelled&) {
      cancelled_ = true;
      error_ = "qahan: the job was cancelled";
    } catch (const std::bad_alloc&) {
      error_ = "qahan: out of memory";
    } catch (const std::exception& e) {
      error_ = std::string("qahan: ") + e.what();
    } catch (...) {
      error_ = "qahan: unknown native error";
    }
    failed_ = !error_.empty();
    // The outcome above is published to the JS thread by the TSFN queue's lock.
    std::lock_guard<std::mutex> lk(mu_);
    if (tsfnGone_) return;
    callLocked(kComplete);
    if (!tsfnGone_) napi_release_threadsafe_function(tsfn_, napi_tsfn_release);
    tsfnGone_ = true;
  }

  static void callJs(napi_env env, napi_value, void* context, void* data) {
    Job& job = **static_cast<std::shared_ptr<Job>*>(context);
    if (env == nullptr) return;  // the TSFN is being torn down with calls still queued
    try {
      if (data == kProgress)
        job.progress(env);
      else
        job.settle(env);
    } catch (...) {
      // Only napi failures while the env shuts down get here; nothing is left to tell.
    }
  }

  void progress(napi_env env) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      progressQueued_ = false;
    }
    if (settled_ || progressError_ || !onProgress_) return;
    napi_value cb, recv, args[2];
    if (napi_get_reference_value(env, onProgress_, &cb) != napi_ok || cb == nullptr) return;
    napi_get_undefined(env, &recv);
    napi_create_double(env, static_cast<double>(done.load()), &args[0]);
    napi_create_double(env, static_cast<double>(total), &args[1]);
    if (napi_call_function(env, recv, cb, 2, args, nullptr) == napi_ok) return;
    // A throwing progress callback stops the job and the Promise rejects with whatever it threw
    // (any value: kept in a one-element array, since a primitive cannot be referenced).
    abort_->store(true);
    napi_value thrown = nullptr, box;
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) napi_get_and_clear_last_exception(env, &thrown);
    if (thrown == nullptr) napi_get_undefined(env, &thrown);
    if (napi_create_array_with_length(env, 1, &box) == napi_ok && napi_set_element(env, box, 0, thrown) == napi_ok)
      napi_create_reference(env, box, 1, &progressError_);
  }

  void settle(napi_env env) {
    if (settled_) return;
    settled_ = true;
    Napi::Env e(env);
    Napi::HandleScope scope(e);
    napi_value thrown = nullptr;
    if (progressError_) {
      napi_value box;
      if (napi_get_reference_value(env, progressError_, &box) == napi_ok) napi_get_element(env, box, 0, &thrown);
      if (thrown) napi_reject_deferred(env, deferred_, thrown);
    } else if (!failed_) {
      try {
        napi_resolve_deferred(env, deferred_, finish_(e, 0));
      } catch (const Napi::Error& err) {
        napi_reject_deferred(env, deferred_, err.Value());
      } catch (const std::exception& err) {
        napi_reject_deferred(env, deferred_, Napi::Error::New(e, std::string("qahan: ") + err.what()).Value());
      }
    } else {
      Napi::Error err = Napi::Error::New(e, error_);
      if (cancelled_) err.Set("code", Napi::String::New(e, "ERR_QAHAN_CANCELLED"));
      napi_reject_deferred(env, deferred_, err.Value());
    }
    releaseRefs(env);
  }

  void releaseRefs(napi_env env) {
    if (onProgress_) napi_delete_reference(env, onProgress_);
    if (progressError_) napi_delete_reference(env, progressError_);
    onProgress_ = progressError_ = nullptr;
  }

  // The TSFN is gone: after the result was delivered, or at env teardown with the job still running.
  static void finalize(napi_env env, void* data, void*) {
    auto* holder = static_cast<std::shared_ptr<Job>*>(data);
    Job& job = **holder;
    {
      std::lock_guard<std::mutex> lk(job.mu_);
      job.tsfnGone_ = true;
    }
    if (!job.settled_) job.teardown();
    job.registry_->live.erase(&job);
    job.releaseRefs(env);
    delete holder;
  }

  Work work_;
  Finish finish_;
  std::shared_ptr<JobRegistry> registry_;
  CancelFlag abort_;
  CancelFlag alsoStop_;
  bool wantsProgress_ = false;
  // Control thread only, until kComplete is queued.
  std::string error_;
  bool failed_ = false, cancelled_ = false;
  // Shared with the control thread.
  std::mutex mu_;
  napi_threadsafe_function tsfn_ = nullptr;
  bool tsfnGone_ = false, progressQueued_ = false;
  // JS thread only.
  napi_deferred deferred_ = nullptr;
  napi_ref onProgress_ = nullptr, progressError_ = nullptr;
  bool settled_ = false;
};

void* const Job::kProgress = reinterpret_cast<void*>(uintptr_t(1));
void* const Job::kComplete = reinterpret_cast<void*>(uintptr_t(2));

Napi::Value startJob(Napi::Env env, Job::Work work, Job::Finish finish, Napi::Function onProgress,
                     uint64_t total = 0, CancelFlag alsoStop = nullptr) {
  auto job = std::make_shared<Job>(std::move(work), std::move(finish), env.GetInstanceData<AddonData>()->jobs,
                                   std::move(alsoStop));
  job->total = total;
  return job->start(env, onProgress);
}

// params.kernel: 'auto' (the default) or 'dense' | 'sparse' | 'packed', which every model must qualify
// for (a RangeError says which model and why not).
Kernel parseKernel(const Napi::Object& p, const std::vector<PreparedPtr>& ms, int cardinality, bool sqa) {
  const std::string k = optionalString(p, "kernel", "params.kernel", {"auto", "dense", "sparse", "packed"}, "auto");
  if (k == "auto") return Kernel::Auto;
  const Kernel K = k == "dense" ? Kernel::Dense : k == "sparse" ? Kernel::Sparse : Kernel::Packed;
  (void)sqa;
  for (size_t b = 0; b < ms.size(); ++b) {
    const std::string why = kernelRefusal(*ms[b], K, cardinality);
    if (!why.empty()) rangeError("params.kernel: '" + k + "' cannot run models[" + std::to_string(b) + "]: " + why);
  }
  return K;
}

// ---------------------------------------------------------------------------------------------------
// Shared state of a sampling call, owned by the job closures.
struct SampleCall {
  std::vector<PreparedPtr> prepared;  // kept alive for the whole job
  std::vector<ModelRef> models;
  std::vector<const Problem*> problems;
  std::vector<const Model*> modelPtrs;
  std::vector<Kernel> kernels;  // per model, resolved
  Common common;
  BatchOptions opt;
  std::vector<SampleOutput> out;
  Timing timing;
  std::vector<std::pair<double, double>> betaRanges, gammaRanges;
  bool sqa = false;
};

Napi::Value finishSamples(Napi::Env env, SampleCall& c) {
  const auto t0 = std::chrono::steady_clock::now();
  Napi::Array arr = Napi::Array::New(env, c.models.size());
  std::vector<Napi::Object> objs;
  for (size_t b = 0; b < c.models.size(); ++b) {
    Napi::Object r = resultObject(env, c.common.numReads, c.models[b].n, c.out[b].samples, c.out[b].energies,
                                  c.problems[b]->dense, c.timing);
    if (b < c.kernels.size()) r.Set("kernel", Napi::String::New(env, kernelName(c.kernels[b])));
    r.Set("betaRange", pairArray(env, c.betaRanges[b].first, c.betaRanges[b].second));
    if (c.sqa) r.Set("gammaRange", pairArray(env, c.gammaRanges[b].first, c.gammaRanges[b].second));
    arr.Set(static_cast<uint32_t>(b), r);
    objs.push_back(r);
  }
  const double post = msSince(t0);
  for (auto& r : objs) r.Get("timing").As<Napi::Object>().Set("postprocessMs", Napi::Number::New(env, post));
  return arr;
}

/** An explicit one-value-per-sweep schedule: non-empty, at most kMaxSweeps long, every value ok(). */
template <class Ok>
Ramp parseExplicitRamp(const Napi::Value& v, const std::string& name, Ok ok, const char* requirement) {
  auto values = finiteF64(v, name, 0, false);
  if (values.empty()) rangeError(name + " must not be empty");
  if (values.size() > static_cast<size_t>(kMaxSweeps)) rangeError(name + " is too long");
  for (size_t i = 0; i < values.size(); ++i)
    if (!ok(values[i])) rangeError(name + "[" + std::to_string(i) + "] " + requirement);
  return explicitRamp(std::move(values));
}

/** The part every sampling job shares: wire progress and cancellation into the options, run, time it. */
template <class Run>
void runTimed(Job& job, SampleCall& c, double preMs, Run run) {
  c.timing.pre = preMs;
  const auto t = std::chrono::steady_clock::now();
  c.opt.progress = &job.done;
  c.opt.abort = job.abortFlag();
  c.opt.tick = [&job] { job.tick(); };
  c.out = run();
  c.timing.sampling = msSince(t);
}

Napi::Value SimulatedAnnealing(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto t0 = std::chrono::steady_clock::now();
  auto call = std::make_shared<SampleCall>();
  call->prepared = parseModels(env, info[0]);
  call->models = modelRefs(call->prepared);
  Napi::Object p = asObject(info[1], "params");
  call->common = parseCommon(env, p, call->models);

  Ramp fixed;
  bool haveFixed = has(p, "betaSchedule");
  int sweeps = 0;
  bool geometric = true;
  bool haveRange = false;
  std::pair<double, double> range;
  if (haveFixed) {
    fixed = parseExplicitRamp(p.Get("betaSchedule"), "params.betaSchedule", [](double b) { return b > 0; }, "must be > 0");
    sweeps = static_cast<int>(fixed.size());
  } else {
    sweeps = static_cast<int>(integer(p.Get("numSweeps"), "params.numSweeps", 1, kMaxSweeps));
    if (has(p, "betaRange")) {
      haveRange = true;
      range = parsePair(p.Get("betaRange"), "params.betaRange", 0.0, false);
    }
    geometric = optionalString(p, "betaScheduleType", "params.betaScheduleType", {"geometric", "linear"}, "geometric") ==
                "geometric";
  }
  fillBatchOptions(call->common, call->models, call->opt);
  const int cardinality = parseCardinality(p, call->models, call->common);
  call->opt.cardinality = cardinality;
  const Kernel kernel = parseKernel(p, call->prepared, cardinality, false);
  const double parseMs = msSince(t0);
  uint64_t total = static_cast<uint64_t>(sweeps) * call->common.numReads * call->models.size();

  auto work = [call, fixed, haveFixed, haveRange, range, sweeps, geometric, cardinality, parseMs, kernel](Job& job) {
    const auto t1 = std::chrono::steady_clock::now();
    SampleCall& c = *call;
    if (c.common.cancel && c.common.cancel->load()) throw Cancelled();
    const size_t B = c.prepared.size();
    std::vector<Ramp> schedules(B);
    bool allPacked = B > 0, anyFast = false;
    std::vector<char> fast(B, 0), denseFast(B, 0);
    for (size_t b = 0; b < B; ++b) {
      const PreparedModel& pm = *c.prepared[b];
      c.problems.push_back(&pm.problem());
      c.modelPtrs.push_back(&pm.model());
      if (haveFixed) {
        schedules[b] = fixed;
      } else {
        auto r = haveRange ? range : cardinality >= 0 ? pm.swapBetaRange(cardinality) : pm.defaultBetaRange();
        schedules[b] = betaSchedule(r.first, r.second, sweeps, geometric);
      }
      c.betaRanges.emplace_back(schedules[b].front(), schedules[b].back());
      c.kernels.push_back(kernel == Kernel::Auto ? autoKernel(pm, c.common.numReads, cardinality, !c.common.initial.empty())
                                                 : kernel);
      allPacked = allPacked && c.kernels[b] == Kernel::Packed;
    }
    for (size_t b = 0; b < B && !allPacked; ++b) {
      // 'auto' packs a batch only when every model qualifies.
      if (c.kernels[b] == Kernel::Packed) c.kernels[b] = c.problems[b]->dense ? Kernel::Dense : Kernel::Sparse;
      fast[b] = c.kernels[b] == Kernel::Sparse && cardinality < 0 && c.prepared[b]->integer().ok;
      denseFast[b] = c.kernels[b] == Kernel::Dense && cardinality < 0 && c.prepared[b]->denseInteger().ok;
      anyFast = anyFast || fast[b] || denseFast[b];
    }
    const bool allFast = B > 0 && std::all_of(fast.begin(), fast.end(), [](char x) { return x != 0; });
    if (anyFast)
      c.opt.saRead = [&c, &schedules, fast, denseFast](size_t b, const int8_t* init, Rng& rng, int8_t* dst) {
        if (denseFast[b]) {
          saDenseIntegerRead(*c.prepared[b], schedules[b], init, rng, c.opt, dst);
          return true;
        }
        if (!fast[b]) return false;
        // One read through the same lanes as a whole batch would take (the same samples).
        if (lanesAvailable()) {
          Rng* rp = &rng;
          saLanesReads(*c.prepared[b], schedules[b], &rp, &init, 1, c.opt, &dst);
        } else {
          saIntegerRead(*c.prepared[b], schedules[b], init, rng, c.opt, dst);
        }
        return true;
      };
    runTimed(job, c, parseMs + msSince(t1), [&] {
      std::vector<const PreparedModel*> ms;
      for (auto& pm : c.prepared) ms.push_back(pm.get());
      if (allPacked) return runPackedSa(ms, schedules, c.opt);
      if (allFast && lanesAvailable()) return runSparseLanesSa(ms, schedules, c.opt);
      return runSimulatedAnnealing(c.problems, c.modelPtrs, schedules, c.opt);
    });
  };
  auto finish = [call](Napi::Env e, double) { return finishSamples(e, *call); };
  return startJob(env, work, finish, call->common.onProgress, total);
}

Napi::Value PathIntegralAnnealing(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto t0 = std::chrono::steady_clock::now();
  auto call = std::make_shared<SampleCall>();
  call->sqa = true;
  call->prepared = parseModels(env, info[0]);
  call->models = modelRefs(call->prepared);
  Napi::Object p = asObject(info[1], "params");
  call->common = parseCommon(env, p, call->models);

  const double beta = finiteNumber(p.Get("beta"), "params.beta");
  if (!(beta > 0)) rangeError("params.beta must be > 0");
  const int P = static_cast<int>(integer(p.Get("trotterSlices"), "params.trotterSlices", 1, kMaxSlices));
  for (size_t b = 0; b < call->models.size(); ++b)
    if (static_cast<uint64_t>(P) * call->models[b].n > kMaxSliceValues)
      rangeError("params.trotterSlices: trotterSlices * models[" + std::to_string(b) + "].numVariables is too large");

  SqaOptions sqa;
  sqa.P = P;
  sqa.schedule.P = P;
  sqa.schedule.beta = beta;
  const bool haveS = has(p, "sSchedule"), haveG = has(p, "gammaSchedule");
  std::pair<double, double> gr{0, 0};
  const bool haveRange = has(p, "gammaRange");
  if (haveRange) gr = parsePair(p.Get("gammaRange"), "params.gammaRange", 0.0, true);
  sqa.schedule.gamma0 = gr.first;
  if (haveS) {
    if (!haveRange) typeError("params.gammaRange must be an array of two numbers (gammaRange[0] is Gamma0 of the s-form)");
    sqa.schedule.ramp =
        parseExplicitRamp(p.Get("sSchedule"), "params.sSchedule", [](double v) { return v >= 0 && v <= 1; }, "must be in [0, 1]");
    sqa.schedule.sForm = true;
  } else if (haveG) {
    sqa.schedule.ramp =
        parseExplicitRamp(p.Get("gammaSchedule"), "params.gammaSchedule", [](double g) { return g >= 0; }, "must be >= 0");
  } else {
    const int sweeps = static_cast<int>(integer(p.Get("numSweeps"), "params.numSweeps", 1, kMaxSweeps));
    if (!haveRange) typeError("params.gammaRange must be an array of two numbers");
    const bool geometric =
        optionalString(p, "gammaScheduleType", "params.gammaScheduleType", {"linear", "geometric"}, "linear") == "geometric";
    if (geometric && (!(gr.first > 0) || !(gr.second > 0)))
      rangeError("params.gammaRange must be > 0 at both ends for a geometric schedule");
    sqa.schedule.ramp = gammaSchedule(gr.first, gr.second, static_cast<size_t>(sweeps), geometric);
  }
  Napi::Value gm = p.Get("globalMoves");
  if (!gm.IsUndefined()) {
    if (!gm.IsBoolean()) typeError("params.globalMoves must be a boolean");
    sqa.globalMoves = gm.As<Napi::Boolean>().Value();
  }
  Napi::Value rs = p.Get("returnSlice");
  if (!rs.IsUndefined()) {
    if (rs.IsNumber()) {
      sqa.returnSlice = static_cast<int>(integer(rs, "params.returnSlice", 0, P - 1));
    } else {
      const std::string s = optionalString(p, "returnSlice", "params.returnSlice", {"lowest", "random"}, "lowest");
      sqa.returnSlice = s == "random" ? kSliceRandom : kSliceLowest;
    }
  }
  fillBatchOptions(call->common, call->models, call->opt);
  call->opt.cardinality = parseCardinality(p, call->models, call->common);
  if (call->opt.cardinality >= 0 && sqa.globalMoves)
    rangeError("params.globalMoves cannot be combined with params.cardinality (a global flip changes the number of ones)");
  const Kernel kernel = parseKernel(p, call->prepared, call->opt.cardinality, true);
  if (kernel == Kernel::Packed && sqa.globalMoves)
    rangeError("params.kernel: 'packed' runs local moves only (params.globalMoves must be false)");
  for (size_t b = 0; b < call->prepared.size() && kernel == Kernel::Packed; ++b)
    if (call->prepared[b]->integer().maxField > kPackedSqaMaxFieldUnits)
      rangeError("params.kernel: 'packed' cannot run models[" + std::to_string(b) + "] in SQA: a spin's largest field is " +
                 std::to_string(call->prepared[b]->integer().maxField) + " units, more than its " +
                 std::to_string(kPackedSqaMaxFieldUnits));
  const double parseMs = msSince(t0);
  const uint64_t total = static_cast<uint64_t>(sqa.schedule.size()) * call->common.numReads * call->models.size();

  auto work = [call, sqa, parseMs, kernel](Job& job) {
    const auto t1 = std::chrono::steady_clock::now();
    SampleCall& c = *call;
    if (c.common.cancel && c.common.cancel->load()) throw Cancelled();
    // 'packed' when asked, or under 'auto' when every model qualifies with enough reads (as SA).
    bool packedAll = kernel == Kernel::Packed || (kernel == Kernel::Auto && !sqa.globalMoves && !c.prepared.empty());
    for (size_t b = 0; b < c.prepared.size() && kernel == Kernel::Auto && packedAll; ++b)
      packedAll = autoKernel(*c.prepared[b], c.common.numReads, c.opt.cardinality, !c.common.initial.empty()) == Kernel::Packed &&
                  c.prepared[b]->integer().maxField <= kPackedSqaMaxFieldUnits;
    for (size_t b = 0; b < c.prepared.size(); ++b) {
      c.problems.push_back(&c.prepared[b]->problem());
      c.modelPtrs.push_back(&c.prepared[b]->model());
      c.kernels.push_back(packedAll ? Kernel::Packed : c.problems[b]->dense ? Kernel::Dense : Kernel::Sparse);
      c.betaRanges.emplace_back(sqa.schedule.at(0).beta, sqa.schedule.at(sqa.schedule.size() - 1).beta);
      c.gammaRanges.emplace_back(sqa.schedule.at(0).gamma, sqa.schedule.at(sqa.schedule.size() - 1).gamma);
    }
    if (packedAll) {
      std::vector<const PreparedModel*> pms;
      for (auto& pm : c.prepared) pms.push_back(pm.get());
      runTimed(job, c, parseMs + msSince(t1), [&] { return runPackedSqa(pms, sqa, c.opt); });
      return;
    }
    // Integer models take the integer-field sweeps (kernels/sqa_int.h); cardinality swaps and global
    // moves stay with runner.cc.
    std::vector<char> fast(c.prepared.size(), 0);
    bool anyFast = false;
    for (size_t b = 0; b < c.prepared.size(); ++b) {
      fast[b] = c.opt.cardinality < 0 && !sqa.globalMoves && sqaIntegerQualifies(*c.prepared[b]);
      anyFast = anyFast || fast[b];
    }
    if (anyFast)
      c.opt.sqaRead = [&c, &sqa, fast](size_t b, const int8_t* init, Rng& rng, int8_t* dst) {
        if (!fast[b]) return false;
        sqaIntegerRead(*c.prepared[b], sqa, init, rng, c.opt, dst);
        return true;
      };
    runTimed(job, c, parseMs + msSince(t1), [&] { return runPathIntegral(c.problems, c.modelPtrs, sqa, c.opt); });
  };
  auto finish = [call](Napi::Env e, double) { return finishSamples(e, *call); };
  return startJob(env, work, finish, call->common.onProgress, total);
}

Napi::Value ExactSolve(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto t0 = std::chrono::steady_clock::now();
  struct Call {
    Model model;
    Problem problem;
    uint64_t keep = 0;
    unsigned threads = 0;
    CancelFlag cancel;
    ExactOutput out;
    Timing timing;
  };
  auto call = std::make_shared<Call>();
  call->model = parseModel(info[0], "model");
  Napi::Object p = asObject(info[1], "params");
  if (call->model.n > kMaxExactVariables)
    rangeError("model.numVariables must be at most " + std::to_string(kMaxExactVariables) + " for exactSolve, got " +
               std::to_string(call->model.n));
  const uint64_t all = uint64_t(1) << call->model.n;
  call->keep = has(p, "maxStates")
                   ? static_cast<uint64_t>(integer(p.Get("maxStates"), "params.maxStates", 1, static_cast<int64_t>(kMaxSafeInteger)))
                   : all;
  try {
    checkExactSize(call->model.n, call->keep);
  } catch (const std::range_error& e) {
    rangeError(std::string("params.maxStates: ") + e.what());
  }
  call->threads = has(p, "threads") ? static_cast<unsigned>(integer(p.Get("threads"), "params.threads", 0, kMaxThreads)) : 0;
  call->cancel = cancelFlag(env, p, "params");
  // exactSolve polls only this flag, so env teardown sets it (a fresh one when no token was given).
  if (!call->cancel) call->cancel = std::make_shared<std::atomic<bool>>(false);
  const double parseMs = msSince(t0);
  auto work = [call, parseMs](Job&) {
    if (call->cancel && call->cancel->load()) throw Cancelled();
    const auto t1 = std::chrono::steady_clock::now();
    call->problem = toProblem(call->model);
    call->timing.pre = parseMs + msSince(t1);
    const auto t2 = std::chrono::steady_clock::now();
    call->out = exactSolve(call->problem, call->model, call->keep, call->threads, call->cancel);
    call->timing.sampling = msSince(t2);
  };
  auto finish = [call](Napi::Env e, double) {
    const auto t3 = std::chrono::steady_clock::now();
    Napi::Object r = resultObject(e, static_cast<int>(call->out.energies.size()), call->model.n, call->out.samples,
                                  call->out.energies, call->problem.dense, call->timing);
    r.Get("timing").As<Napi::Object>().Set("postprocessMs", Napi::Number::New(e, msSince(t3)));
    return Napi::Value(r);
  };
  return startJob(env, work, finish, Napi::Function(), 0, call->cancel);
}

// ---------------------------------------------------------------------------------------------------
// Parallel tempering and tabu search (issue 12): the SA pattern, with their own options and results.

// params.timeLimit: seconds (> 0), absent = none.
double parseTimeLimit(const Napi::Object& p) {
  if (!has(p, "timeLimit")) return 0.0;
  const double s = finiteNumber(p.Get("timeLimit"), "params.timeLimit");
  if (!(s > 0) || s > 1e7) rangeError("params.timeLimit must be a number of seconds in (0, 1e7]");
  return s;
}

template <class T>
Napi::Float64Array numbersArray(Napi::Env env, const std::vector<T>& v) {
  auto a = Napi::Float64Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a[i] = static_cast<double>(v[i]);
  return a;
}

Napi::Value ParallelTempering(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto t0 = std::chrono::steady_clock::now();
  struct Call {
    std::vector<PreparedPtr> prepared;
    std::vector<ModelRef> models;
    Common common;
    BatchOptions opt;
    std::vector<TemperingOptions> perModel;
    std::vector<TemperingOutput> out;
    Timing timing;
    std::vector<const Problem*> problems;
    std::vector<const Model*> modelPtrs;
  };
  auto call = std::make_shared<Call>();
  call->prepared = parseModels(env, info[0]);
  call->models = modelRefs(call->prepared);
  Napi::Object p = asObject(info[1], "params");
  if (has(p, "initialStates")) typeError("params.initialStates is not a parallelTempering parameter");
  call->common = parseCommon(env, p, call->models);
  TemperingOptions base;
  const double timeLimit = parseTimeLimit(p);
  base.timeLimitSec = timeLimit;
  if (has(p, "targetEnergy")) base.targetEnergy = finiteNumber(p.Get("targetEnergy"), "params.targetEnergy");
  const bool haveSweeps = has(p, "numSweeps");
  if (!haveSweeps && timeLimit <= 0) typeError("params.numSweeps must be an integer (or give params.timeLimit)");
  base.numSweeps = haveSweeps ? integer(p.Get("numSweeps"), "params.numSweeps", 1, kMaxSweeps) : kMaxSweeps;
  const int numReplicas = has(p, "numReplicas") ? static_cast<int>(integer(p.Get("numReplicas"), "params.numReplicas", 1, 1024)) : 0;
  bool haveRange = has(p, "betaRange");
  std::pair<double, double> range{0, 0};
  if (haveRange) {
    range = parsePair(p.Get("betaRange"), "params.betaRange", 0.0, false);
    if (range.second < range.first) rangeError("params.betaRange must be [hot, cold] with hot <= cold");
  }
  const std::string cm = has(p, "clusterMoves") && p.Get("clusterMoves").IsBoolean()
                             ? (p.Get("clusterMoves").As<Napi::Boolean>().Value() ? "on" : "off")
                             : optionalString(p, "clusterMoves", "params.clusterMoves", {"auto", "on", "off"}, "auto");
  const std::string ladder = optionalString(p, "ladder", "params.ladder", {"geometric", "adaptive"}, "geometric");
  base.adaptive = ladder == "adaptive";
  Napi::Value st = p.Get("stats");
  if (!st.IsUndefined()) {
    if (!st.IsBoolean()) typeError("params.stats must be a boolean");
    base.stats = st.As<Napi::Boolean>().Value();
  }
  for (size_t b = 0; b < call->models.size(); ++b) {
    const uint64_t R = numReplicas ? numReplicas : 64;
    if (R * 2 * static_cast<uint64_t>(call->models[b].n) > kMaxSliceValues)
      rangeError("params.numReplicas: numReplicas * models[" + std::to_string(b) + "].numVariables is too large");
    if (base.stats && R * call->common.numReads * static_cast<uint64_t>(call->models[b].n) > kMaxOutputValues)
      rangeError("params.stats: numReplicas * numReads * numVariables is too large");
  }
  fillBatchOptions(call->common, call->models, call->opt);
  const double parseMs = msSince(t0);
  const uint64_t total = haveSweeps ? static_cast<uint64_t>(base.numSweeps) * call->common.numReads * call->models.size() : 0;

  auto work = [call, base, numReplicas, haveRange, range, cm, parseMs](Job& job) {
    const auto t1 = std::chrono::steady_clock::now();
    Call& c = *call;
    if (c.common.cancel && c.common.cancel->load()) throw Cancelled();
    for (auto& pm : c.prepared) {
      const Problem& pr = pm->problem();
      c.problems.push_back(&pr);
      c.modelPtrs.push_back(&pm->model());
      TemperingOptions o = base;
      const auto r = haveRange ? range : defaultTemperingRange(pr);
      o.betaHot = r.first;
      o.betaCold = r.second;
      o.numReplicas = numReplicas ? numReplicas : defaultNumReplicas(pr, r.first, r.second);
      o.clusterMoves = cm == "on" || (cm == "auto" && clusterMovesHelp(pr));
      c.perModel.push_back(o);
    }
    c.timing.pre = parseMs + msSince(t1);
    const auto t2 = std::chrono::steady_clock::now();
    c.opt.progress = &job.done;
    c.opt.abort = job.abortFlag();
    c.opt.tick = [&job] { job.tick(); };
    c.out = runParallelTempering(c.problems, c.modelPtrs, c.perModel, c.opt);
    c.timing.sampling = msSince(t2);
  };
  auto finish = [call](Napi::Env e, double) {
    const auto t3 = std::chrono::steady_clock::now();
    Call& c = *call;
    Napi::Array arr = Napi::Array::New(e, c.models.size());
    std::vector<Napi::Object> objs;
    for (size_t b = 0; b < c.models.size(); ++b) {
      const TemperingOutput& o = c.out[b];
      Napi::Object r = resultObject(e, c.common.numReads, c.models[b].n, o.out.samples, o.out.energies, c.problems[b]->dense, c.timing);
      r.Set("betaRange", pairArray(e, c.perModel[b].betaHot, c.perModel[b].betaCold));
      r.Set("betas", numbersArray(e, o.betas));
      r.Set("numReplicas", Napi::Number::New(e, static_cast<double>(o.betas.size())));
      r.Set("clusterMoves", Napi::Boolean::New(e, c.perModel[b].clusterMoves));
      r.Set("timeToBestMs", numbersArray(e, o.timeToBestMs));
      r.Set("sweepsDone", numbersArray(e, o.sweepsDone));
      r.Set("swapAttempts", numbersArray(e, o.swapAttempts));
      r.Set("swapAccepts", numbersArray(e, o.swapAccepts));
      r.Set("clusterMoveCount", Napi::Number::New(e, static_cast<double>(o.clusterMoves)));
      r.Set("clusterMeanSize", Napi::Number::New(e, o.clusterMoves ? static_cast<double>(o.clusterSpins) / o.clusterMoves : 0.0));
      if (c.perModel[b].stats) r.Set("replicaSamples", toInt8Array(e, o.replicaSamples));
      arr.Set(static_cast<uint32_t>(b), r);
      objs.push_back(r);
    }
    const double post = msSince(t3);
    for (auto& r : objs) r.Get("timing").As<Napi::Object>().Set("postprocessMs", Napi::Number::New(e, post));
    return Napi::Value(arr);
  };
  return startJob(env, work, finish, call->common.onProgress, total);
}

Napi::Value TabuSearch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto t0 = std::chrono::steady_clock::now();
  struct Call {
    std::vector<PreparedPtr> prepared;
    std::vector<ModelRef> models;
    Common common;
    BatchOptions opt;
    TabuOptions tabu;
    std::vector<TabuOutput> out;
    Timing timing;
    std::vector<const Problem*> problems;
    std::vector<const Model*> modelPtrs;
  };
  auto call = std::make_shared<Call>();
  call->prepared = parseModels(env, info[0]);
  call->models = modelRefs(call->prepared);
  Napi::Object p = asObject(info[1], "params");
  call->common = parseCommon(env, p, call->models);
  TabuOptions& t = call->tabu;
  t.timeLimitSec = parseTimeLimit(p);
  if (has(p, "targetEnergy")) t.targetEnergy = finiteNumber(p.Get("targetEnergy"), "params.targetEnergy");
  const bool haveRestarts = has(p, "numRestarts");
  if (!haveRestarts && t.timeLimitSec <= 0) typeError("params.numRestarts must be an integer (or give params.timeLimit)");
  t.numRestarts = haveRestarts ? integer(p.Get("numRestarts"), "params.numRestarts", 1, static_cast<int64_t>(kMaxSafeInteger)) : (int64_t(1) << 62);
  if (has(p, "tenure")) t.tenure = static_cast<int>(integer(p.Get("tenure"), "params.tenure", 0, kMaxVariables));
  if (has(p, "stallIterations"))
    t.stallIterations = integer(p.Get("stallIterations"), "params.stallIterations", 1, static_cast<int64_t>(kMaxSafeInteger));
  if (has(p, "annealSweeps"))
    t.annealSweeps = integer(p.Get("annealSweeps"), "params.annealSweeps", 0, static_cast<int64_t>(kMaxSafeInteger));
  fillBatchOptions(call->common, call->models, call->opt);
  const double parseMs = msSince(t0);

  auto work = [call, parseMs](Job& job) {
    const auto t1 = std::chrono::steady_clock::now();
    Call& c = *call;
    if (c.common.cancel && c.common.cancel->load()) throw Cancelled();
    for (auto& pm : c.prepared) {
      c.problems.push_back(&pm->problem());
      c.modelPtrs.push_back(&pm->model());
    }
    c.timing.pre = parseMs + msSince(t1);
    const auto t2 = std::chrono::steady_clock::now();
    c.opt.progress = &job.done;
    c.opt.abort = job.abortFlag();
    c.opt.tick = [&job] { job.tick(); };
    c.out = runTabuSearch(c.problems, c.modelPtrs, c.tabu, c.opt);
    c.timing.sampling = msSince(t2);
  };
  auto finish = [call](Napi::Env e, double) {
    const auto t3 = std::chrono::steady_clock::now();
    Call& c = *call;
    Napi::Array arr = Napi::Array::New(e, c.models.size());
    std::vector<Napi::Object> objs;
    for (size_t b = 0; b < c.models.size(); ++b) {
      const TabuOutput& o = c.out[b];
      Napi::Object r = resultObject(e, c.common.numReads, c.models[b].n, o.out.samples, o.out.energies, c.problems[b]->dense, c.timing);
      r.Set("tenure", Napi::Number::New(e, o.tenure));
      r.Set("stallIterations", Napi::Number::New(e, static_cast<double>(o.stallIterations)));
      r.Set("annealSweeps", Napi::Number::New(e, static_cast<double>(o.annealSweeps)));
      r.Set("timeToBestMs", numbersArray(e, o.timeToBestMs));
      r.Set("restartsDone", numbersArray(e, o.restartsDone));
      arr.Set(static_cast<uint32_t>(b), r);
      objs.push_back(r);
    }
    const double post = msSince(t3);
    for (auto& r : objs) r.Get("timing").As<Napi::Object>().Set("postprocessMs", Napi::Number::New(e, post));
    return Napi::Value(arr);
  };
  return startJob(env, work, finish, call->common.onProgress, 0);
}

// findMinorEmbedding(params) (issue 13): graphs and chains as flat Uint32Arrays; labels and semantic
// checks stay in src/dwave/embedding. Chains come as { variables, offsets, qubits } (CSR by listed variable).
std::vector<std::vector<int>> parseChainSet(const Napi::Object& p, const char* key, int64_t numVars, int64_t numQubits) {
  std::vector<std::vector<int>> chains;
  if (!has(p, key)) return chains;
  const std::string path = std::string("params.") + key;
  Napi::Object o = asObject(p.Get(key), path);
  const auto vars = u32(o.Get("variables"), path + ".variables");
  const auto offsets = u32(o.Get("offsets"), path + ".offsets");
  const auto qubits = u32(o.Get("qubits"), path + ".qubits");
  if (offsets.size() != vars.size() + 1) rangeError(path + ".offsets must have variables.length + 1 entries");
  if (offsets[0] != 0 || offsets.back() != qubits.size()) rangeError(path + ".offsets must run from 0 to qubits.length");
  chains.assign(static_cast<size_t>(numVars), {});
  std::vector<int> seen(static_cast<size_t>(numQubits), -1);
  for (size_t i = 0; i < vars.size(); ++i) {
    const uint32_t v = vars[i];
    if (v >= numVars) rangeError(path + ".variables[" + std::to_string(i) + "] is not below numVariables");
    if (!chains[v].empty()) rangeError(path + " lists variable " + std::to_string(v) + " twice");
    if (offsets[i + 1] < offsets[i]) rangeError(path + ".offsets must not decrease");
    for (uint32_t k = offsets[i]; k < offsets[i + 1]; ++k) {
      const uint32_t q = qubits[k];
      if (q >= numQubits) rangeError(path + ".qubits[" + std::to_string(k) + "] is not below numQubits");
      if (seen[q] == static_cast<int>(v)) continue;  // a repeat inside one chain
      if (seen[q] >= 0 && std::strcmp(key, "fixedChains") == 0)
        rangeError(path + ": qubit " + std::to_string(q) + " is in the chains of " + std::to_string(seen[q]) + " and " + std::to_string(v));
      seen[q] = static_cast<int>(v);
      chains[v].push_back(static_cast<int>(q));
    }
  }
  return chains;
}

Napi::Value FindMinorEmbedding(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object p = asObject(info[0], "params");
  auto prob = std::make_shared<MinorProblem>();
  const int64_t numQubits = integer(p.Get("numQubits"), "params.numQubits", 0, kMaxVariables);
  const int64_t numVars = integer(p.Get("numVariables"), "params.numVariables", 0, kMaxVariables);
  prob->numQubits = static_cast<int>(numQubits);
  prob->numVars = static_cast<int>(numVars);
  try {
    buildCsr(prob->numQubits, u32(p.Get("couplers"), "params.couplers"), prob->qubitStart, prob->qubitAdj);
  } catch (const std::out_of_range& e) {
    rangeError(std::string("params.couplers: ") + e.what());
  }
  try {
    buildCsr(prob->numVars, u32(p.Get("sourceEdges"), "params.sourceEdges"), prob->varStart, prob->varAdj);
  } catch (const std::out_of_range& e) {
    rangeError(std::string("params.sourceEdges: ") + e.what());
  }
  prob->fixedChains = parseChainSet(p, "fixedChains", numVars, numQubits);
  prob->initialChains = parseChainSet(p, "initialChains", numVars, numQubits);
  auto opt = std::make_shared<MinorOptions>();
  opt->seed = static_cast<uint64_t>(integer(p.Get("seed"), "params.seed", 0, static_cast<int64_t>(kMaxSafeInteger)));
  opt->timeoutMs = finiteNumber(p.Get("timeoutMs"), "params.timeoutMs");
  if (!(opt->timeoutMs > 0)) rangeError("params.timeoutMs must be positive");
  opt->tries = static_cast<int>(integer(p.Get("tries"), "params.tries", 1, 1 << 30));
  opt->maxNoImprovement = static_cast<int>(integer(p.Get("maxNoImprovement"), "params.maxNoImprovement", 1, 1 << 30));
  opt->chainLengthPatience = static_cast<int>(integer(p.Get("chainLengthPatience"), "params.chainLengthPatience", 0, 1 << 30));
  opt->cancel = cancelFlag(env, p, "params");
  auto result = std::make_shared<MinorResult>();
  auto ms = std::make_shared<double>(0);
  auto work = [prob, opt, result, ms](Job& job) {
    const auto t0 = std::chrono::steady_clock::now();
    opt->abort = job.abortFlag();
    *result = findMinorEmbedding(*prob, *opt);
    *ms = msSince(t0);
  };
  auto finish = [result, ms](Napi::Env e, double) {
    const MinorResult& r = *result;
    Napi::Object o = Napi::Object::New(e);
    o.Set("found", Napi::Boolean::New(e, r.found));
    size_t total = 0;
    for (auto& c : r.chains) total += c.size();
    Napi::Int32Array offsets = Napi::Int32Array::New(e, r.chains.size() + 1);
    Napi::Int32Array qubits = Napi::Int32Array::New(e, total);
    size_t k = 0;
    offsets[0] = 0;
    for (size_t v = 0; v < r.chains.size(); ++v) {
      for (int q : r.chains[v]) qubits[k++] = q;
      offsets[v + 1] = static_cast<int32_t>(k);
    }
    o.Set("chainOffsets", offsets);
    o.Set("chainQubits", qubits);
    o.Set("triesRun", Napi::Number::New(e, r.triesRun));
    o.Set("bestExcess", Napi::Number::New(e, r.bestExcess));
    o.Set("timedOut", Napi::Boolean::New(e, r.timedOut));
    o.Set("unreachable", Napi::Boolean::New(e, r.unreachable));
    o.Set("overlapRounds", Napi::Number::New(e, r.overlapRounds));
    o.Set("lengthRounds", Napi::Number::New(e, r.lengthRounds));
    o.Set("elapsedMs", Napi::Number::New(e, *ms));
    return Napi::Value(o);
  };
  return startJob(env, work, finish, Napi::Function(), 0);
}

Napi::Value Energies(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Model m = parseModel(info[0], "model");
  const int64_t count = integer(info[2], "numSamples", 0, static_cast<int64_t>(kMaxOutputValues));
  const uint64_t len = static_cast<uint64_t>(count) * static_cast<uint64_t>(m.n);
  if (len > kMaxOutputValues) rangeError("numSamples * model.numVariables is too large");
  std::vector<int8_t> x;
  {
    auto a = typedArray<int8_t>(info[1], napi_int8_array, "Int8Array", "samples");
    if (a.ElementLength() != len)
      typeError("samples must have length numSamples * numVariables = " + std::to_string(len) + ", got " +
                std::to_string(a.ElementLength()));
    x.assign(a.Data(), a.Data() + len);
  }
  for (uint64_t i = 0; i < len; ++i) {
    const int8_t v = x[i];
    const bool ok = m.vartype == Vartype::Spin ? (v == 1 || v == -1) : (v == 0 || v == 1);
    if (!ok) rangeError("samples[" + std::to_string(i) + "] must be " + (m.vartype == Vartype::Spin ? "-1 or +1 (SPIN)" : "0 or 1 (BINARY)"));
  }
  std::vector<double> e(static_cast<size_t>(count));
  for (int64_t k = 0; k < count; ++k) e[k] = m.energy(x.data() + k * m.n);
  return toFloat64Array(env, e);
}

Napi::Value DefaultBetaRange(const Napi::CallbackInfo& info) {
  PreparedPtr m = preparedArg(info.Env(), info[0], "model");
  int k = -1;
  if (info.Length() > 1 && !info[1].IsUndefined())
    k = static_cast<int>(integer(info[1], "cardinality", 0, m->model().n));
  auto r = k >= 0 ? m->swapBetaRange(k) : m->defaultBetaRange();
  return pairArray(info.Env(), r.first, r.second);
}

// A ModelHandle for a model: parsed once here; its Problem and defaults are built on first use and kept.
Napi::Value PrepareModel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PreparedPtr pp = std::make_shared<const PreparedModel>(parseModel(info[0], "model"));
  return env.GetInstanceData<AddonData>()->modelCtor.New({Napi::External<PreparedPtr>::New(env, &pp)});
}

// SQA's default inputs from a (cached) model: SA's default beta range (or the swap range with a
// cardinality) and the largest |bias| of the spin form.
Napi::Value ModelDefaults(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PreparedPtr m = preparedArg(env, info[0], "model");
  int k = -1;
  if (info.Length() > 1 && !info[1].IsUndefined())
    k = static_cast<int>(integer(info[1], "cardinality", 0, m->model().n));
  auto r = k >= 0 ? m->swapBetaRange(k) : m->defaultBetaRange();
  Napi::Object o = Napi::Object::New(env);
  o.Set("betaRange", pairArray(env, r.first, r.second));
  o.Set("maxAbsSpinBias", Napi::Number::New(env, m->maxAbsSpinBias()));
  return o;
}

Napi::Value BuildAttentionQubos(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = asObject(info[0], "input");
  AttentionInput in;
  in.batch = static_cast<int>(integer(o.Get("batch"), "input.batch", 1, int64_t(1) << 24));
  in.positions = static_cast<int>(integer(o.Get("positions"), "input.positions", 1, int64_t(1) << 16));
  const uint64_t B = in.batch, N = in.positions;
  if (B * N * N > (uint64_t(1) << 28)) rangeError("input.batch * input.positions^2 is too large (more than 2^28 couplings)");
  in.scores = finiteReal(o.Get("scores"), "input.scores", B * N);
  const bool hs = has(o, "similarity"), hf = has(o, "features");
  if (hs == hf) typeError("input must have exactly one of similarity and features");
  if (hs) {
    in.similarity = finiteReal(o.Get("similarity"), "input.similarity", B * N * N);
  } else {
    in.channels = static_cast<int>(integer(o.Get("channels"), "input.channels", 1, int64_t(1) << 24));
    if (B * N * in.channels > (uint64_t(1) << 28)) rangeError("input.channels: batch * positions * channels is too large");
    in.features = finiteReal(o.Get("features"), "input.features", B * N * in.channels);
  }
  in.lambda = finiteNumber(o.Get("lambda"), "input.lambda");
  in.gamma = finiteNumber(o.Get("gamma"), "input.gamma");
  in.k = finiteNumber(o.Get("k"), "input.k");
  AttentionQubos q = buildAttentionQubos(in, 0);
  Napi::Object r = Napi::Object::New(env);
  r.Set("batch", Napi::Number::New(env, in.batch));
  r.Set("positions", Napi::Number::New(env, in.positions));
  r.Set("linear", toFloat64Array(env, q.linear));
  r.Set("dense", toFloat64Array(env, q.dense));
  r.Set("offset", toFloat64Array(env, q.offset));
  return r;
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("threads", Napi::Number::New(env, resolveThreads(0)));
  o.Set("version", Napi::String::New(env, QAHAN_NATIVE_VERSION));
  o.Set("packedIsa", Napi::String::New(env, packedIsa()));
  o.Set("lanesIsa", Napi::String::New(env, lanesIsa()));
  return o;
}

// Throws make()'s error into JS. While a worker is being terminated nothing can be thrown (and building
// the error may fail too): then it gives up quietly, where node-addon-api's rethrow would std::terminate.
template <class Make>
void throwQuietly(napi_env env, Make make) {
  try {
    napi_value v = make();
    if (v) napi_throw(env, v);
  } catch (...) {
  }
}

// Every exported function goes through here: validation errors become TypeError/RangeError, and no C++
// exception leaves the addon.
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    return F(info);
  } catch (const ArgError& e) {
    throwQuietly(env, [&] { return e.range ? Napi::RangeError::New(env, e.msg).Value() : Napi::TypeError::New(env, e.msg).Value(); });
  } catch (const Napi::Error& e) {
    throwQuietly(env, [&] { return napi_value(e.Value()); });
  } catch (const std::bad_alloc&) {
    throwQuietly(env, [&] { return Napi::RangeError::New(env, "qahan: out of memory").Value(); });
  } catch (const std::range_error& e) {
    throwQuietly(env, [&] { return Napi::RangeError::New(env, e.what()).Value(); });
  } catch (const std::exception& e) {
    throwQuietly(env, [&] { return Napi::Error::New(env, std::string("qahan: ") + e.what()).Value(); });
  } catch (...) {
    throwQuietly(env, [&] { return Napi::Error::New(env, "qahan: unknown native error").Value(); });
  }
  return Napi::Value();
}

// Node may unload the addon when the last env that loaded it (a worker's) goes away, but the core's
// detached pool threads run this library's code for the life of the process: pin it.
void pinLibrary() {
#if defined(_WIN32)
  HMODULE self;
  GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                     reinterpret_cast<LPCWSTR>(&pinLibrary), &self);
#else
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&pinLibrary), &info) && info.dli_fname) dlopen(info.dli_fname, RTLD_NOW | RTLD_NODELETE);
#endif
}

// Env teardown (process exit, worker.terminate()): stop every job of this env; their Promises are
// never settled, and the workers leave within a sweep.
void stopJobs(void* arg) {
  auto* jobs = static_cast<std::shared_ptr<JobRegistry>*>(arg);
  for (Job* job : (*jobs)->live) job->teardown();
  delete jobs;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  static std::once_flag pinned;
  std::call_once(pinned, pinLibrary);
  auto* data = new AddonData();
  Napi::Function ctor = CancelToken::Define(env);
  data->cancelCtor = Napi::Persistent(ctor);
  data->modelCtor = Napi::Persistent(ModelHandle::Define(env));
  env.SetInstanceData(data);
  napi_add_env_cleanup_hook(env, stopJobs, new std::shared_ptr<JobRegistry>(data->jobs));
  exports.Set("CancelToken", ctor);
  exports.Set("info", Napi::Function::New(env, guarded<Info>, "info"));
  exports.Set("energies", Napi::Function::New(env, guarded<Energies>, "energies"));
  exports.Set("simulatedAnnealing", Napi::Function::New(env, guarded<SimulatedAnnealing>, "simulatedAnnealing"));
  exports.Set("pathIntegralAnnealing", Napi::Function::New(env, guarded<PathIntegralAnnealing>, "pathIntegralAnnealing"));
  exports.Set("exactSolve", Napi::Function::New(env, guarded<ExactSolve>, "exactSolve"));
  exports.Set("buildAttentionQubos", Napi::Function::New(env, guarded<BuildAttentionQubos>, "buildAttentionQubos"));
  exports.Set("defaultBetaRange", Napi::Function::New(env, guarded<DefaultBetaRange>, "defaultBetaRange"));
  exports.Set("prepareModel", Napi::Function::New(env, guarded<PrepareModel>, "prepareModel"));
  exports.Set("modelDefaults", Napi::Function::New(env, guarded<ModelDefaults>, "modelDefaults"));
  exports.Set("parallelTempering", Napi::Function::New(env, guarded<ParallelTempering>, "parallelTempering"));
  exports.Set("tabuSearch", Napi::Function::New(env, guarded<TabuSearch>, "tabuSearch"));
  exports.Set("findMinorEmbedding", Napi::Function::New(env, guarded<FindMinorEmbedding>, "findMinorEmbedding"));
  registerTrainingKernels(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(qahan, Init)
