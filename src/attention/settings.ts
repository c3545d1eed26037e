/**
 * Settings of the attention slot shared by every method, with their documented defaults. See
 * docs/method.md for the reasoning behind each default. (Method names live in the registry,
 * methods/index.ts; options.ts re-exports both.)
 */

export interface AttentionOptions {
  /** Positions kept. Default round(keepRatio * N). */
  k?: number;
  /** Fraction of positions kept when k is not given. Default 0.25 (12 of 49 on MNIST, 16 of 64 on CIFAR-10). */
  keepRatio?: number;
  /** Redundancy weight of the QUBO. Default 0.5 / (k - 1): a fully redundant set costs at most half a unit of score. */
  lambda?: number;
  /**
   * Cardinality penalty. Default: per image, the smallest value that provably makes every optimum keep
   * exactly k, plus `gammaMargin`: gamma_b = max(max_i a_i - lambda k min(0, min S), lambda (k - 1) max(0, max S) - min_i a_i) + margin.
   * A fixed number overrides it for every image.
   */
  gamma?: number;
  /** Margin of the automatic gamma. Default 0.1. */
  gammaMargin?: number;
  /** Annealer reads per image (the lowest-energy read is used). Default 1 (SQA's Trotter slices already act as coupled replicas). */
  numReads?: number;
  /** Sweeps per read. Default 128 (see docs/method.md for the quality/cost measurements). */
  numSweeps?: number;
  /** Trotter slices for the 'sqa' sampler (ignored by others). Default 4: with pair swaps 4 x 128 reaches the reference optimum on 100% of 1,000 real MNIST and 1,000 CIFAR-10 masks, like 8 and 12, at the lowest cost (docs/method.md). */
  trotterSlices?: number;
  /**
   * Annealing schedule shape ('geometric' or 'linear' betas / transverse field), passed to samplers that
   * accept betaScheduleType / gammaScheduleType. Default: the sampler's own.
   */
  schedule?: 'geometric' | 'linear';
  /**
   * Gumbel-softmax temperature: tau = max(tauMin, tau0 * exp(-tauDecay * step)). Defaults 1, 0.5, 1e-4,
   * Jang et al.'s schedule: with a floor of 0.1 training diverged to chance once tau neared the floor
   * (full MNIST, step ~2300; CIFAR-10), see docs/method.md.
   */
  tau0?: number;
  tauMin?: number;
  tauDecay?: number;
  /** REINFORCE moving-average baseline momentum. Default 0.9. */
  baselineMomentum?: number;
  /** REINFORCE entropy bonus: beta in loss - beta * H(first pick), which keeps the policy exploring. Default 0. */
  entropyBonus?: number;
  /** Standard deviation of Gaussian noise added to every QUBO coefficient, relative to its largest |coefficient| (robustness tests). Default 0. */
  quboNoise?: number;
  /**
   * What a sampler without `cardinality` (a QPU: single flips only) anneals: 'threshold' (default; no
   * cardinality term, tau between the k-th and (k+1)-th score, every sample repaired to k on the host) or
   * 'penalty' (the penalty QUBO, also repaired). See annealed-masks.ts and docs/method.md.
   */
  qpuFormulation?: 'threshold' | 'penalty';
  /**
   * qahan-free's tau: E(z) = sum_i (tau - a_i) z_i + lambda sum_{i<j} S_ij z_i z_j, no cardinality term,
   * so a position is kept when its score beats tau plus its redundancy with the other kept ones.
   * Default 0: qahan's energy without the penalty; as a_i > 0 the empty mask is then never optimal
   * (tau = 0.5 emptied the masks and trained to chance, docs/method.md). Fixed, not learned.
   */
  tau?: number;
}

export interface ResolvedAttentionOptions extends Required<Omit<AttentionOptions, 'gamma' | 'schedule'>> {
  /** undefined: automatic per image. */
  gamma: number | undefined;
  /** undefined: the sampler's own schedule. */
  schedule: 'geometric' | 'linear' | undefined;
  positions: number;
}

function qpuFormulation(v: unknown): 'threshold' | 'penalty' {
  if (v === undefined) return 'threshold';
  if (v === 'threshold' || v === 'penalty') return v;
  throw new RangeError(`qpuFormulation must be 'threshold' or 'penalty', got ${JSON.stringify(v)}`);
}

export function resolveAttentionOptions(positions: number, o: AttentionOptions = {}): ResolvedAttentionOptions {
  if (!Number.isInteger(positions) || positions < 1) throw new RangeError(`positions must be a positive integer, got ${positions}`);
  const keepRatio = o.keepRatio ?? 0.25;
  if (!(keepRatio > 0 && keepRatio <= 1)) throw new RangeError(`keepRatio must be in (0, 1], got ${keepRatio}`);
  const k = o.k ?? Math.max(1, Math.round(keepRatio * positions));
  if (!Number.isInteger(k) || k < 1 || k > positions) throw new RangeError(`k must be an integer in 1..${positions}, got ${k}`);
  const lambda = o.lambda ?? (k > 1 ? 0.5 / (k - 1) : 0);
  const positive = (v: number, name: string) => {
    if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a positive number, got ${v}`);
    return v;
  };
  const int = (v: number, name: string) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
    return v;
  };
  const finite = (v: number, name: string) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${name} must be a finite number, got ${v}`);
    return v;
  };
  const nonNegative = (v: number, name: string) => {
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a finite number >= 0, got ${v}`);
    return v;
  };
  if (!(lambda >= 0)) throw new RangeError(`lambda must be >= 0, got ${lambda}`);
  return {
    positions,
    k,
    keepRatio,
    lambda,
    gamma: o.gamma === undefined ? undefined : positive(o.gamma, 'gamma'),
    gammaMargin: positive(o.gammaMargin ?? 0.1, 'gammaMargin'),
    numReads: int(o.numReads ?? 1, 'numReads'),
    numSweeps: int(o.numSweeps ?? 128, 'numSweeps'),
    trotterSlices: int(o.trotterSlices ?? 4, 'trotterSlices'),
    schedule: o.schedule,
    tau0: positive(o.tau0 ?? 1, 'tau0'),
    tauMin: positive(o.tauMin ?? 0.5, 'tauMin'),
    tauDecay: o.tauDecay ?? 1e-4,
    baselineMomentum: o.baselineMomentum ?? 0.9,
    entropyBonus: nonNegative(o.entropyBonus ?? 0, 'entropyBonus'),
    quboNoise: o.quboNoise ?? 0,
    qpuFormulation: qpuFormulation(o.qpuFormulation),
    tau: finite(o.tau ?? 0, 'tau'),
  };
}
