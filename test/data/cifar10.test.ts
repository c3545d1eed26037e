import * as fs from 'fs';
import * as path from 'path';
import { encodeTar, readCifar10Archive, readCifar10Dir, readTar } from '../../src/data/cifar10';
import { loadRaw } from '../../src/data/dataset';
import { cifarBatch, cifarBatches, cifarTarGz, tmpDir } from './fixtures';

describe('CIFAR-10 binary reader', () => {
  test('reads the tar.gz archive; planes become HWC channels', () => {
    const d = tmpDir();
    const f = path.join(d, 'cifar-10-binary.tar.gz');
    fs.writeFileSync(f, cifarTarGz(cifarBatches(7)));
    const { train, test } = readCifar10Archive(f);
    expect(train.count).toBe(35);
    expect(test.count).toBe(7);
    expect([train.height, train.width, train.channels]).toEqual([32, 32, 3]);
    const b1 = cifarBatch(7, 1);
    expect(Buffer.from(train.images.subarray(0, 7 * 3072)).equals(Buffer.from(b1.images))).toBe(true);
    expect(Array.from(train.labels.subarray(0, 7))).toEqual(Array.from(b1.labels));
    expect(Array.from(test.labels)).toEqual(Array.from(cifarBatch(7, 6).labels));
    // R plane → channel 0 (fixture: R >= 200, G in [100,156), B < 56)
    expect(train.images[0]).toBeGreaterThanOrEqual(200);
    expect(train.images[1]).toBeGreaterThanOrEqual(100);
    expect(train.images[2]).toBeLessThan(56);
  });

  test('reads extracted batches from either accepted folder (via loadRaw)', async () => {
    for (const sub of ['cifar-10-batches-bin', path.join('cifar-10', 'cifar-10-batches-bin')]) {
      const d = tmpDir();
      const dir = path.join(d, sub);
      fs.mkdirSync(dir, { recursive: true });
      for (const [n, b] of Object.entries(cifarBatches(4))) fs.writeFileSync(path.join(dir, n), b);
      const raw = await loadRaw('cifar10', d, { download: false });
      expect(raw.train.count).toBe(20);
      expect(raw.test.count).toBe(4);
      expect(readCifar10Dir(dir).train.count).toBe(20);
    }
  });

  test('truncated record, bad label, missing batch, corrupt tar, truncated gzip', () => {
    const d = tmpDir();
    const batches = cifarBatches(3);
    batches['data_batch_3.bin'] = batches['data_batch_3.bin'].subarray(0, 3073 * 2 + 100);
    const f = path.join(d, 'a.tar.gz');
    fs.writeFileSync(f, cifarTarGz(batches));
    expect(() => readCifar10Archive(f)).toThrow(/a\.tar\.gz:cifar-10-batches-bin\/data_batch_3\.bin: size 6246 is not a multiple of the 3073-byte/);

    const b2 = cifarBatches(2);
    b2['test_batch.bin'] = Buffer.from(b2['test_batch.bin']);
    b2['test_batch.bin'][3073] = 10;
    fs.writeFileSync(f, cifarTarGz(b2));
    expect(() => readCifar10Archive(f)).toThrow(/test_batch\.bin: record 1: label 10/);

    const b3 = cifarBatches(2);
    delete (b3 as Record<string, Buffer>)['data_batch_5.bin'];
    fs.writeFileSync(f, cifarTarGz(b3));
    expect(() => readCifar10Archive(f)).toThrow(/a\.tar\.gz: archive has no data_batch_5\.bin/);

    const tar = encodeTar([{ name: 'x.bin', data: Buffer.alloc(10) }]);
    tar[10] ^= 0xff;
    expect(() => readTar(tar, 'z.tar')).toThrow(/z\.tar: corrupt tar header at offset 0/);
    const tar2 = encodeTar([{ name: 'x.bin', data: Buffer.alloc(2000) }]).subarray(0, 1000);
    expect(() => readTar(tar2, 'z.tar')).toThrow(/truncated tar: entry 'x\.bin' needs 2000 bytes/);

    const gz = cifarTarGz(cifarBatches(2));
    fs.writeFileSync(f, gz.subarray(0, gz.length >> 1));
    expect(() => readCifar10Archive(f)).toThrow(/a\.tar\.gz: corrupt or truncated gzip/);
  });

  test('ustar prefix field and GNU long names', () => {
    const long = 'd/'.repeat(60) + 'data.bin';
    const body = Buffer.from('hello');
    const tar = encodeTar([
      { name: '././@LongLink', data: Buffer.from(long + '\0') },
      { name: 'short', data: body },
    ]);
    // mark first entry as GNU 'L'
    tar[156] = 'L'.charCodeAt(0);
    let sum = 0;
    tar.write('        ', 148, 'latin1');
    for (let i = 0; i < 512; i++) sum += tar[i];
    tar.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    const entries = readTar(tar, 't.tar');
    expect(entries.map((e) => e.name)).toEqual([long]);
    expect(entries[0].data.toString()).toBe('hello');
  });
});
