/**
 * Size limits of the native core, mirrored here so that TypeScript can refuse an oversized input before
 * it allocates anything (a hostile header must fail in microseconds, not after gigabytes). Keep in step
 * with the constants at the top of native/src/binding.cc.
 */

/** Most variables a model may have (kMaxVariables = 2^26). */
export const MAX_VARIABLES = 2 ** 26;

/** Most sample values (rows x variables) one call returns or takes (kMaxOutputValues = 2^30). */
export const MAX_SAMPLE_VALUES = 2 ** 30;

/**
 * Most rows `energies()` computes in one call and `SampleSet.fromJSON` reads: 2^27 rows are 1 GiB of
 * float64 energies (the native core's bound on reads per call, kMaxTotalReads, is the same).
 */
export const MAX_SAMPLE_ROWS = 2 ** 27;

/** Most slices x variables in one SQA read (kMaxSliceValues = 2^26). */
export const MAX_SLICE_VALUES = 2 ** 26;
