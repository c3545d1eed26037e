// qahan/prepared.h - a validated Model with everything the samplers derive from it, built once and
// shared by every call on an unchanged model (the binding keeps one per BinaryQuadraticModel behind a
// handle; JS drops the handle when the model changes). Derived parts are made on first use, thread-safely:
// the spin-form Problem, the default beta range, the largest |bias| of the spin form (SQA's default
// scale), the swap ranges per cardinality and the integer form the fast kernels need.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "qahan/problem.h"

namespace qahan {

// A model whose spin-form fields and couplings are all small integer multiples of one unit:
//   h_i = unit * hi[i],  J_ij = unit * w,  |hi|, |w| <= kMaxUnits.
// Neighbour lists are padded to a fixed degree D (pad entries point at the dummy site n with weight 0).
struct IntegerForm {
  static constexpr int kMaxUnits = 127;
  static constexpr int kMaxFieldUnits = 4096;  // max_i |h_i| + sum_j |J_ij| in units
  bool ok = false;
  double unit = 0.0;
  int n = 0, D = 0;
  int maxField = 0;             // in units
  std::vector<int32_t> hi;      // n
  std::vector<int32_t> nbr;     // n * D
  std::vector<int32_t> w;       // n * D (0 on padding)
};

IntegerForm integerForm(const Problem& p);

// A dense model whose spin-form couplings are small integer multiples of one unit (|J_ij| <= 63 units)
// and whose fields stay within int16: couplings kept as int8 rows of 2 J_ij in units (a flip adds or
// subtracts one row to the int16 fields), rows padded to a multiple of 64 entries.
struct DenseIntegerForm {
  static constexpr int kMaxUnits = 63;
  static constexpr int kMaxFieldUnits = 16383;
  bool ok = false;
  double unit = 0.0;
  int n = 0, stride = 0;
  int maxField = 0;          // max_i |h_i| + sum_j |J_ij|, in units
  std::vector<int32_t> hi;   // n
  // n * stride: 2 J_ij / unit, 0 on the diagonal and the padding; 64-byte aligned, on one or more huge
  // pages when large (a flip reads one row, so TLB misses were a visible part of the update).
  std::shared_ptr<int8_t> w2;
  const int8_t* rows() const { return w2.get(); }
};

DenseIntegerForm denseIntegerForm(const Problem& p);

// The unit of a dense model's DenseIntegerForm (its smallest |coefficient| divided by 1..16, the first
// that makes every h_i and J_ij an integer within the form's limits), or 0 when there is none.
double denseIntegerUnit(const Problem& p);

class PreparedModel {
 public:
  explicit PreparedModel(Model m) : model_(std::move(m)) {}
  const Model& model() const { return model_; }
  const Problem& problem() const;
  std::pair<double, double> defaultBetaRange() const;
  std::pair<double, double> swapBetaRange(int k) const;
  // max(max_i |h_i|, max_ij |J_ij|) of the spin form (what BinaryQuadraticModel.changeVartype('SPIN')
  // .maxAbsBiases() gives, bit for bit: the same sums in the same order).
  double maxAbsSpinBias() const;
  const IntegerForm& integer() const;
  const DenseIntegerForm& denseInteger() const;
  // Anything else a kernel derives from the model and keeps with it (the packed kernel's site order and
  // groups), made by make() on the first call with that key and shared by every later call.
  template <class T, class Make>
  std::shared_ptr<const T> derived(int key, Make make) const {
    std::lock_guard<std::mutex> lk(derivedMu_);
    auto& slot = derived_[key];
    if (!slot) slot = std::shared_ptr<const T>(make());
    return std::static_pointer_cast<const T>(slot);
  }

 private:
  Model model_;
  mutable std::once_flag problemOnce_, rangeOnce_, biasOnce_, intOnce_, denseIntOnce_;
  mutable Problem problem_;
  mutable std::pair<double, double> range_;
  mutable double maxBias_ = 0.0;
  mutable IntegerForm int_;
  mutable DenseIntegerForm denseInt_;
  mutable std::mutex swapMu_;
  mutable std::map<int, std::pair<double, double>> swap_;
  mutable std::mutex derivedMu_;
  mutable std::map<int, std::shared_ptr<const void>> derived_;
};

using PreparedPtr = std::shared_ptr<const PreparedModel>;

}  // namespace qahan
