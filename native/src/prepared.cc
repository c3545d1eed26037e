#include "qahan/prepared.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include "qahan/memory.h"

#include "qahan/schedules.h"

namespace qahan {

const Problem& PreparedModel::problem() const {
  std::call_once(problemOnce_, [this] { problem_ = toProblem(model_); });
  return problem_;
}

std::pair<double, double> PreparedModel::defaultBetaRange() const {
  std::call_once(rangeOnce_, [this] { range_ = qahan::defaultBetaRange(problem()); });
  return range_;
}

std::pair<double, double> PreparedModel::swapBetaRange(int k) const {
  {
    std::lock_guard<std::mutex> lk(swapMu_);
    auto it = swap_.find(k);
    if (it != swap_.end()) return it->second;
  }
  auto r = defaultSwapBetaRange(problem(), k);
  std::lock_guard<std::mutex> lk(swapMu_);
  if (swap_.size() > 64) swap_.clear();
  swap_[k] = r;
  return r;
}

double PreparedModel::maxAbsSpinBias() const {
  std::call_once(biasOnce_, [this] {
    const Problem& p = problem();
    double l = 0.0, q = 0.0;
    for (double v : p.h) l = std::max(l, std::fabs(v));
    if (p.dense) {
      const size_t N = static_cast<size_t>(p.n);
      for (size_t i = 0; i < N; ++i)
        for (size_t j = i + 1; j < N; ++j) q = std::max(q, std::fabs(p.J[i * N + j]));
    } else {
      for (double v : p.val) q = std::max(q, std::fabs(v));
    }
    maxBias_ = std::max(l, q);
  });
  return maxBias_;
}

const IntegerForm& PreparedModel::integer() const {
  std::call_once(intOnce_, [this] { int_ = integerForm(problem()); });
  return int_;
}

const DenseIntegerForm& PreparedModel::denseInteger() const {
  std::call_once(denseIntOnce_, [this] { denseInt_ = denseIntegerForm(problem()); });
  return denseInt_;
}

namespace {
// v / unit as an integer when it is one (to 1e-9 relative), else a value out of range.
inline long units(double v, double unit) {
  const double q = v / unit;
  const double r = std::nearbyint(q);
  if (std::fabs(q - r) > 1e-9 * std::max(1.0, std::fabs(q))) return 1L << 40;
  return static_cast<long>(r);
}
}  // namespace

IntegerForm integerForm(const Problem& p) {
  IntegerForm f;
  if (p.dense || p.n == 0) return f;
  const int n = p.n;
  double minAbs = 0.0;
  auto see = [&](double v) {
    v = std::fabs(v);
    if (v > 0.0 && (minAbs == 0.0 || v < minAbs)) minAbs = v;
  };
  for (double v : p.h) see(v);
  for (double v : p.val) see(v);
  if (!(minAbs > 0.0)) return f;
  // The unit: the smallest |coefficient| divided by 1..16 (so 2 and 3 find 1).
  for (int div = 1; div <= 16 && !f.ok; ++div) {
    const double unit = minAbs / div;
    bool ok = true;
    for (double v : p.h) ok = ok && std::labs(units(v, unit)) <= IntegerForm::kMaxUnits;
    for (size_t k = 0; ok && k < p.val.size(); ++k) ok = std::labs(units(p.val[k], unit)) <= IntegerForm::kMaxUnits;
    if (ok) f.ok = true, f.unit = unit;
  }
  if (!f.ok) return f;
  int D = 0, maxField = 0;
  for (int i = 0; i < n; ++i) {
    D = std::max<int>(D, static_cast<int>(p.rowPtr[i + 1] - p.rowPtr[i]));
    long a = std::labs(units(p.h[i], f.unit));
    for (uint32_t k = p.rowPtr[i]; k < p.rowPtr[i + 1]; ++k) a += std::labs(units(p.val[k], f.unit));
    maxField = std::max<int>(maxField, static_cast<int>(a));
  }
  if (maxField > IntegerForm::kMaxFieldUnits || D > 64) {
    f.ok = false;
    return f;
  }
  f.n = n;
  f.D = D;
  f.maxField = maxField;
  f.hi.resize(n);
  f.nbr.assign(static_cast<size_t>(n) * D, n);
  f.w.assign(static_cast<size_t>(n) * D, 0);
  for (int i = 0; i < n; ++i) {
    f.hi[i] = static_cast<int32_t>(units(p.h[i], f.unit));
    int d = 0;
    for (uint32_t k = p.rowPtr[i]; k < p.rowPtr[i + 1]; ++k, ++d) {
      f.nbr[static_cast<size_t>(i) * D + d] = static_cast<int32_t>(p.colIdx[k]);
      f.w[static_cast<size_t>(i) * D + d] = static_cast<int32_t>(units(p.val[k], f.unit));
    }
  }
  return f;
}

double denseIntegerUnit(const Problem& p) {
  if (!p.dense || p.n == 0) return 0.0;
  const size_t N = static_cast<size_t>(p.n);
  double minAbs = 0.0;
  auto see = [&](double v) {
    v = std::fabs(v);
    if (v > 0.0 && (minAbs == 0.0 || v < minAbs)) minAbs = v;
  };
  for (double v : p.h) see(v);
  for (size_t i = 0; i < N; ++i)
    for (size_t j = i + 1; j < N; ++j) see(p.J[i * N + j]);
  if (!(minAbs > 0.0)) return 0.0;
  for (int div = 1; div <= 16; ++div) {
    const double unit = minAbs / div;
    bool ok = true;
    for (size_t i = 0; ok && i < N; ++i) {
      ok = std::labs(units(p.h[i], unit)) <= DenseIntegerForm::kMaxFieldUnits;
      const double* r = p.J.data() + i * N;
      for (size_t j = i + 1; ok && j < N; ++j) ok = std::labs(units(r[j], unit)) <= DenseIntegerForm::kMaxUnits;
    }
    if (ok) return unit;
  }
  return 0.0;
}

DenseIntegerForm denseIntegerForm(const Problem& p) {
  DenseIntegerForm f;
  const double unit = denseIntegerUnit(p);
  if (!(unit > 0.0)) return f;
  f.ok = true;
  f.unit = unit;
  const int n = p.n;
  const size_t N = static_cast<size_t>(n);
  f.n = n;
  f.stride = (n + 63) / 64 * 64;
  f.hi.resize(N);
  {
    const size_t bytes = N * f.stride;
    const size_t align = bytes >= (size_t(256) << 10) ? size_t(2) << 20 : 64;
    const size_t size = (bytes + align - 1) / align * align;
    void* mem = std::aligned_alloc(align, size);
    if (!mem) throw std::bad_alloc();
    f.w2 = std::shared_ptr<int8_t>(static_cast<int8_t*>(mem), [](int8_t* q) { std::free(q); });
    if (align > 64) adviseHugePages(mem, size);
    std::memset(mem, 0, bytes);
  }
  long maxField = 0;
  for (size_t i = 0; i < N; ++i) {
    f.hi[i] = static_cast<int32_t>(units(p.h[i], f.unit));
    long a = std::labs(f.hi[i]);
    const double* r = p.J.data() + i * N;
    int8_t* w = f.w2.get() + i * f.stride;
    for (size_t j = 0; j < N; ++j) {
      const long u = j == i ? 0 : units(r[j], f.unit);
      w[j] = static_cast<int8_t>(2 * u);
      a += std::labs(u);
    }
    maxField = std::max(maxField, a);
  }
  if (maxField > DenseIntegerForm::kMaxFieldUnits) return DenseIntegerForm{};
  f.maxField = static_cast<int>(maxField);
  return f;
}

}  // namespace qahan
