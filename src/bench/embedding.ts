/**
 * `npm run bench:embedding`: the heuristic minor embedder on issue 13's targets (one thread): time to a
 * valid embedding and its chain lengths, plus K60 into Chimera 16 against the clique route.
 */
import { cliqueEdges, findCliqueEmbedding } from '../dwave/embedding/clique';
import { findEmbedding } from '../dwave/embedding/minor';
import { checkEmbedding, embeddingSummary } from '../dwave/embedding/validate';
import { chimeraGraph, HardwareGraph, mulberry32, pegasusGraph, zephyrGraph } from '../dwave/topology';
import { markdownTable } from './report';

export interface EmbeddingBenchRow {
  source: string;
  target: string;
  method: string;
  seed: number;
  ms: number;
  valid: boolean;
  meanChainLength: number;
  maxChainLength: number;
  qubits: number;
  goal: string;
  note: string;
}

function regular3(n: number, seed: number): [number, number][] {
  const r = mulberry32(seed);
  for (;;) {
    const stubs: number[] = [];
    for (let i = 0; i < n; i++) stubs.push(i, i, i);
    for (let i = stubs.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [stubs[i], stubs[j]] = [stubs[j], stubs[i]];
    }
    const seen = new Set<number>();
    const e: [number, number][] = [];
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

function grid(w: number, h: number): [number, number][] {
  const e: [number, number][] = [];
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) {
      const v = i * w + j;
      if (j + 1 < w) e.push([v, v + 1]);
      if (i + 1 < h) e.push([v, v + w]);
    }
  return e;
}

export async function embeddingBenchmarks(log: (s: string) => void, seeds = [1, 2, 3]): Promise<{ rows: EmbeddingBenchRow[]; markdown: string }> {
  const p16 = pegasusGraph(16);
  const z12 = zephyrGraph(12, 4);
  const c16 = chimeraGraph(16);
  const cases: [string, [number, number][], string, HardwareGraph, string][] = [
    ['3-regular(500)', regular3(500, 500), 'P16', p16, '<= 5 s, mean chain <= 3'],
    ['3-regular(500)', regular3(500, 500), 'Z(12,4)', z12, '<= 5 s, mean chain <= 3'],
    ['grid 30x30', grid(30, 30), 'P16', p16, '<= 5 s'],
    ['grid 30x30', grid(30, 30), 'Z(12,4)', z12, '<= 5 s'],
    ['K60', Array.from(cliqueEdges(60)), 'C16', c16, 'valid (clique route: see next row)'],
  ];
  const rows: EmbeddingBenchRow[] = [];
  for (const [source, edges, tname, g, goal] of cases) {
    for (const seed of seeds) {
      const t0 = performance.now();
      let row: EmbeddingBenchRow;
      try {
        const e = findEmbedding(edges, g, { seed, timeout: 30_000 });
        const ms = performance.now() - t0;
        const s = embeddingSummary(e);
        row = { source, target: tname, method: 'heuristic', seed, ms: Math.round(ms), valid: checkEmbedding(edges, g, e).valid, ...s, goal, note: '' };
      } catch (err) {
        row = { source, target: tname, method: 'heuristic', seed, ms: Math.round(performance.now() - t0), valid: false, meanChainLength: NaN, maxChainLength: NaN, qubits: NaN, goal, note: (err as Error).message };
      }
      row.meanChainLength = Math.round(row.meanChainLength * 1000) / 1000;
      rows.push(row);
      log(`embedding ${source} -> ${tname} seed ${seed}: ${row.ms} ms, mean ${row.meanChainLength}, max ${row.maxChainLength}${row.note ? ` (${row.note})` : ''}`);
    }
  }
  const t0 = performance.now();
  const k60 = findCliqueEmbedding(c16, 60);
  const s = embeddingSummary(k60);
  rows.push({ source: 'K60', target: 'C16', method: 'clique', seed: 0, ms: Math.round(performance.now() - t0), valid: checkEmbedding(Array.from(cliqueEdges(60)), c16, k60).valid, ...s, goal: '', note: '' });
  const markdown =
    '## Minor embedding (issue 13)\n\nOne thread; `findEmbedding` with its defaults (30 s timeout, 10 tries) per seed, validity checked by `checkEmbedding`. Times are wall-clock on a shared machine.\n\n' +
    markdownTable(rows as unknown as Record<string, unknown>[], ['source', 'target', 'method', 'seed', 'ms', 'valid', 'meanChainLength', 'maxChainLength', 'qubits', 'goal', 'note']);
  return { rows, markdown };
}
