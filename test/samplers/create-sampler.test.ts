import fs from 'fs';
import os from 'os';
import path from 'path';
import { resolveSamplerConfig } from '../../src/config/qahan-config';
import { BinaryQuadraticModel } from '../../src/model/bqm';
import { createSampler } from '../../src/samplers/create-sampler';

describe('createSampler and the configuration layers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qahan-config-'));
  const nested = path.join(dir, 'a', 'b');
  fs.mkdirSync(nested, { recursive: true });
  fs.writeFileSync(path.join(dir, 'qahan.config.json'), JSON.stringify({ sampler: 'sa', params: { numReads: 3, numSweeps: 50 } }));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('file found from a nested folder; env beats file; argument beats env', () => {
    expect(resolveSamplerConfig({}, {}, nested)).toMatchObject({ sampler: 'sa', params: { numReads: 3, numSweeps: 50 } });
    expect(resolveSamplerConfig({}, { QAHAN_SAMPLER: 'exact', QAHAN_NUM_READS: '7' }, nested)).toMatchObject({ sampler: 'exact', params: { numReads: 7, numSweeps: 50 } });
    expect(resolveSamplerConfig({ sampler: 'sqa', params: { numReads: 2 } }, { QAHAN_SAMPLER: 'exact' }, nested)).toMatchObject({ sampler: 'sqa', params: { numReads: 2 } });
    expect(resolveSamplerConfig({}, {}, os.tmpdir() === dir ? '/' : path.parse(dir).root).sampler).toBe('sqa');
  });

  test('package.json "qahan" key is read', () => {
    const pkgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qahan-pkg-'));
    fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ name: 'x', qahan: { sampler: 'exact' } }));
    expect(resolveSamplerConfig({}, {}, pkgDir).sampler).toBe('exact');
    fs.rmSync(pkgDir, { recursive: true, force: true });
  });

  test('bad values are named', () => {
    expect(() => resolveSamplerConfig({}, { QAHAN_SAMPLER: 'quantum' }, nested)).toThrow(/QAHAN_SAMPLER/);
    expect(() => resolveSamplerConfig({}, { QAHAN_NUM_READS: 'many' }, nested)).toThrow(/QAHAN_NUM_READS/);
  });

  test.each(['sa', 'sqa', 'exact'] as const)('createSampler(%s) samples through the shared interface', async (name) => {
    const sampler = createSampler({ sampler: name, params: { numReads: 4 } });
    expect(sampler.name).toBe(name);
    const bqm = BinaryQuadraticModel.fromIsing([0.5, -0.5, 0], [[0, 1, -1], [1, 2, 1]]);
    const ss = await sampler.sample(bqm, { seed: 1 });
    expect(ss.first.energy).toBeCloseTo(-2, 9);
  });
});
