/**
 * Issue 8, items 1, 4 and 11: native jobs against a hostile host.
 * - worker.terminate() while a worker samples must not take the process down (it was std::terminate);
 * - process.exit() or an uncaught exception while a long job runs must exit at once (it waited for the job);
 * - an onProgress callback that throws a non-Error value rejects with that value and stops the job.
 * Each case runs in a child Node process (plain JS loading build/Release through node-gyp-build), so a
 * crash, a hang or a warning on stderr is seen from outside.
 */
import { spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { BinaryQuadraticModel } from '../../src/model/bqm';
import { SimulatedAnnealingSampler } from '../../src/samplers/simulated-annealing';

const root = path.resolve(__dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qahan-adv-native-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// Loaded by every child: the addon, and a dense SPIN model with n variables (n = 1000: 8 MB, ~1 ms a sweep).
const prelude = `
const loadNative = () => require(${JSON.stringify(require.resolve('node-gyp-build'))})(${JSON.stringify(root)});
// QAHAN_TEST_LAZY_MAIN: the main thread loads the addon only when it says so.
let native = process.env.QAHAN_TEST_LAZY_MAIN && require('worker_threads').isMainThread ? undefined : loadNative();
function dense(n, seed = 1) {
  let s = seed >>> 0;
  const r = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) d[i * n + j] = r();
  return { numVariables: n, vartype: 'SPIN', linear: new Float64Array(n).map(r), offset: 0, dense: d };
}
// Jobs that would run for hours: SA with progress, SQA and exactSolve (n = 30).
function longJobs() {
  const jobs = [
    native.simulatedAnnealing([dense(1000)], { numReads: 4, numSweeps: 1e8, seed: 1, threads: 2, onProgress: () => {} }),
    native.pathIntegralAnnealing([dense(200)], { numReads: 2, numSweeps: 1e8, seed: 1, threads: 1, beta: 2, trotterSlices: 8, gammaRange: [3, 0.1] }),
    native.exactSolve(dense(30), { threads: 1, maxStates: 4 }),
  ];
  for (const j of jobs) j.catch(() => {});
}
`;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from the child's first "mark" line on stderr to its exit (ms), or -1 without one. */
  afterMarkMs: number;
  totalMs: number;
}

let scripts = 0;
/** Runs `body` (after the prelude) in a child Node process; SIGKILL after killMs. */
function runChild(body: string, killMs: number, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const file = path.join(dir, `child-${++scripts}.js`);
  fs.writeFileSync(file, prelude + body);
  return new Promise((resolve) => {
    const t0 = Date.now();
    let markAt = -1;
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, [file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const killer = setTimeout(() => child.kill('SIGKILL'), killMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (markAt < 0 && stderr.includes('mark\n')) markAt = Date.now();
    });
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      const end = Date.now();
      resolve({
        code, signal, stdout, stderr: stderr.replace('mark\n', ''), afterMarkMs: markAt < 0 ? -1 : end - markAt, totalMs: end - t0,
      });
    });
  });
}

describe('item 1: worker.terminate() during a native job', () => {
  // Workers start long jobs; the main thread terminates them (some right after the job started, some at
  // once, possibly while the arguments are still being read), waits, then samples itself and exits 0.
  // The main thread loads the addon only afterwards, so the workers' envs were its only users meanwhile.
  const script = (workers: number, rounds: number) => `
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
if (isMainThread) {
  (async () => {
    for (let round = 0; round < ${rounds}; round++) {
      const ws = [];
      for (let k = 0; k < ${workers}; k++) {
        const w = new Worker(__filename, { workerData: { exact: k % 2 === 1 } });
        const started = new Promise((res) => w.once('message', res));
        w.on('error', (e) => { console.error('worker error', e); process.exitCode = 3; });
        // Odd rounds: terminate 200 ms after the job started; even rounds: 0-150 ms after creation.
        const delay = (round * 37 + k * 61) % 150;
        ws.push(round % 2 ? started.then(() => new Promise((r) => setTimeout(r, 200))).then(() => w.terminate())
                          : new Promise((r) => setTimeout(r, delay)).then(() => w.terminate()));
      }
      await Promise.all(ws);
    }
    await new Promise((r) => setTimeout(r, 200));
    if (!native) native = loadNative();
    const [r] = await native.simulatedAnnealing([dense(20)], { numReads: 4, numSweeps: 100, seed: 3, threads: 2 });
    console.log('main ok', r.energies.length);
  })();
} else {
  longJobs();
  parentPort.postMessage('started');
}
`;
  test.each([
    [1, 4],
    [2, 4],
  ])('%i worker(s) at once, %i rounds: the process lives on and exits 0', async (workers, rounds) => {
    const r = await runChild(script(workers, rounds), 9000);
    expect(r.stderr).not.toMatch(/terminate called|Napi::Error|FATAL|Segmentation/);
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('main ok 4');
  }, 10_000);

  test('the main thread never held the addon while the workers ran (library stays loaded)', async () => {
    // Not a realistic load order, but the one where unloading the library under running threads would show.
    const r = await runChild(script(2, 2), 9000, { QAHAN_TEST_LAZY_MAIN: '1' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('main ok 4');
  }, 10_000);
});

describe('item 4: the process exits at once with native jobs running', () => {
  test('process.exit(0) 200 ms into jobs of hours exits within a second', async () => {
    const r = await runChild(`longJobs(); setTimeout(() => { process.stderr.write('mark\\n'); process.exit(0); }, 200);`, 9000);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.afterMarkMs).toBeGreaterThanOrEqual(0);
    expect(r.afterMarkMs).toBeLessThan(1000);
  }, 10_000);

  test('an uncaught exception 200 ms into jobs of hours exits within a second, code 1', async () => {
    const r = await runChild(`longJobs(); setTimeout(() => { process.stderr.write('mark\\n'); throw new Error('boom'); }, 200);`, 9000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Error: boom/);
    expect(r.afterMarkMs).toBeGreaterThanOrEqual(0);
    expect(r.afterMarkMs).toBeLessThan(1000);
  }, 10_000);

  test('process.exit() in a worker while it samples: only that worker ends, the main thread samples on', async () => {
    const r = await runChild(`
const { Worker, isMainThread } = require('worker_threads');
if (isMainThread) {
  const w = new Worker(__filename);
  w.on('exit', async (code) => {
    const [s] = await native.simulatedAnnealing([dense(20)], { numReads: 2, numSweeps: 100, seed: 3, threads: 2 });
    console.log('worker exit', code, 'main ok', s.energies.length);
  });
} else {
  longJobs();
  setTimeout(() => process.exit(7), 200);
}
`, 9000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('worker exit 7 main ok 2');
    expect(r.totalMs).toBeLessThan(5000);
  }, 10_000);
});

describe('item 11: onProgress throwing a non-Error value', () => {
  test('throw 42 rejects with 42 within a second, stops the job, prints nothing', async () => {
    const r = await runChild(`
(async () => {
  for (const thrown of [42, 'text', undefined, null, new Error('as before')]) {
    const t0 = Date.now();
    let calls = 0;
    const out = await native.simulatedAnnealing([dense(300)], {
      numReads: 4, numSweeps: 1e8, seed: 1, threads: 2, onProgress: () => { calls++; throw thrown; },
    }).then(() => ({ settled: 'resolved' }), (e) => ({ settled: 'rejected', same: e === thrown, type: typeof e }));
    console.log(JSON.stringify({ ...out, ms: Date.now() - t0, calls }));
  }
})();
`, 9000);
    expect(r.stderr).toBe('');
    // The jobs stopped: nothing kept the process alive after the last rejection.
    expect(r.code).toBe(0);
    expect(r.signal).toBeNull();
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    for (const l of lines) {
      expect(l).toMatchObject({ settled: 'rejected', same: true, calls: 1 });
      expect(l.ms).toBeLessThan(1000);
    }
  }, 10_000);

  test('through the sampler: the Promise rejects with the thrown value itself', async () => {
    const bqm = BinaryQuadraticModel.fromIsing(
      Array.from({ length: 50 }, (_, i) => (i % 3) - 1),
      Array.from({ length: 49 }, (_, i) => [i, i + 1, 1] as [number, number, number]),
    );
    const t0 = Date.now();
    await expect(
      new SimulatedAnnealingSampler().sample(bqm, {
        numReads: 4, numSweeps: 1e8, seed: 1, threads: 2, onProgress: () => { throw 42; },
      }),
    ).rejects.toBe(42);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
