/**
 * Client-side solver selection (SAPI_SPEC.md §1.4): Django-like feature filters
 * `<key>[__<subkey>...][__<op>]: value` over the full solver list, and ordering.
 *
 * Derived keys: name, identity, version, graph_id, qpu, hybrid, software, online, num_active_qubits,
 * avg_load, lower_noise, status, description. Other keys are read from `properties` (nested with `__`).
 * Operators: eq (default), lt, lte, gt, gte, regex, covers, within, in, contains, issubset, issuperset,
 * available.
 */
import type { SolverDescription } from './types';

export const FILTER_OPERATORS = ['eq', 'lt', 'lte', 'gt', 'gte', 'regex', 'covers', 'within', 'in', 'contains', 'issubset', 'issuperset', 'available'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

const MISSING = Symbol('missing');
type Value = unknown | typeof MISSING;

/** The value of a derived key, or MISSING when the key is not a derived one. */
function derived(solver: SolverDescription, key: string): Value {
  const p = solver.properties ?? {};
  const category = String(p.category ?? '').toLowerCase();
  switch (key) {
    case 'name':
      return solver.identity.name;
    case 'identity':
      return solver.identity;
    case 'version':
      return solver.identity.version ?? MISSING;
    case 'graph_id':
      return solver.identity.version?.graph_id ?? MISSING;
    case 'qpu':
      return category === 'qpu';
    case 'hybrid':
      return category === 'hybrid';
    case 'software':
      return category === 'software';
    case 'online':
      return String(solver.status ?? 'online').toLowerCase() === 'online';
    case 'num_active_qubits':
      return Array.isArray(p.qubits) ? p.qubits.length : (p.num_qubits ?? MISSING);
    case 'avg_load':
      return solver.avg_load ?? MISSING;
    case 'lower_noise':
      return Array.isArray(p.tags) && p.tags.includes('lower_noise');
    case 'status':
      return solver.status ?? MISSING;
    case 'description':
      return solver.description ?? MISSING;
    default:
      return MISSING;
  }
}

/** Reads `a__b__c` (derived key first, then properties.a.b.c). */
export function solverValue(solver: SolverDescription, path: string[]): Value {
  let v: Value = derived(solver, path[0]);
  if (v === MISSING) v = path[0] === 'properties' ? (solver.properties ?? MISSING) : ((solver.properties ?? {})[path[0]] ?? MISSING);
  for (const k of path.slice(1)) {
    if (v === MISSING || v === null || typeof v !== 'object') return MISSING;
    const next: unknown = (v as Record<string, unknown>)[k];
    v = next === undefined ? MISSING : next;
  }
  return v;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function isRange(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number';
}

function compare(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

function applyOperator(op: FilterOperator, prop: Value, val: unknown): boolean {
  if (op === 'available') return (prop !== MISSING && prop !== null) === Boolean(val);
  if (prop === MISSING) return false;
  switch (op) {
    case 'eq':
      return deepEqual(prop, val);
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const c = compare(prop, val);
      if (c === undefined) return false;
      return op === 'lt' ? c < 0 : op === 'lte' ? c <= 0 : op === 'gt' ? c > 0 : c >= 0;
    }
    case 'regex':
      return typeof prop === 'string' && new RegExp(`^(?:${String(val)})`).test(prop);
    case 'covers':
      // The property (a range) covers the value (a number or a range).
      if (!isRange(prop)) return false;
      if (typeof val === 'number') return prop[0] <= val && val <= prop[1];
      return isRange(val) && prop[0] <= val[0] && val[1] <= prop[1];
    case 'within':
      // The property (a number or a range) lies within the value (a range).
      if (!isRange(val)) return false;
      if (typeof prop === 'number') return val[0] <= prop && prop <= val[1];
      return isRange(prop) && val[0] <= prop[0] && prop[1] <= val[1];
    case 'in':
      return Array.isArray(val) && val.some((x) => deepEqual(x, prop));
    case 'contains':
      return Array.isArray(prop) ? prop.some((x) => deepEqual(x, val)) : typeof prop === 'string' && typeof val === 'string' && prop.includes(val);
    case 'issubset':
      return Array.isArray(prop) && Array.isArray(val) && prop.every((x) => val.some((y) => deepEqual(x, y)));
    case 'issuperset':
      return Array.isArray(prop) && Array.isArray(val) && val.every((x) => prop.some((y) => deepEqual(x, y)));
  }
}

/** Splits `num_qubits__gt` into (['num_qubits'], 'gt'). */
export function parseFilterKey(key: string): { path: string[]; op: FilterOperator } {
  const parts = key.split('__');
  const last = parts[parts.length - 1];
  if (parts.length > 1 && (FILTER_OPERATORS as readonly string[]).includes(last)) return { path: parts.slice(0, -1), op: last as FilterOperator };
  return { path: parts, op: 'eq' };
}

/** Whether a solver passes every filter (order_by and client are not filters and are ignored here). */
export function matchesFilters(solver: SolverDescription, filters: Record<string, unknown>): boolean {
  for (const [key, val] of Object.entries(filters)) {
    if (key === 'order_by' || val === undefined) continue;
    const { path, op } = parseFilterKey(key);
    if (!applyOperator(op, solverValue(solver, path), val)) return false;
  }
  return true;
}

export type OrderBy = string | ((s: SolverDescription) => unknown) | null;

/** Sorts by a key ('avg_load', '-num_active_qubits', 'properties.version', ...); missing values last. */
export function orderSolvers(solvers: SolverDescription[], orderBy: OrderBy = 'avg_load'): SolverDescription[] {
  if (orderBy === null) return solvers.slice();
  let key: (s: SolverDescription) => unknown;
  let sign = 1;
  if (typeof orderBy === 'function') key = orderBy;
  else {
    let name = orderBy;
    if (name.startsWith('-')) {
      sign = -1;
      name = name.slice(1);
    }
    const path = name.split(/__|\./);
    key = (s) => {
      const v = path[0] === 'properties' ? solverValue(s, path.slice(1)) : solverValue(s, path);
      return v === MISSING ? undefined : v;
    };
  }
  return solvers
    .map((s, i) => ({ s, i, k: key(s) }))
    .sort((a, b) => {
      if (a.k === undefined || a.k === null) return b.k === undefined || b.k === null ? a.i - b.i : 1;
      if (b.k === undefined || b.k === null) return -1;
      const c = compare(a.k, b.k);
      return c ? sign * c : a.i - b.i;
    })
    .map((x) => x.s);
}

/** Category restriction of the `client` option. */
export function clientCategoryFilter(client: unknown): Record<string, unknown> {
  switch (String(client ?? 'base').toLowerCase()) {
    case 'qpu':
      return { qpu: true };
    case 'hybrid':
      return { hybrid: true };
    case 'sw':
      return { software: true };
    default:
      return {};
  }
}

/**
 * Filters and orders a solver list the way `Client.get_solvers` does: `online: true` unless the
 * filters say otherwise, order_by from the filters (default avg_load ascending).
 */
export function selectSolvers(solvers: SolverDescription[], filters: Record<string, unknown> = {}, defaultOrder: OrderBy = 'avg_load'): SolverDescription[] {
  const f: Record<string, unknown> = { ...filters };
  if (!Object.keys(f).some((k) => k === 'online' || k.startsWith('online__'))) f.online = true;
  const orderBy = 'order_by' in f ? (f.order_by as OrderBy) : defaultOrder;
  return orderSolvers(
    solvers.filter((s) => matchesFilters(s, f)),
    orderBy,
  );
}
