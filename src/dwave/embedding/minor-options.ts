/**
 * Argument helpers shared by the TypeScript and native minor embedders (minor.ts, minor-native.ts).
 */

/** Chains given per source variable: a sparse array or an object keyed by variable index. */
export type ChainMap = ReadonlyArray<readonly number[] | undefined> | Readonly<Record<number, readonly number[]>>;

/** The non-empty chains of a ChainMap as [variable, qubits] pairs. */
export function chainEntries(map: ChainMap | undefined): [number, readonly number[]][] {
  if (!map) return [];
  const out: [number, readonly number[]][] = [];
  if (Array.isArray(map)) {
    (map as ReadonlyArray<readonly number[] | undefined>).forEach((c, v) => {
      if (c && c.length > 0) out.push([v, c]);
    });
  } else {
    for (const [k, c] of Object.entries(map as Record<string, readonly number[]>)) if (c && c.length > 0) out.push([Number(k), c]);
  }
  return out;
}

export function checkCount(v: number | undefined, name: string, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
  return v;
}
