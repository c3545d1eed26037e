import { MAX_VARIABLES } from '../model/limits';

/** Splits text into numeric rows, skipping blank lines and comment lines (#, c, %). */
export function numericLines(text: string, format: string): { line: number; values: number[] }[] {
  if (typeof text !== 'string') throw new TypeError(`${format}: the file's text must be a string, got ${typeof text}`);
  const rows: { line: number; values: number[] }[] = [];
  const lines = text.split(/\r?\n/);
  for (let k = 0; k < lines.length; k++) {
    const raw = lines[k].trim();
    if (raw === '' || raw.startsWith('#') || raw.startsWith('%') || /^c(\s|$)/.test(raw)) continue;
    const values = raw.split(/\s+/).map(Number);
    if (values.some((v) => !Number.isFinite(v))) throw new SyntaxError(`${format}: line ${k + 1} is not numeric: ${JSON.stringify(raw.slice(0, 80))}`);
    rows.push({ line: k + 1, values });
  }
  return rows;
}

export function integerIn(v: number, lo: number, hi: number, what: string, line: number, format: string): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${format}: line ${line}: ${what} ${v} is outside ${lo}..${hi}`);
  return v;
}

/**
 * A declared number of variables (nodes, dimension): a positive integer no larger than the native core
 * takes, checked before the reader allocates anything for it.
 */
export function variableCount(v: number, what: string, line: number, format: string): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${format}: line ${line}: ${what} ${v} is not a positive integer`);
  if (v > MAX_VARIABLES) {
    throw new RangeError(`${format}: line ${line}: ${what} is ${v}, more than the ${MAX_VARIABLES} variables qahan's native core supports`);
  }
  return v;
}

/**
 * Remembers where each unordered pair {i, j} (0-based, below MAX_VARIABLES) was first given, so that a
 * reader can reject a pair given twice instead of silently summing it.
 */
export class PairLines {
  private readonly first = new Map<number, number>();

  constructor(private readonly format: string) {}

  /** Records the pair at `line`; a RangeError naming both lines when it was given before. */
  add(i: number, j: number, line: number): void {
    const key = i < j ? i * MAX_VARIABLES + j : j * MAX_VARIABLES + i;
    const before = this.first.get(key);
    if (before !== undefined) {
      const pair = i === j ? `the diagonal entry (${i + 1}, ${i + 1})` : `the pair (${Math.min(i, j) + 1}, ${Math.max(i, j) + 1})`;
      throw new RangeError(`${this.format}: line ${line}: ${pair} was already given on line ${before}; each pair must appear once`);
    }
    this.first.set(key, line);
  }
}
