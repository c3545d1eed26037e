/**
 * Checkpoints: the network's weights, the optimizer's state (Adam moments and iteration count), the
 * epoch and step, and REINFORCE's baseline, as DIR/checkpoint.json + DIR/checkpoint.bin (float32,
 * little-endian). Written to temporary files and renamed, so a crash never leaves half a checkpoint.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { AttentionNetwork } from '../attention/network';

export interface CheckpointManifest {
  format: 'qahan-checkpoint-1';
  epoch: number;
  step: number;
  baseline?: number;
  method: string;
  /** Stable variable names (conv0/kernel, ...), shapes and offsets (in floats) into the .bin file. */
  variables: { name: string; shape: number[]; offset: number }[];
  /** The optimizer's weights in getWeights() order (names are informational). */
  optimizer: { name: string; shape: number[]; offset: number }[];
  savedAt: string;
}

export const CHECKPOINT_JSON = 'checkpoint.json';
export const CHECKPOINT_BIN = 'checkpoint.bin';

export function hasCheckpoint(dir: string): boolean {
  return fs.existsSync(path.join(dir, CHECKPOINT_JSON)) && fs.existsSync(path.join(dir, CHECKPOINT_BIN));
}

export async function saveCheckpoint(dir: string, net: AttentionNetwork, optimizer: tf.Optimizer | undefined, epoch: number): Promise<void> {
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

export function readCheckpointManifest(dir: string): CheckpointManifest {
  const m = JSON.parse(fs.readFileSync(path.join(dir, CHECKPOINT_JSON), 'utf8')) as CheckpointManifest;
  if (m.format !== 'qahan-checkpoint-1') throw new Error(`${dir}: not a qahan checkpoint (format ${String(m.format)})`);
  return m;
}

/** Restores weights (and optimizer state when given); returns the manifest (epoch completed, step). */
export async function loadCheckpoint(dir: string, net: AttentionNetwork, optimizer?: tf.Optimizer): Promise<CheckpointManifest> {
  const m = readCheckpointManifest(dir);
  const raw = fs.readFileSync(path.join(dir, CHECKPOINT_BIN));
  const floats = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const names = net.variableNames;
  for (const entry of m.variables) {
    const i = names.indexOf(entry.name);
    if (i < 0) throw new Error(`checkpoint variable ${entry.name} does not exist in this network`);
    const v = net.variables[i];
    if (v.shape.join('x') !== entry.shape.join('x')) throw new Error(`checkpoint variable ${entry.name} has shape ${entry.shape}, the network ${v.shape}`);
    tf.tidy(() => v.assign(tf.tensor(floats.subarray(entry.offset, entry.offset + size(entry.shape)), entry.shape)));
  }
  if (names.length !== m.variables.length) throw new Error(`checkpoint has ${m.variables.length} variables, the network ${names.length}`);
  if (optimizer && m.optimizer.length) {
    const weights = m.optimizer.map((w) => ({ name: w.name, tensor: tf.tensor(floats.slice(w.offset, w.offset + size(w.shape)), w.shape) }));
    await optimizer.setWeights(weights);
  }
  net.step = m.step;
  net.baseline = m.baseline ?? undefined;
  return m;
}
