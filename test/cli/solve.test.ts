import fs from 'fs';
import os from 'os';
import path from 'path';
import { main } from '../../src/cli/main';

/** Runs the CLI in-process and captures what it prints. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  try {
    const code = await main(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('qahan solve', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qahan-solve-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('bqp: prints energy, the maximisation objective, sample and timing as one JSON object', async () => {
    // max 3x1 + 2x2 - 4 x1 x2 (2 * -2) -> best objective 3 at x = (1, 0).
    const file = path.join(dir, 'tiny-bqp.txt');
    fs.writeFileSync(file, ' 1 \n 2 3 \n 1 1 3 \n 2 2 2 \n 1 2 -2 \n');
    const r = await cli(['solve', file, '--format', 'bqp', '--sampler', 'sqa', '--reads', '8', '--sweeps', '100', '--seed', '3', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({ energy: -3, objective: 3, sample: [1, 0], sampler: 'sqa' });
    expect(json.timing.samplingMs).toBeGreaterThanOrEqual(0);
  });

  test('gset: reports the cut', async () => {
    const file = path.join(dir, 'G-square.txt');
    fs.writeFileSync(file, '4 4\n1 2 1\n2 3 1\n3 4 1\n4 1 1\n');
    const r = await cli(['solve', file, '--format', 'gset', '--sampler', 'exact', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ energy: -4, cut: 4 });
  });

  test('ising with sa and thread count', async () => {
    const file = path.join(dir, 'chain.txt');
    fs.writeFileSync(file, '# chain\n1 2 -1\n2 3 -1\n1 1 0.5\n');
    const r = await cli(['solve', file, '--format', 'ising', '--sampler', 'sa', '--reads', '4', '--threads', '2', '--seed', '1', '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ energy: -2.5, sample: [-1, -1, -1] });
  });

  test('bad flags and files give usage errors with exit code 2', async () => {
    expect((await cli(['solve'])).code).toBe(2);
    expect((await cli(['solve', path.join(dir, 'missing.txt')])).err).toMatch(/no such file/);
    const file = path.join(dir, 'x.txt');
    fs.writeFileSync(file, '1 2 1\n');
    expect((await cli(['solve', file, '--reads', '0'])).err).toMatch(/--reads/);
    expect((await cli(['solve', file, '--sampler', 'magic'])).err).toMatch(/--sampler must be one of/);
    expect((await cli(['nonsense'])).code).toBe(2);
  });
});
