/** The two value sets a binary quadratic model's variables can take. */
export type Vartype = 'SPIN' | 'BINARY';

export const SPIN: Vartype = 'SPIN';
export const BINARY: Vartype = 'BINARY';

/** Accepts dimod's spellings too ('SPIN', 'BINARY', 'spin', '-1,1', '0,1'). */
export function parseVartype(value: unknown, argument = 'vartype'): Vartype {
  if (typeof value === 'string') {
    const v = value.trim().toUpperCase();
    if (v === 'SPIN' || v === '-1,1' || v === '{-1,1}' || v === '{-1, 1}') return 'SPIN';
    if (v === 'BINARY' || v === '0,1' || v === '{0,1}' || v === '{0, 1}') return 'BINARY';
  }
  throw new TypeError(`${argument} must be 'SPIN' or 'BINARY', got ${JSON.stringify(value)}`);
}

/** Whether `value` is one of the vartype's two values. */
export function isValueOf(vartype: Vartype, value: number): boolean {
  return vartype === 'SPIN' ? value === -1 || value === 1 : value === 0 || value === 1;
}
