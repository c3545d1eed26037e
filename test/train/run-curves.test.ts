/**
 * `qahan train` draws its own curves: a tiny run on a synthetic MNIST (test/data/fixtures.ts), then the
 * CLI on that run folder leaves accuracy/loss SVG + PNG, with integer epoch ticks, accuracy in % and
 * PNGs of the expected size (doubled by --scale 2).
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadDataset } from '../../src/data/dataset';
import { train } from '../../src/train/trainer';
import { main } from '../../src/cli/main';
import { writeRunCurves } from '../../src/train/run-curves';
import { tmpDir, writeMnist } from '../data/fixtures';
import { readPng } from './png';
import { wasmOrCpu } from './test-backend';

let out: string;

beforeAll(async () => {
  await wasmOrCpu();
  const dataDir = tmpDir();
  writeMnist(dataDir, 160, 40);
  const data = await loadDataset({ name: 'mnist', dataDir, seed: 0, validationFraction: 0.25, download: false, verify: false });
  out = path.join(tmpDir('qahan-curves-'), 'run');
  // 120 training images in batches of 32: 4 steps an epoch, validation every 2 steps.
  await train({ dataset: 'mnist', method: 'none', epochs: 2, out, seed: 0, data, batchSize: 32, evalEvery: 2, validationFraction: 0.25, progress: false });
}, 120_000);

async function cli(args: string[]): Promise<number> {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    return await main(args);
  } finally {
    log.mockRestore();
  }
}

const ticks = (svg: string, axis: 'x' | 'y') => [...svg.matchAll(new RegExp(`<text class="${axis}-tick"[^>]*>([^<]*)</text>`, 'g'))].map((m) => m[1]);

test('qahan train leaves accuracy and loss curves (SVG + valid PNG) in the run folder', async () => {
  for (const f of ['accuracy.svg', 'accuracy.png', 'loss.svg', 'loss.png']) expect(fs.existsSync(path.join(out, f))).toBe(false);
  // The run is complete: --resume reaches the end of the command without training again.
  expect(await cli(['train', '--method', 'none', '--epochs', '2', '--out', out, '--resume', '--quiet'])).toBe(0);
  for (const name of ['accuracy', 'loss']) {
    const svg = fs.readFileSync(path.join(out, `${name}.svg`), 'utf8');
    expect(svg).toMatch(/^<svg [^>]*width="640" height="400"/);
    const series = [...svg.matchAll(/<g class="series" data-name="([^"]+)">/g)].map((m) => m[1]);
    expect(series).toEqual(['batches (1-step mean)', 'train', 'test', 'validation']);
    const xs = ticks(svg, 'x');
    expect(xs).toEqual(['0', '1', '2']);
    const ys = ticks(svg, 'y');
    expect(ys.length).toBeGreaterThan(1);
    for (const t of ys) expect(t.endsWith('%')).toBe(name === 'accuracy');
    expect(readPng(fs.readFileSync(path.join(out, `${name}.png`)))).toEqual({ width: 640, height: 400 });
  }
});

test('--scale 2 doubles the PNG; --no-png writes SVG only', async () => {
  expect(await cli(['train', '--method', 'none', '--epochs', '2', '--out', out, '--resume', '--quiet', '--scale', '2'])).toBe(0);
  expect(readPng(fs.readFileSync(path.join(out, 'accuracy.png')))).toEqual({ width: 1280, height: 800 });
  expect(readPng(fs.readFileSync(path.join(out, 'loss.png')))).toEqual({ width: 1280, height: 800 });
  const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    expect(await cli(['train', '--out', out, '--resume', '--scale', '0'])).toBe(2);
  } finally {
    err.mockRestore();
  }
  const svgOnly = path.join(tmpDir('qahan-curves-'), 'copy');
  fs.cpSync(out, svgOnly, { recursive: true });
  for (const f of fs.readdirSync(svgOnly).filter((f) => /\.(svg|png)$/.test(f))) fs.rmSync(path.join(svgOnly, f));
  const r = writeRunCurves(svgOnly, { png: false });
  expect(r.charts.map((c) => c.file)).toEqual(['accuracy.svg', 'loss.svg']);
  expect(fs.readdirSync(svgOnly).filter((f) => f.endsWith('.png'))).toEqual([]);
});
