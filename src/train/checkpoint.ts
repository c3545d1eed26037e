/**
 * Checkpoints: the network's weights, the optimizer's state (Adam moments and iteration count), the
 * epoch and step, and REINFORCE's baseline, as DIR/checkpoint.json + DIR/checkpoint.bin (float32,
 * little-endian). Written to temporary files and renamed, so a crash never leaves half a checkpoint.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { QahanError } from '../errors';

export interface CheckpointManifest {
  format: 'qahan-checkpoint-1';
  epoch: number;
  step: number;
  baseline?: number;
  /** Test-time forwards the network had run (AttentionNetwork.evalCalls); absent in older checkpoints. */
  evalCalls?: number;
  method: string;
  /** Stable variable names (conv0/kernel, ...), shapes and offsets (in floats) into the .bin file. */
  variables: { name: string; shape: number[]; offset: number }[];
  /** The optimizer's weights in getWeights() order (names are informational). */
  optimizer: { name: string; shape: number[]; offset: number }[];
  savedAt: string;
}

export const CHECKPOINT_JSON = 'checkpoint.json';
export const CHECKPOINT_BIN = 'checkpoint.bin';

/** What a checkpoint needs of a network (AttentionNetwork has it). */
export interface CheckpointNetwork {
  readonly variables: tf.Variable[];
  readonly variableNames: string[];
  readonly method: string;
  step: number;
  baseline: number | undefined;
  evalCalls?: number;
}

/**
 * A checkpoint that cannot be used: unreadable, truncated, inconsistent with its manifest or with the
 * network, or holding non-finite weights. Names the file; nothing has been assigned when it is thrown.
 */
export class CheckpointError extends QahanError {
  constructor(
    readonly file: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${detail}`, options);
  }
}

export function hasCheckpoint(dir: string): boolean {
  return fs.existsSync(path.join(dir, CHECKPOINT_JSON)) && fs.existsSync(path.join(dir, CHECKPOINT_BIN));
}

export async function saveCheckpoint(dir: string, net: CheckpointNetwork, optimizer: tf.Optimizer | undefined, epoch: number): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const chunks: Float32Array[] = [];
  let offset = 0;
  const add = (data: Float32Array) => {
    chunks.push(data);
    const at = offset;
    offset += data.length;
    return at;
  };
  const names = net.variableNames;
  const variables = [];
  for (let i = 0; i < net.variables.length; i++) {
    const v = net.variables[i];
    variables.push({ name: names[i], shape: v.shape, offset: add((await v.data()) as Float32Array) });
  }
  const opt = [];
  if (optimizer) {
    for (const w of await optimizer.getWeights()) {
      const data = Float32Array.from(await w.tensor.data());
      opt.push({ name: w.name, shape: w.tensor.shape, offset: add(data) });
    }
  }
  const manifest: CheckpointManifest = {
    format: 'qahan-checkpoint-1',
    epoch,
    step: net.step,
    baseline: net.baseline,
    ...(net.evalCalls !== undefined ? { evalCalls: net.evalCalls } : {}),
    method: net.method,
    variables,
    optimizer: opt,
    savedAt: new Date().toISOString(),
  };
  const buf = Buffer.alloc(offset * 4);
  let at = 0;
  for (const c of chunks) {
    Buffer.from(c.buffer, c.byteOffset, c.byteLength).copy(buf, at * 4);
    at += c.length;
  }
  const bin = path.join(dir, CHECKPOINT_BIN);
  const json = path.join(dir, CHECKPOINT_JSON);
  fs.writeFileSync(bin + '.tmp', buf);
  fs.writeFileSync(json + '.tmp', JSON.stringify(manifest, null, 1));
  fs.renameSync(bin + '.tmp', bin);
  fs.renameSync(json + '.tmp', json);
}

const START_OVER = 'delete the checkpoint files (or the folder) to start over';

/** Reads and checks DIR/checkpoint.json: every field has the type and range saveCheckpoint writes. */
export function readCheckpointManifest(dir: string): CheckpointManifest {
  const file = path.join(dir, CHECKPOINT_JSON);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CheckpointError(file, `cannot be read (${(err as Error).message})`, { cause: err });
  }
  let m: CheckpointManifest;
  try {
    m = JSON.parse(text) as CheckpointManifest;
  } catch (err) {
    const what = text.trim() === '' ? 'is empty' : `is not valid JSON (${(err as Error).message})`;
    throw new CheckpointError(file, `the checkpoint is corrupt: the file ${what}; ${START_OVER}`, { cause: err });
  }
  const bad = (detail: string) => new CheckpointError(file, `the checkpoint is corrupt: ${detail}; ${START_OVER}`);
  if (!m || typeof m !== 'object' || Array.isArray(m)) throw bad('it is not a JSON object');
  if (m.format !== 'qahan-checkpoint-1') throw new CheckpointError(file, `not a qahan checkpoint (format ${JSON.stringify(m.format)})`);
  const count = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!count(m.epoch)) throw bad(`epoch is ${JSON.stringify(m.epoch)}, not a non-negative integer`);
  if (!count(m.step)) throw bad(`step is ${JSON.stringify(m.step)}, not a non-negative integer`);
  if (typeof m.method !== 'string') throw bad('method is missing');
  if (m.baseline !== undefined && m.baseline !== null && !(typeof m.baseline === 'number' && Number.isFinite(m.baseline))) {
    throw bad(`baseline is ${JSON.stringify(m.baseline)}, not a finite number`);
  }
  for (const list of ['variables', 'optimizer'] as const) {
    if (!Array.isArray(m[list])) throw bad(`${list} is not a list`);
    m[list].forEach((e, k) => {
      if (!e || typeof e.name !== 'string') throw bad(`${list}[${k}] has no name`);
      if (!Array.isArray(e.shape) || !e.shape.every(count)) throw bad(`${list}[${k}] (${e.name}) has shape ${JSON.stringify(e.shape)}`);
      if (!count(e.offset)) throw bad(`${list}[${k}] (${e.name}) has offset ${JSON.stringify(e.offset)}`);
    });
  }
  return m;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Reads DIR/checkpoint.bin and checks it against the manifest: its length is exactly what the manifest
 * describes (a truncated or padded file is corrupt), and every value is finite (a run that diverged to
 * NaN or Infinity is not resumed).
 */
export function readCheckpointData(dir: string, m: CheckpointManifest): Float32Array {
  const file = path.join(dir, CHECKPOINT_BIN);
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (err) {
    throw new CheckpointError(file, `cannot be read (${(err as Error).message}); ${START_OVER}`, { cause: err });
  }
  const entries = [...m.variables.map((e) => ({ ...e, kind: 'variable' })), ...m.optimizer.map((e) => ({ ...e, kind: 'optimizer weight' }))];
  const expected = entries.reduce((a, e) => Math.max(a, e.offset + size(e.shape)), 0);
  if (raw.byteLength !== expected * 4) {
    throw new CheckpointError(
      file,
      `the checkpoint is corrupt: ${raw.byteLength} bytes where ${CHECKPOINT_JSON} describes ${expected * 4}${raw.byteLength < expected * 4 ? ' (truncated?)' : ''}; ${START_OVER}`,
    );
  }
  const floats = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  for (const e of entries) {
    const end = e.offset + size(e.shape);
    for (let k = e.offset; k < end; k++) {
      if (!Number.isFinite(floats[k])) {
        throw new CheckpointError(
          file,
          `${e.kind} ${e.name} holds ${floats[k]} at index ${k - e.offset}: the run had diverged; refusing to resume from non-finite weights (${START_OVER}, perhaps with a smaller --lr)`,
        );
      }
    }
  }
  return floats;
}

/**
 * Restores weights (and optimizer state when given); returns the manifest (epoch completed, step).
 * Everything is checked first, so a bad checkpoint throws a CheckpointError naming the file and leaves
 * the network untouched.
 */
export async function loadCheckpoint(dir: string, net: CheckpointNetwork, optimizer?: tf.Optimizer): Promise<CheckpointManifest> {
  const m = readCheckpointManifest(dir);
  const floats = readCheckpointData(dir, m);
  const json = path.join(dir, CHECKPOINT_JSON);
  if (m.method !== net.method) throw new CheckpointError(json, `the checkpoint is of a '${m.method}' network, this run trains '${net.method}'`);
  const names = net.variableNames;
  if (names.length !== m.variables.length) throw new CheckpointError(json, `the checkpoint has ${m.variables.length} variables, the network ${names.length}`);
  const targets = m.variables.map((entry) => {
    const i = names.indexOf(entry.name);
    if (i < 0) throw new CheckpointError(json, `checkpoint variable ${entry.name} does not exist in this network`);
    const v = net.variables[i];
    if (v.shape.join('x') !== entry.shape.join('x')) throw new CheckpointError(json, `checkpoint variable ${entry.name} has shape ${entry.shape}, the network ${v.shape}`);
    return { v, entry };
  });
  for (const { v, entry } of targets) {
    tf.tidy(() => v.assign(tf.tensor(floats.subarray(entry.offset, entry.offset + size(entry.shape)), entry.shape)));
  }
  if (optimizer && m.optimizer.length) {
    const weights = m.optimizer.map((w) => ({ name: w.name, tensor: tf.tensor(floats.slice(w.offset, w.offset + size(w.shape)), w.shape) }));
    await optimizer.setWeights(weights);
  }
  net.step = m.step;
  net.baseline = m.baseline ?? undefined;
  return m;
}
