// qahan/kernels/dense_int.h - the 'dense' SA kernel on dense models in integer form (prepared.h,
// DenseIntegerForm): int16 fields in units, couplings as int8 rows (a quarter of the float rows' bytes,
// so a 1000-spin model's couplings stay in L2), the per-sweep 64-bit threshold table of the sparse
// kernel (no exp(); downhill moves draw no number) and a flip that adds or subtracts one row.
#pragma once
#include <cstdint>

#include "qahan/prepared.h"
#include "qahan/rng.h"
#include "qahan/runner.h"
#include "qahan/schedules.h"

namespace qahan {

// SA read of model m (m.denseInteger().ok, no cardinality), with the same stream use for the start as
// runner.cc (random spins 64 per draw, or init in the model's vartype); out in the model's vartype.
void saDenseIntegerRead(const PreparedModel& m, const Ramp& betas, const int8_t* init, Rng& rng, const BatchOptions& opt,
                        int8_t* out);

}  // namespace qahan
