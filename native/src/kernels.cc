#include "qahan/kernels/kernels.h"
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "qahan/kernels/sparse_int.h"
#if defined(__GNUC__) || defined(__clang__)
#define QAHAN_HAVE_PACKED 1  // the packed kernel (packed.cc) uses GCC/Clang vector extensions
#endif

namespace qahan {

const char* kernelName(Kernel k) {
  switch (k) {
    case Kernel::Dense: return "dense";
    case Kernel::Sparse: return "sparse";
    case Kernel::Packed: return "packed";
    default: return "auto";
  }
}

std::string kernelRefusal(const PreparedModel& m, Kernel k, int cardinality) {
  const Problem& p = m.problem();
  switch (k) {
    case Kernel::Dense:
      return p.dense ? "" : "the model is stored sparse (fewer than a quarter of its pairs are coupled)";
    case Kernel::Sparse:
      return !p.dense ? "" : "the model is stored dense (n <= 64 or at least a quarter of its pairs are coupled)";
    case Kernel::Packed: {
#ifndef QAHAN_HAVE_PACKED
      return "the packed kernel needs a GCC or Clang build";
#endif
      if (p.dense) return "the model is stored dense; the packed kernel takes sparse models";
      if (cardinality >= 0) return "the packed kernel does not keep a cardinality";
      const IntegerForm& f = m.integer();
      if (!f.ok) return "its fields and couplings are not small integer multiples of one unit";
      if (f.maxField > kPackedMaxFieldUnits)
        return "a spin's largest field is " + std::to_string(f.maxField) + " units, more than the packed kernel's " +
               std::to_string(kPackedMaxFieldUnits);
      return "";
    }
    default:
      return "";
  }
}

Kernel autoKernel(const PreparedModel& m, int numReads, int cardinality, bool initialStates) {
  if (numReads >= kPackedAutoMinReads && !initialStates && kernelRefusal(m, Kernel::Packed, cardinality).empty())
    return Kernel::Packed;
  return m.problem().dense ? Kernel::Dense : Kernel::Sparse;
}

namespace {

inline bool stoppedOpt(const BatchOptions& o) {
  return (o.cancel && o.cancel->load(std::memory_order_relaxed)) || (o.abort && o.abort->load(std::memory_order_relaxed));
}

// Random spins 64 to a draw, or the initial state: the same stream use as runner.cc.
void startSpins(int8_t* s, int n, const int8_t* init, Vartype vt, Rng& rng) {
  if (init) {
    for (int i = 0; i < n; ++i) s[i] = toSpin(init[i], vt);
  } else {
    for (int i = 0; i < n;) {
      uint64_t bits = rng.next();
      for (int k = 0; k < 64 && i < n; ++k, ++i, bits >>= 1) s[i] = (bits & 1) ? 1 : -1;
    }
  }
}

template <int D>
void intSweeps(const IntegerForm& f, const std::vector<IntSlot>& slots, const Ramp& betas, int8_t* s, int32_t* fl,
               Rng& rng, const BatchOptions& opt) {
  std::vector<uint64_t> thr(static_cast<size_t>(f.maxField) + 1, 0);
  const size_t S = betas.size();
  double last = -1.0;
  for (size_t t = 0; t < S; ++t) {
    if (stoppedOpt(opt)) throw Cancelled();
    const double beta = betas.at(t);
    if (beta != last) acceptanceThresholds(beta, f.unit, f.maxField, thr.data()), last = beta;
    saIntSweep<D>(slots.data(), f.D, s, fl, f.n, thr.data(), rng);
    if (opt.progress) opt.progress->fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace

void saIntegerRead(const PreparedModel& m, const Ramp& betas, const int8_t* init, Rng& rng, const BatchOptions& opt,
                   int8_t* out) {
  const IntegerForm& f = m.integer();
  const int n = f.n, D = f.D;
  std::vector<int8_t> s(static_cast<size_t>(n) + 1, 1);
  startSpins(s.data(), n, init, m.model().vartype, rng);
  std::vector<int32_t> fl(static_cast<size_t>(n) + 1, 0);
  std::vector<IntSlot> slots(static_cast<size_t>(n) * D);
  for (size_t e = 0; e < slots.size(); ++e) slots[e] = {f.nbr[e], f.w[e]};
  for (int i = 0; i < n; ++i) {
    int32_t a = f.hi[i];
    for (int d = 0; d < D; ++d) a += f.w[static_cast<size_t>(i) * D + d] * s[f.nbr[static_cast<size_t>(i) * D + d]];
    fl[i] = a;
  }
  switch (D) {
    case 1: intSweeps<1>(f, slots, betas, s.data(), fl.data(), rng, opt); break;
    case 2: intSweeps<2>(f, slots, betas, s.data(), fl.data(), rng, opt); break;
    case 3: intSweeps<3>(f, slots, betas, s.data(), fl.data(), rng, opt); break;
    case 4: intSweeps<4>(f, slots, betas, s.data(), fl.data(), rng, opt); break;
    case 5: intSweeps<5>(f, slots, betas, s.data(), fl.data(), rng, opt); break;
    case 6: intSweeps<6>(f, slots, betas, s.data(), fl.data(), rng, opt); break;
    case 8: intSweeps<8>(f, slots, betas, s.data(), fl.data(), rng, opt); break;
    default: intSweeps<0>(f, slots, betas, s.data(), fl.data(), rng, opt); break;
  }
  for (int i = 0; i < n; ++i) out[i] = fromSpin(s[i], m.model().vartype);
}

}  // namespace qahan
