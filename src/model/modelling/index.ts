/** The modelling layer: named variables, expressions, constraints compiled to penalties, decoding. */
export { Expression, sum } from './expression';
export type { ExpressionLike } from './expression';
export { Model } from './model';
export type { Sense, Constraint, ConstraintOptions, CompileOptions, Compiled, Decoded, DecodedSample } from './model';
