/**
 * The registry of attention methods: a name and its module. Everything that lists or parses methods
 * (CLI, experiments, profiles, reports) derives from this object.
 */
import { gumbel } from './gumbel';
import type { AttentionMethod } from './method';
import { none } from './none';
import { qahan } from './qahan';
import { qahanEnergy } from './qahan-energy';
import { qahanFree } from './qahan-free';
import { quboLs } from './qubo-ls';
import { reinforce } from './reinforce';
import { soft } from './soft';
import { topk } from './topk';

const METHODS = {
  qahan,
  reinforce,
  gumbel,
  soft,
  none,
  topk,
  'qubo-ls': quboLs,
  'qahan-energy': qahanEnergy,
  'qahan-free': qahanFree,
} satisfies Record<string, AttentionMethod>;

export type MethodName = keyof typeof METHODS;

export const METHOD_NAMES: readonly MethodName[] = Object.keys(METHODS) as MethodName[];

/** The methods that keep exactly k positions. */
export const HARD_METHODS: readonly MethodName[] = METHOD_NAMES.filter((m) => METHODS[m].hard);

export function parseMethod(value: string): MethodName {
  if (Object.prototype.hasOwnProperty.call(METHODS, value)) return value as MethodName;
  throw new RangeError(`method must be one of ${METHOD_NAMES.join(', ')}, got ${JSON.stringify(value)}`);
}

/** The module of a method. */
export function attentionMethod(name: MethodName): AttentionMethod {
  return METHODS[parseMethod(name)];
}

/** The module of a method name from a file or a report, or undefined when no such method is registered. */
export function findAttentionMethod(name: string): AttentionMethod | undefined {
  return Object.prototype.hasOwnProperty.call(METHODS, name) ? METHODS[name as MethodName] : undefined;
}

export type { AttentionMethod, MethodContext, PredictContext, Prepared, MaskResult, Forward, Head, MethodState } from './method';
