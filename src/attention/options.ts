/**
 * The attention slot's configuration as the CLI and the trainer see it: which method (names from the
 * registry, methods/index.ts) and its settings (settings.ts).
 */
export { HARD_METHODS, METHOD_NAMES, parseMethod } from './methods';
export type { MethodName } from './methods';
export { resolveAttentionOptions } from './settings';
export type { AttentionOptions, ResolvedAttentionOptions } from './settings';
