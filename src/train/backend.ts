/**
 * TensorFlow.js backend selection for training.
 *
 * Order of preference: `@tensorflow/tfjs-node` ('tensorflow', native libtensorflow)
 * when it loads, else `@tensorflow/tfjs-backend-wasm` ('wasm', XNNPACK, with
 * qahan's training kernels registered), else the pure-JS 'cpu' backend.
 *
 * `@tensorflow/tfjs-node` is an optional dependency and may be absent, or
 * present without its native addon (install scripts denied): requiring it then
 * throws, which is handled here.
 *
 * wasm: tfjs-backend-wasm ships a plain, a SIMD and a threaded-SIMD binary.
 * tfjs disables threads under Node (WASM_HAS_MULTITHREAD_SUPPORT is false for
 * IS_NODE, tfjs issue 3830), so in Node the SIMD binary runs on one thread —
 * which is also what we want: the second core is busy annealing.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './wasm-kernels';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** The tfjs backend now active ('tensorflow', 'wasm' or 'cpu'). */
  backend: string;
  /** Why a better backend was not used, or that the choice was forced. */
  reason?: string;
}

export interface InitBackendOptions {
  /** wasm threads (only effective with the threaded binary; Node uses one). Default 1. */
  wasmThreads?: number;
}

const ENV_VAR = 'QAHAN_TFJS_BACKEND';
const ALIASES: Record<string, BackendName> = {
  tensorflow: 'tensorflow',
  node: 'tensorflow',
  'tfjs-node': 'tensorflow',
  native: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

let current: BackendInfo | undefined;
let wasmDetail = '';

function normalise(name: string, source: string): BackendName {
  const key = name.trim().toLowerCase();
  const b = ALIASES[key];
  if (b == null) {
    throw new Error(`${source}: unknown tfjs backend '${name}' (expected one of tensorflow, wasm, cpu)`);
  }
  return b;
}

function errMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0];
}

/** Try to make tfjs-node's 'tensorflow' backend available. Returns null on success, else why not. */
function loadTfjsNode(): string | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require('@tensorflow/tfjs-node');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND' && /Cannot find module '@tensorflow\/tfjs-node'/.test(errMessage(e))) {
      return '@tensorflow/tfjs-node is not installed';
    }
    return `@tensorflow/tfjs-node failed to load (${errMessage(e)})`;
  }
  if (tf.findBackendFactory('tensorflow') == null) {
    return '@tensorflow/tfjs-node loaded but registered no tensorflow backend (different tfjs-core copy?)';
  }
  return null;
}

/** Directory of tfjs-backend-wasm's .wasm binaries, with trailing separator. */
export function wasmBinaryDir(): string {
  const file = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm');
  return path.dirname(file) + path.sep;
}

async function loadWasm(opts: InitBackendOptions): Promise<string | null> {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = require('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    return `@tensorflow/tfjs-backend-wasm failed to load (${errMessage(e)})`;
  }
  try {
    wasm.setWasmPaths(wasmBinaryDir());
    wasm.setThreadsCount(Math.max(1, Math.floor(opts.wasmThreads ?? 1)));
    registerWasmTrainingKernels();
  } catch (e) {
    return `wasm backend setup failed (${errMessage(e)})`;
  }
  let ok = false;
  try {
    ok = await tf.setBackend('wasm');
  } catch (e) {
    return `wasm backend failed to initialise (${errMessage(e)})`;
  }
  if (!ok) return 'wasm backend failed to initialise (see the warning above)';
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = wasm.getThreadsCount();
  wasmDetail = `${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}`;
  return null;
}

async function activate(name: BackendName, opts: InitBackendOptions): Promise<string | null> {
  switch (name) {
    case 'tensorflow': {
      const why = loadTfjsNode();
      if (why) return why;
      try {
        if (!(await tf.setBackend('tensorflow'))) return 'tensorflow backend failed to initialise';
      } catch (e) {
        return `tensorflow backend failed to initialise (${errMessage(e)})`;
      }
      return null;
    }
    case 'wasm':
      return loadWasm(opts);
    case 'cpu':
      try {
        if (!(await tf.setBackend('cpu'))) return 'cpu backend failed to initialise';
      } catch (e) {
        return `cpu backend failed to initialise (${errMessage(e)})`;
      }
      return null;
  }
}

/**
 * Selects and initialises the best available tfjs backend.
 * `preferred` (or, when absent, the QAHAN_TFJS_BACKEND environment variable)
 * forces one; a forced backend that cannot load is an error.
 */
export async function initBackend(preferred?: BackendName, opts: InitBackendOptions = {}): Promise<BackendInfo> {
  let forced: BackendName | undefined;
  let forcedBy = '';
  if (preferred != null) {
    forced = normalise(preferred, 'initBackend');
    forcedBy = 'requested';
  } else if (process.env[ENV_VAR] != null && process.env[ENV_VAR]!.trim() !== '') {
    forced = normalise(process.env[ENV_VAR]!, ENV_VAR);
    forcedBy = `forced by ${ENV_VAR}`;
  }

  if (forced) {
    const why = await activate(forced, opts);
    if (why) {
      throw new Error(`tfjs backend '${forced}' (${forcedBy}) is not available: ${why}`);
    }
    current = { backend: tf.getBackend(), reason: forcedBy + (forced === 'wasm' ? ` (${wasmDetail})` : '') };
    return current;
  }

  const skipped: string[] = [];
  for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
    const why = await activate(name, opts);
    if (why == null) {
      const notes = [...skipped];
      if (name === 'wasm') notes.push(`wasm: ${wasmDetail}`);
      current = { backend: tf.getBackend(), reason: notes.length ? notes.join('; ') : undefined };
      return current;
    }
    skipped.push(why);
  }
  throw new Error(`no tfjs backend could be initialised: ${skipped.join('; ')}`);
}

/** The backend in use: what initBackend chose, or tfjs's current backend if it was not called. */
export function currentBackend(): BackendInfo {
  const active = tf.getBackend();
  if (current && current.backend === active) return current;
  return { backend: active, reason: current ? `changed outside initBackend (was ${current.backend})` : undefined };
}

/** One line for logs, e.g. "tfjs backend: wasm (SIMD, 1 thread)". */
export function describeBackend(): string {
  const info = currentBackend();
  return `tfjs backend: ${info.backend}${info.reason ? ` — ${info.reason}` : ''}`;
}
