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
