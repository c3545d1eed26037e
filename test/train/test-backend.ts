/** The tfjs backend of the training tests: wasm (the project's training backend), else tfjs's pure-JS one. */
import { initBackend } from '../../src/train/backend';

export async function wasmOrCpu(): Promise<void> {
  try {
    await initBackend('wasm');
  } catch {
    await initBackend('cpu');
  }
}
