/** Splits text into numeric rows, skipping blank lines and comment lines (#, c, %). */
export function numericLines(text: string, format: string): { line: number; values: number[] }[] {
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
