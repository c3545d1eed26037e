/**
 * Solver descriptions for the mock SAPI server, built from the topology generators: an
 * Advantage-like Pegasus P16 and an Advantage2-like Zephyr Z(12,4), each with a few dead qubits and
 * couplers, and a hybrid BQM solver.
 */
import crypto from 'crypto';
import { HardwareGraph, pegasusGraph, toSolverProperties, withDefects, zephyrGraph } from '../topology';
import type { SolverDescription } from '../client/types';

const QPU_PARAMETERS: Record<string, string> = {
  anneal_offsets: 'Anneal offsets for each working qubit, formatted as a list, with NaN specified for unused qubits.',
  anneal_schedule: "Annealing schedule formatted as a piecewise linear list of floating-point pairs of 't' and 's'.",
  annealing_time: 'Quantum annealing duration, in microseconds, as a positive floating point number.',
  answer_mode: "Format of returned answers, as 'histogram' or 'raw' samples.",
  auto_scale: 'Automatic rescaling of h and J values to their available range, as a boolean flag.',
  fast_anneal: 'Activation of the fast-anneal protocol, as a boolean flag.',
  flux_biases: 'Flux biases for each working qubit, in normalized offset units.',
  flux_drift_compensation: 'Activation of flux drift compensation, as a boolean flag.',
  h_gain_schedule: "h-gain schedule formatted as a piecewise linear list of pairs of 't' and 'g'.",
  initial_state: 'Initial states to use for a reverse-anneal request.',
  max_answers: 'Maximum number of answers returned from the solver.',
  num_reads: 'Number of states to read (answers to return), as a positive integer.',
  programming_thermalization: 'Time in microseconds to wait after programming the processor.',
  readout_thermalization: 'Time in microseconds to wait after each state is read from the processor.',
  reduce_intersample_correlation: 'Addition of pauses between samples, as a boolean flag.',
  reinitialize_state: 'Reapplication of the initial_state for every read in reverse annealing, as a boolean flag.',
};

function graphId(g: HardwareGraph): string {
  const h = crypto.createHash('sha1');
  h.update(JSON.stringify(g.qubits));
  h.update(JSON.stringify(g.couplers));
  return h.digest('hex').slice(0, 10);
}

export interface QpuMockOptions {
  name: string;
  graph: HardwareGraph;
  chipId?: string;
  avgLoad?: number;
  status?: string;
  /** Advantage: per_qubit_coupling_range; Advantage2: per_group_coupling_range. */
  couplingRange?: { key: 'per_qubit_coupling_range' | 'per_group_coupling_range'; value: [number, number] };
}

/** A QPU solver description with Advantage-like properties over `graph`. */
export function qpuSolverDescription(o: QpuMockOptions): SolverDescription {
  const props = toSolverProperties(o.graph);
  const properties: Record<string, unknown> = {
    chip_id: o.chipId ?? o.name,
    category: 'qpu',
    tags: [],
    quota_conversion_rate: 1,
    topology: props.topology,
    num_qubits: props.num_qubits,
    qubits: props.qubits,
    couplers: props.couplers,
    supported_problem_types: ['ising', 'qubo'],
    h_range: [-4.0, 4.0],
    j_range: [-1.0, 1.0],
    extended_j_range: [-2.0, 1.0],
    annealing_time_range: [0.5, 2000.0],
    default_annealing_time: 20.0,
    fast_anneal_time_range: [0.005, 2000.0],
    default_programming_thermalization: 1000.0,
    default_readout_thermalization: 0.0,
    programming_thermalization_range: [0.0, 10000.0],
    readout_thermalization_range: [0.0, 10000.0],
    h_gain_schedule_range: [-3.0, 3.0],
    max_anneal_schedule_points: 12,
    max_h_gain_schedule_points: 20,
    num_reads_range: [1, 10000],
    problem_run_duration_range: [0.0, 1000000.0],
    parameters: { ...QPU_PARAMETERS },
    problem_timing_data: {
      version: '1.0.0',
      typical_programming_time: 14072.88,
      default_programming_thermalization: 1000.0,
      default_annealing_time: 20.0,
      qpu_delay_time_per_sample: 20.54,
      default_readout_thermalization: 0.0,
    },
  };
  if (o.couplingRange) properties[o.couplingRange.key] = o.couplingRange.value;
  return {
    identity: { name: o.name, version: { graph_id: graphId(o.graph) } },
    status: o.status ?? 'ONLINE',
    description: `Mock ${o.graph.family} QPU (${o.graph.qubits.length} working qubits) served by qahan mock-sapi`,
    avg_load: o.avgLoad ?? 0.05,
    properties,
  };
}

/** The hybrid BQM solver description (piecewise-linear minimum_time_limit as Leap's BQM solvers). */
export function hybridBqmSolverDescription(name = 'hybrid_binary_quadratic_model_version2p_mock'): SolverDescription {
  return {
    identity: { name },
    status: 'ONLINE',
    description: 'Mock hybrid BQM solver served by qahan mock-sapi (solves with the native simulated annealer)',
    avg_load: 0.0,
    properties: {
      category: 'hybrid',
      quota_conversion_rate: 20,
      parameters: { time_limit: 'Hybrid solver execution time limit.' },
      version: '2.2',
      supported_problem_types: ['bqm'],
      maximum_number_of_biases: 200_000_000,
      maximum_number_of_variables: 1_000_000,
      maximum_time_limit_hrs: 24.0,
      minimum_time_limit: [
        [1, 3.0],
        [1024, 3.0],
        [4096, 4.0],
        [8192, 16.0],
      ],
    },
  };
}

export interface DefaultSolversOptions {
  /** Dead qubits per QPU (random, seeded). Default 6. */
  deadQubits?: number;
  /** Dead couplers per QPU (random, seeded). Default 12. */
  deadCouplers?: number;
  seed?: number;
}

/** The default solver set: Advantage_system_mock (P16), Advantage2_system_mock (Z(12,4)), the hybrid BQM solver. */
export function defaultMockSolvers(o: DefaultSolversOptions = {}): SolverDescription[] {
  const seed = o.seed ?? 2024;
  const defects = { randomDeadQubits: o.deadQubits ?? 6, randomDeadCouplers: o.deadCouplers ?? 12 };
  const p16 = withDefects(pegasusGraph(16), { ...defects, seed });
  const z12 = withDefects(zephyrGraph(12, 4), { ...defects, seed: seed + 1 });
  return [
    qpuSolverDescription({
      name: 'Advantage_system_mock',
      graph: p16,
      avgLoad: 0.12,
      couplingRange: { key: 'per_qubit_coupling_range', value: [-18.0, 15.0] },
    }),
    qpuSolverDescription({
      name: 'Advantage2_system_mock',
      graph: z12,
      avgLoad: 0.04,
      couplingRange: { key: 'per_group_coupling_range', value: [-13.0, 10.0] },
    }),
    hybridBqmSolverDescription(),
  ];
}

/** minimum_time_limit at `numVariables`: linear interpolation, clamped at the ends (numpy.interp). */
export function minimumTimeLimit(points: [number, number][] | undefined, numVariables: number): number | undefined {
  if (!Array.isArray(points) || points.length === 0) return undefined;
  const pts = points.slice().sort((a, b) => a[0] - b[0]);
  if (numVariables <= pts[0][0]) return pts[0][1];
  for (let i = 1; i < pts.length; i++) {
    const [x1, y1] = pts[i];
    if (numVariables <= x1) {
      const [x0, y0] = pts[i - 1];
      return y0 + ((numVariables - x0) * (y1 - y0)) / (x1 - x0);
    }
  }
  return pts[pts.length - 1][1];
}
