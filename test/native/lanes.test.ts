/**
 * The 'sparse' SA kernel on integer models runs up to 16 reads side by side, one per 32-bit lane, each
 * on its own random stream: a read's samples must depend only on (seed, model, read), never on how many
 * reads share its group, on the other models of the batch, on the thread count or on the vector width.
 */
import { addon } from '../../src/native/addon';
import type { NativeModel } from '../../src/native/addon';
import { rng } from './helpers';

const native = addon();
const withLanes = native.info().lanesIsa ? describe : describe.skip;

/** A random graph of degree about 4 on n spins, couplings of 1-3 units of 0.5, some fields. */
function integerGraph(n: number, seed: number): NativeModel {
  const r = rng(seed);
  const row: number[] = [];
  const col: number[] = [];
  const bias: number[] = [];
  for (let i = 0; i < n; i++)
    for (let k = 0; k < 2; k++) {
      const j = Math.floor(r() * n);
      if (j === i) continue;
      row.push(i);
      col.push(j);
      bias.push((r() < 0.5 ? -0.5 : 0.5) * (1 + Math.floor(r() * 3)));
    }
  return {
    numVariables: n, vartype: 'SPIN', offset: 1,
    linear: Float64Array.from({ length: n }, () => (r() < 0.3 ? (r() < 0.5 ? -0.5 : 1) : 0)),
    quadRow: Uint32Array.from(row), quadCol: Uint32Array.from(col), quadBias: Float64Array.from(bias),
  };
}

const m = integerGraph(300, 4);
const rows = (s: Int8Array, n: number, k: number) => Buffer.from(s.buffer, s.byteOffset + k * n, n).toString('hex');

withLanes('sparse kernel lanes', () => {
  test('a read gives the same sample alone, in a group of 5, of 16 or among 37 reads, on 1 or 2 threads', async () => {
    const n = m.numVariables;
    const run = (numReads: number, threads: number) =>
      native.simulatedAnnealing([m], { numReads, seed: 11, threads, numSweeps: 40, kernel: 'sparse' }).then((r) => r[0]);
    const [one, five, sixteen, many1, many2] = await Promise.all([run(1, 1), run(5, 1), run(16, 1), run(37, 1), run(37, 2)]);
    expect(many1.kernel).toBe('sparse');
    for (let k = 0; k < 37; k++) expect(rows(many2.samples, n, k)).toBe(rows(many1.samples, n, k));
    for (let k = 0; k < 16; k++) expect(rows(sixteen.samples, n, k)).toBe(rows(many1.samples, n, k));
    for (let k = 0; k < 5; k++) expect(rows(five.samples, n, k)).toBe(rows(many1.samples, n, k));
    expect(rows(one.samples, n, 0)).toBe(rows(many1.samples, n, 0));
    // Distinct reads differ (independent streams), and the energies are the model's.
    expect(new Set(Array.from({ length: 37 }, (_, k) => rows(many1.samples, n, k))).size).toBe(37);
    const exact = native.energies(m, many1.samples, 37);
    expect(Array.from(many1.energies)).toEqual(Array.from(exact));
  });

  test('a batch with a model outside the integer form gives the integer model the same samples', async () => {
    const real: NativeModel = { ...m, quadBias: Float64Array.from(m.quadBias!, (b, k) => b * (1 + 0.01 * Math.sin(k))) };
    const opts = { numReads: 20, seed: 2, threads: 2, numSweeps: 30, kernel: 'sparse' as const };
    const [alone] = await native.simulatedAnnealing([m], opts);
    const [mixed] = await native.simulatedAnnealing([m, real], opts);
    expect(Buffer.from(mixed.samples.buffer).equals(Buffer.from(alone.samples.buffer))).toBe(true);
  });

  test('the samples do not depend on the vector width (each ISA in a child)', async () => {
    const R = 21;
    const [res] = await native.simulatedAnnealing([m], { numReads: R, seed: 5, threads: 1, numSweeps: 30, kernel: 'sparse' });
    const { execFileSync } = await import('child_process');
    const path = await import('path');
    const root = path.resolve(__dirname, '..', '..');
    const plain = { ...m, linear: Array.from(m.linear), quadRow: Array.from(m.quadRow!), quadCol: Array.from(m.quadCol!), quadBias: Array.from(m.quadBias!) };
    const script = `const a=require('node-gyp-build')(${JSON.stringify(root)});const m=${JSON.stringify(plain)};` +
      `m.linear=Float64Array.from(m.linear);m.quadRow=Uint32Array.from(m.quadRow);m.quadCol=Uint32Array.from(m.quadCol);m.quadBias=Float64Array.from(m.quadBias);` +
      `a.simulatedAnnealing([m],{numReads:${R},seed:5,threads:1,numSweeps:30,kernel:'sparse'}).then(r=>process.stdout.write(a.info().lanesIsa+' '+Buffer.from(r[0].samples.buffer).toString('base64')));`;
    const expected = Buffer.from(res.samples.buffer).toString('base64');
    for (const isa of ['portable', 'avx2', 'avx512']) {
      const out = execFileSync(process.execPath, ['-e', script], { cwd: root, env: { ...process.env, QAHAN_LANES_ISA: isa }, encoding: 'utf8' }).split(' ');
      if (isa === 'portable') expect(out[0]).toBe('portable');
      expect(out[1]).toBe(expected);
    }
  });
});
