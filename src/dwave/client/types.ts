/** Solver API resource shapes (representation v3; SAPI_SPEC.md §3, §4). */

export interface SolverIdentity {
  name: string;
  version?: { graph_id?: string; [key: string]: unknown };
}

/** A solver definition from `solvers/remote/`. Legacy v2 `{id}` descriptions are normalised to `identity`. */
export interface SolverDescription {
  identity: SolverIdentity;
  status?: string;
  description?: string;
  avg_load?: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  properties: Record<string, any>;
}

export type ProblemState = 'PENDING' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

export interface ProblemStatus {
  id: string;
  type?: string;
  solver?: SolverIdentity;
  label?: string;
  status: ProblemState | string;
  submitted_on?: string;
  solved_on?: string | null;
  error_message?: string;
  answer?: Record<string, unknown>;
}

/** A job for `POST problems/`. */
export interface ProblemJob {
  solver: SolverIdentity;
  type: string;
  data: Record<string, unknown>;
  params?: Record<string, unknown>;
  label?: string;
}

/** A per-item error in a submit or cancel response. */
export interface ItemError {
  error_code: number;
  error_msg: string;
}
