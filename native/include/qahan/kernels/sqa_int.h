// qahan/kernels/sqa_int.h - SQA (local moves) on models in integer form: per-slice integer fields (int16
// with the dense int8 rows of DenseIntegerForm, int32 with the fixed-degree neighbour arrays of
// IntegerForm) and no exp() per attempt. A move with classical cost c = -s f units and inter-slice term
// q = s (s_prev + s_next) in {-2, 0, 2} has x = 2 w unit c + 2 Jperp q; x <= 0 accepts without a draw,
// else u < A^c B_q with A = exp(-2 w unit) and B_q = exp(-2 Jperp q) per sweep, A^c kept in a table filled
// on demand by running products. Same moves, order and stream use for the start as runner.cc.
#pragma once
#include <cstdint>

#include "qahan/prepared.h"
#include "qahan/rng.h"
#include "qahan/runner.h"

namespace qahan {

// Whether sqaIntegerRead can run model m (integer form of its storage; cardinality and global moves are
// the caller's to exclude).
bool sqaIntegerQualifies(const PreparedModel& m);

void sqaIntegerRead(const PreparedModel& m, const SqaOptions& q, const int8_t* init, Rng& rng, const BatchOptions& opt,
                    int8_t* out);

}  // namespace qahan
