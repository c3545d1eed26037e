import fs from 'fs';
import os from 'os';
import path from 'path';
import { extraBenchDir, loadBenchInstances, loadInstances } from '../../src/bench/instances';
import { budgetFor, pivotTable, summariseRuns } from '../../src/bench/time-to-target';

const made: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A tiny extra directory in the layout bench/fetch-extra.sh writes: one Chimera-like model, one Gset graph. */
function extraDir(): string {
  const dir = tempDir('qahan-extra-');
  fs.mkdirSync(path.join(dir, 'chimera'));
  fs.mkdirSync(path.join(dir, 'gset'));
  fs.writeFileSync(path.join(dir, 'chimera', 'tiny.txt'), '# comment\n1 2 -4\n2 3 2\n1 3 1\n');
  fs.writeFileSync(path.join(dir, 'gset', 'square.txt'), '4 4\n1 2 1\n2 3 1\n3 4 1\n4 1 1\n');
  fs.writeFileSync(
    path.join(dir, 'best_known.json'),
    JSON.stringify({
      tiny: { best: -5, sense: 'min', status: 'reported_ground_state', file: 'chimera/tiny.txt' },
      square: { best: 4, sense: 'max', status: 'best_known', file: 'gset/square.txt' },
    }),
  );
  return dir;
}

describe('bench instances: ../shared/bench plus QAHAN_BENCH_EXTRA', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('the extra directory adds its instances, marked extra; values and energies convert both ways', () => {
    const dir = extraDir();
    const shared = tempDir('qahan-shared-');
    fs.writeFileSync(path.join(shared, 'best_known.json'), '{}');
    process.env.QAHAN_BENCH_DIR = shared;
    process.env.QAHAN_BENCH_EXTRA = dir;
    expect(extraBenchDir()).toBe(dir);
    const notes: string[] = [];
    const all = loadBenchInstances(() => true, (s) => notes.push(s));
    expect(notes).toEqual([]);
    expect(all.map((i) => [i.name, i.family, i.extra])).toEqual([
      ['tiny', 'chimera', true],
      ['square', 'gset', true],
    ]);
    const sq = all[1];
    // The 4-cycle's maximum cut is 4 (alternating sides): energy -4 with W = 4, cut = (W - E) / 2.
    expect(sq.energyFor(4)).toBe(-4);
    expect(sq.valueOf(sq.bqm.energy([1, -1, 1, -1]))).toBe(4);
    expect(budgetFor(sq)).toBe(10);
    expect(budgetFor(all[0])).toBe(2);
    const filtered = loadBenchInstances((n) => n === 'tiny');
    expect(filtered.map((i) => i.name)).toEqual(['tiny']);
  });

  test('without the variable, or with an empty directory, the extras are skipped with a message saying how to get them', () => {
    const shared = tempDir('qahan-shared-');
    fs.writeFileSync(path.join(shared, 'best_known.json'), '{}');
    process.env.QAHAN_BENCH_DIR = shared;
    delete process.env.QAHAN_BENCH_EXTRA;
    const notes: string[] = [];
    expect(loadBenchInstances(() => true, (s) => notes.push(s))).toEqual([]);
    expect(notes[0]).toMatch(/QAHAN_BENCH_EXTRA is not set.*bench\/fetch-extra\.sh/);
    process.env.QAHAN_BENCH_EXTRA = tempDir('qahan-empty-');
    loadBenchInstances(() => true, (s) => notes.push(s));
    expect(notes[1]).toMatch(/best_known\.json does not exist/);
  });

  test('a run summary counts hits at the best-known value and within 0.1%; the pivot shows them per sampler', () => {
    const dir = extraDir();
    const [sq] = loadInstances(dir, (n) => n === 'square');
    const e = (cut: number) => sq.energyFor(cut);
    const row = summariseRuns(sq, 'pt', 10, [
      { energy: e(4), seconds: 1, timeToTargetS: 0.5, timeToBestS: 0.5 },
      { energy: e(2), seconds: 10, timeToTargetS: null, timeToBestS: 3 },
    ]);
    expect(row).toMatchObject({ found: 4, gapPct: 0, successProbability: 0.5, within01Pct: 0.5, medianTimeToTargetS: 0.5, medianTimeToBestS: 1.75 });
    const md = pivotTable([row, { ...row, sampler: 'tabu', successProbability: 0, medianTimeToTargetS: null }]);
    expect(md).toContain('| square | 4 | cut 4 (0.1%: 4), 10 s | 1/2 / 0.50 / 0 (1/2 in 0.1%) | 0/2 / - / 0 (1/2 in 0.1%) |');
  });
});
