import { applyNoise, gaussianNoise, parseNoise, saltPepperNoise } from '../../src/data/noise';
import { Random, seededUniform } from '../../src/data/random';

describe('Random', () => {
  test('deterministic per seed, different across seeds', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const xa = Array.from({ length: 10 }, () => a.nextUint32());
    expect(Array.from({ length: 10 }, () => b.nextUint32())).toEqual(xa);
    expect(Array.from({ length: 10 }, () => c.nextUint32())).not.toEqual(xa);
    expect(new Random(2 ** 40).next()).not.toBe(new Random(0).next());
    const u = seededUniform(1);
    expect(u()).toBe(new Random(1).next());
  });
  test('uniform, int, normal, permutation statistics', () => {
    const r = new Random(1);
    let s = 0;
    let q = 0;
    const counts = new Array(7).fill(0);
    const N = 100000;
    for (let i = 0; i < N; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      counts[r.int(7)]++;
      const z = r.normal();
      s += z;
      q += z * z;
    }
    expect(Math.abs(s / N)).toBeLessThan(0.02);
    expect(Math.abs(q / N - 1)).toBeLessThan(0.03);
    for (const c of counts) expect(Math.abs(c / N - 1 / 7)).toBeLessThan(0.01);
    const p = r.permutation(1000);
    expect(new Set(p).size).toBe(1000);
    expect(Math.max(...p)).toBe(999);
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => new Random(NaN)).toThrow(RangeError);
  });
});

describe('noise', () => {
  const px = new Float32Array(20000).map((_, i) => (i % 11) / 10);

  test('gaussian: seeded, clipped, right sigma', () => {
    const a = gaussianNoise(px, 0.05, 3);
    expect(Array.from(gaussianNoise(px, 0.05, 3))).toEqual(Array.from(a));
    expect(Array.from(gaussianNoise(px, 0.05, 4))).not.toEqual(Array.from(a));
    let s = 0;
    let q = 0;
    let n = 0;
    for (let i = 0; i < px.length; i++) {
      expect(a[i] >= 0 && a[i] <= 1).toBe(true);
      if (px[i] >= 0.3 && px[i] <= 0.7) {
        const d = a[i] - px[i];
        s += d;
        q += d * d;
        n++;
      }
    }
    expect(Math.abs(s / n)).toBeLessThan(0.003);
    expect(Math.abs(Math.sqrt(q / n) - 0.05)).toBeLessThan(0.003);
    const big = gaussianNoise(px, 3, 1);
    expect(Math.min(...big)).toBe(0);
    expect(Math.max(...big)).toBe(1);
    expect(Array.from(gaussianNoise(px, 0, 1))).toEqual(Array.from(px));
    expect(() => gaussianNoise(px, -1, 1)).toThrow(RangeError);
  });

  test('salt-and-pepper: rate, values, whole pixels across channels', () => {
    const a = saltPepperNoise(px, 0.1, 5);
    let changed = 0;
    for (let i = 0; i < px.length; i++) {
      if (a[i] !== px[i]) {
        changed++;
        expect(a[i] === 0 || a[i] === 1).toBe(true);
      }
    }
    // values already 0/1 may be "changed" to themselves: rate * (9/11) is the visible fraction
    expect(Math.abs(changed / px.length - 0.1 * (9 / 11))).toBeLessThan(0.01);
    const rgb = new Float32Array(3000).fill(0.5);
    const b = saltPepperNoise(rgb, 0.3, 2, 3);
    for (let p = 0; p < 3000; p += 3) expect(b[p] === b[p + 1] && b[p] === b[p + 2]).toBe(true);
    expect(() => saltPepperNoise(rgb, 0.3, 2, 7)).toThrow(RangeError);
    expect(() => saltPepperNoise(rgb, 1.5, 2)).toThrow(RangeError);
    expect(px[0]).toBe(0); // input untouched
  });

  test('parseNoise and applyNoise', () => {
    expect(parseNoise('gaussian:0.3')).toEqual({ kind: 'gaussian', sigma: 0.3 });
    expect(parseNoise('sp=0.1')).toEqual({ kind: 'salt-pepper', rate: 0.1 });
    expect(parseNoise('none')).toEqual({ kind: 'none' });
    expect(() => parseNoise('blur:2')).toThrow(/bad noise spec/);
    expect(Array.from(applyNoise(px, { kind: 'none' }, 1))).toEqual(Array.from(px));
    expect(Array.from(applyNoise(px, { kind: 'gaussian', sigma: 0.1 }, 1))).toEqual(Array.from(gaussianNoise(px, 0.1, 1)));
  });
});
