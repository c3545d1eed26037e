// qahan/kernels/kernels.h - which SA inner loop runs a model, and the loops that runner.cc does not hold.
//
//   dense   rows of a dense coupling matrix (runner.cc, moves.h)
//   sparse  neighbour lists: for models whose spin-form biases are small integer multiples of one unit,
//           fixed-degree neighbour arrays with integer fields and a per-sweep table of 32-bit acceptance
//           thresholds (no exp()), up to 16 reads side by side in the 32-bit lanes of a vector, each on
//           its own stream (kernels/sparse_lanes.h; kernels/sparse_int.h without GCC/Clang); otherwise
//           CSR in double (moves.h)
//   packed  64 reads in the bits of one word per site (kernels/packed.h, host side packed.cc): couplings
//           as sign masks, a bit-sliced count of unsatisfied bonds, and an independent Metropolis decision
//           per read (fresh random bits compared with the binary expansion of each energy class's
//           acceptance probability, most significant bit first; counter-based random words). Sites are
//           swept in colour order; AVX-512 and AVX2 copies (packed_avx512.cc, packed_avx2.cc, chosen at
//           run time) carry 8 or 4 words per instruction, or, for the last words, 8 or 4 independent
//           sites of one word. Each 64-read word has its own hash key, so the samples depend neither on
//           the CPU nor on the thread count.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "qahan/prepared.h"
#include "qahan/rng.h"
#include "qahan/runner.h"
#include "qahan/schedules.h"

namespace qahan {

enum class Kernel { Auto, Dense, Sparse, Packed };
const char* kernelName(Kernel k);

// The packed kernel takes models in integer form whose largest field is at most this many units.
constexpr int kPackedMaxFieldUnits = 15;
// SQA's packed kernel tables the classes of up to this many units of field (U = 0..7).
constexpr int kPackedSqaMaxFieldUnits = 7;
// 'auto' packs from this many reads on.
constexpr int kPackedAutoMinReads = 32;

// Why model m cannot run kernel k ("" when it can). Dense needs dense storage, sparse CSR storage,
// packed CSR storage in integer form (max field <= kPackedMaxFieldUnits units) without cardinality.
std::string kernelRefusal(const PreparedModel& m, Kernel k, int cardinality);

// The kernel 'auto' picks for a batch (the same for every model): packed when every model qualifies and
// numReads >= kPackedAutoMinReads without initial states; else each model's storage.
Kernel autoKernel(const PreparedModel& m, int numReads, int cardinality, bool initialStates);

// SA read of model m with the integer neighbour-array kernel (m.integer().ok, no cardinality).
// Same stream use for the start as runner.cc (random spins 64 per draw, or the initial state).
void saIntegerRead(const PreparedModel& m, const Ramp& betas, const int8_t* init, Rng& rng, const BatchOptions& opt,
                   int8_t* out);

// SA on every model with the packed kernel; reads of model b are grouped 64 to a word, word g of model b
// runs on Rng(seed, b, kPackedStream + g) and read r starts from Rng(seed, b, r)'s random spins (or its
// initial state), as in the other kernels.
constexpr uint64_t kPackedStream = uint64_t(1) << 40;
std::vector<SampleOutput> runPackedSa(const std::vector<const PreparedModel*>& models, const std::vector<Ramp>& schedules,
                                      const BatchOptions& opt);

// SQA (local moves, no cardinality) on every model with the packed kernel: P slices of 64-read words.
// Read r's slices start from Rng(seed, b, r)'s random spins, slice after slice, or its initial state in
// every slice (as runner.cc); the returned slice is the lowest (integer energy, ties to the lowest
// slice), a fixed one, or (kSliceRandom) a draw from the read's stream after its start.
std::vector<SampleOutput> runPackedSqa(const std::vector<const PreparedModel*>& models, const SqaOptions& sqa,
                                       const BatchOptions& opt);

// The vector width the packed kernel uses on this CPU: "avx512", "avx2" or "portable".
const char* packedIsa();

}  // namespace qahan
