import fs from 'fs';
import path from 'path';
import { readBqp } from '../formats/bqp';
import { readGset } from '../formats/gset';
import { readIsing } from '../formats/ising';
import type { BinaryQuadraticModel } from '../model/bqm';

/** One benchmark instance with its best-known value, in the file's own sense (max objective or min energy). */
export interface BenchInstance {
  name: string;
  family: 'bqp' | 'gset' | 'chimera';
  bqm: BinaryQuadraticModel;
  best: number;
  sense: 'max' | 'min';
  status: string;
  /** From the extra directory (QAHAN_BENCH_EXTRA), not ../shared/bench. */
  extra?: boolean;
  /** The instance's own value (objective, cut or energy) of a model energy. */
  valueOf(energy: number): number;
  /** The model energy that reaches `value`. */
  energyFor(value: number): number;
}

interface BestKnownEntry {
  best: number;
  sense: 'max' | 'min';
  status: string;
  file: string;
  instance?: number;
}

/** Default location: ../shared/bench beside the repository, or QAHAN_BENCH_DIR. */
export function benchDir(): string {
  return process.env.QAHAN_BENCH_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'bench');
}

/**
 * Instances the repository does not ship (issue 12: Chimera C16, Gset up to 7,000 nodes): a directory in the
 * same layout (best_known.json beside the files), named by QAHAN_BENCH_EXTRA and filled by bench/fetch-extra.sh.
 * undefined when the variable is unset.
 */
export function extraBenchDir(): string | undefined {
  return process.env.QAHAN_BENCH_EXTRA || undefined;
}

/**
 * ../shared/bench plus the extra directory when QAHAN_BENCH_EXTRA names one; `note` says why the extras
 * are absent (unset, or no best_known.json there) so the report can say it instead of silently shrinking.
 */
export function loadBenchInstances(filter: (name: string) => boolean = () => true, note: (s: string) => void = () => {}): BenchInstance[] {
  const out = loadInstances(benchDir(), filter);
  const extra = extraBenchDir();
  if (!extra) {
    note('extra instances skipped: QAHAN_BENCH_EXTRA is not set (fill a directory with bench/fetch-extra.sh DIR, then QAHAN_BENCH_EXTRA=DIR)');
  } else if (!fs.existsSync(path.join(extra, 'best_known.json'))) {
    note(`extra instances skipped: ${path.join(extra, 'best_known.json')} does not exist (run bench/fetch-extra.sh ${extra})`);
  } else {
    const seen = new Set(out.map((i) => i.name));
    for (const inst of loadInstances(extra, filter)) if (!seen.has(inst.name)) out.push({ ...inst, extra: true });
  }
  return out;
}

export function loadInstances(dir = benchDir(), filter: (name: string) => boolean = () => true): BenchInstance[] {
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'best_known.json'), 'utf8')) as Record<string, BestKnownEntry>;
  const byFile = new Map<string, BinaryQuadraticModel[]>();
  const out: BenchInstance[] = [];
  for (const [name, e] of Object.entries(index)) {
    if (!filter(name)) continue;
    const file = path.join(dir, e.file);
    const text = () => fs.readFileSync(file, 'utf8');
    if (e.file.startsWith('bqp/')) {
      if (!byFile.has(file)) byFile.set(file, readBqp(text()));
      const bqm = byFile.get(file)![(e.instance ?? 1) - 1];
      out.push({ name, family: 'bqp', bqm, best: e.best, sense: e.sense, status: e.status, valueOf: (en) => -en, energyFor: (v) => -v });
    } else if (e.file.startsWith('gset/')) {
      const g = readGset(text());
      out.push({
        name, family: 'gset', bqm: g.bqm, best: e.best, sense: e.sense, status: e.status,
        valueOf: (en) => g.cutFromEnergy(en), energyFor: (v) => g.totalWeight - 2 * v,
      });
    } else {
      const bqm = readIsing(text());
      out.push({ name, family: 'chimera', bqm, best: e.best, sense: e.sense, status: e.status, valueOf: (en) => en, energyFor: (v) => v });
    }
  }
  return out;
}
