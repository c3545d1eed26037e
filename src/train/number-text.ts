/**
 * How report tables write a difference, p-value or spread: `digits` decimals from 0.01 up (and for 0),
 * scientific notation below, so small p-values and differences keep their significant figures.
 */
export function shortNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return 'n/a';
  return Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(digits) : x.toExponential(digits - 2);
}
