/**
 * Seeded input corruptions for robustness experiments. Pixels are in [0, 1]
 * (before normalisation); results are clipped to [0, 1].
 */
import { Random } from './random';

export type NoiseSpec = { kind: 'gaussian'; sigma: number } | { kind: 'salt-pepper'; rate: number } | { kind: 'none' };

/** Adds N(0, sigma²) to every value (sigma in units of the 0-1 pixel range), clipped to [0, 1]. */
export function gaussianNoise(pixels: Float32Array, sigma: number, seed: number, out: Float32Array = new Float32Array(pixels.length)): Float32Array {
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new RangeError(`gaussian noise sigma must be >= 0, got ${sigma}`);
  const rng = new Random(seed);
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i] + sigma * rng.normal();
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return out;
}

/**
 * Salt-and-pepper: each pixel (all `channels` values together) is, with
 * probability `rate`, set to 0 or 1 with equal odds.
 */
export function saltPepperNoise(
  pixels: Float32Array,
  rate: number,
  seed: number,
  channels = 1,
  out: Float32Array = new Float32Array(pixels.length),
): Float32Array {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`salt-and-pepper rate must be in [0, 1], got ${rate}`);
  if (!Number.isInteger(channels) || channels < 1 || pixels.length % channels !== 0) {
    throw new RangeError(`salt-and-pepper: ${pixels.length} values do not split into pixels of ${channels} channels`);
  }
  const rng = new Random(seed);
  if (out !== pixels) out.set(pixels);
  for (let p = 0; p < pixels.length; p += channels) {
    if (rng.next() < rate) {
      const v = rng.next() < 0.5 ? 0 : 1;
      for (let c = 0; c < channels; c++) out[p + c] = v;
    }
  }
  return out;
}

/** Applies a NoiseSpec (returns a new array; 'none' copies). */
export function applyNoise(pixels: Float32Array, spec: NoiseSpec, seed: number, channels = 1): Float32Array {
  switch (spec.kind) {
    case 'gaussian':
      return gaussianNoise(pixels, spec.sigma, seed);
    case 'salt-pepper':
      return saltPepperNoise(pixels, spec.rate, seed, channels);
    case 'none':
      return pixels.slice();
  }
}

/** Parses "gaussian:0.3", "sp:0.1", "salt-pepper:0.1", "none". */
export function parseNoise(text: string): NoiseSpec {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'none') return { kind: 'none' };
  const m = /^(gaussian|gauss|salt-pepper|salt-and-pepper|sp|s&p)\s*[:=]\s*([0-9.eE+-]+)$/.exec(t);
  if (!m) throw new Error(`bad noise spec '${text}' (expected gaussian:<sigma>, salt-pepper:<rate> or none)`);
  const v = Number(m[2]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`bad noise level in '${text}'`);
  return m[1].startsWith('gauss') ? { kind: 'gaussian', sigma: v } : { kind: 'salt-pepper', rate: v };
}
