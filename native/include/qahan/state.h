// qahan/state.h - the mutable part of one read: spins (int8, +-1) and their local fields
// f_i = h_i + sum_j J_ij s_j, kept up to date incrementally by the moves. SA uses one slice; SQA keeps
// P Trotter slices back to back (slice k at offset k*n). Fields are float32 for large dense models
// (the float32 coupling copy) and double otherwise; they are initialised exactly, in double.
#pragma once
#include <cstdint>
#include <vector>

#include "qahan/problem.h"

namespace qahan {

template <class Real>
struct SliceState {
  int n = 0;
  int slices = 0;
  std::vector<int8_t> s;  // slices * n
  std::vector<Real> f;    // slices * n

  void resize(int n_, int slices_) {
    n = n_;
    slices = slices_;
    s.assign(static_cast<size_t>(n) * slices, 1);
    f.assign(static_cast<size_t>(n) * slices, Real(0));
  }
  int8_t* spins(int k) { return s.data() + static_cast<size_t>(k) * n; }
  Real* fields(int k) { return f.data() + static_cast<size_t>(k) * n; }
  // Recompute slice k's fields from its spins (double accumulation).
  void refresh(const Problem& p, int k, std::vector<double>& scratch) {
    scratch.resize(n);
    p.fields(spins(k), scratch.data());
    Real* fk = fields(k);
    for (int i = 0; i < n; ++i) fk[i] = static_cast<Real>(scratch[i]);
  }
};

}  // namespace qahan
