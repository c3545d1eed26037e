/**
 * Seeded source graphs for the embedding benchmark and its tests: one copy, so both measure the same
 * families.
 */
import { mulberry32 } from '../dwave/topology';

export type Edges = [number, number][];

/** G(n, p): every pair an edge with probability p. */
export function erdosRenyi(n: number, p: number, seed: number): Edges {
  const r = mulberry32(seed);
  const e: Edges = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (r() < p) e.push([i, j]);
  return e;
}

/** A random simple 3-regular graph (configuration model, retried until simple). */
export function regular3(n: number, seed: number): Edges {
  const r = mulberry32(seed);
  for (;;) {
    const stubs: number[] = [];
    for (let i = 0; i < n; i++) stubs.push(i, i, i);
    for (let i = stubs.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [stubs[i], stubs[j]] = [stubs[j], stubs[i]];
    }
    const seen = new Set<number>();
    const e: Edges = [];
    let ok = true;
    for (let i = 0; i < stubs.length && ok; i += 2) {
      const a = Math.min(stubs[i], stubs[i + 1]);
      const b = Math.max(stubs[i], stubs[i + 1]);
      ok = a !== b && !seen.has(a * n + b);
      seen.add(a * n + b);
      e.push([a, b]);
    }
    if (ok) return e;
  }
}

/** The w x h grid, row-major labels. */
export function grid(w: number, h: number): Edges {
  const e: Edges = [];
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) {
      const v = i * w + j;
      if (j + 1 < w) e.push([v, v + 1]);
      if (i + 1 < h) e.push([v, v + w]);
    }
  return e;
}
