// Picks and initialises a tfjs backend (environment-neutral part). Node callers first point the wasm backend at its
// .wasm files with node-wasm-paths.ts; the page does the same with Vite `?url` imports. cpu is the deterministic
// choice for unit tests, wasm the fast one everywhere on CPU-only machines.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { patchWasmSlice } from './wasm-slice-patch.ts';

export type TfBackendName = 'wasm' | 'cpu' | 'webgpu' | 'webgl';

/** Switches tfjs to `name` and throws a clear error when the backend could not initialise (setBackend returns false). */
/** Also installs the in-place wasm Slice kernel (wasm-slice-patch.ts). */
export async function useBackend(name: TfBackendName): Promise<void> {
  if (name === 'wasm') patchWasmSlice();
  if (tf.getBackend() === name) return;
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs backend '${name}' failed to initialise (tf.setBackend returned false).`);
  await tf.ready();
}
