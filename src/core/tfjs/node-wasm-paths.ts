// Node only: tells tfjs-backend-wasm where its .wasm files are (node_modules/@tensorflow/tfjs-backend-wasm/dist/),
// because the default lookup is relative to a script URL that does not exist under Node/tsx/vitest.
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { useBackend, type TfBackendName } from './backend.ts';

let configured = false;

/** Absolute path of the tfjs-backend-wasm dist folder, with a trailing separator. */
export function nodeWasmDistDir(): string {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkgJson), 'dist') + path.sep;
}

/** Configures the wasm paths (once) and switches to `name` ('wasm' by default). Single-threaded: threads gave no gain. */
export async function initNodeBackend(name: TfBackendName = 'wasm'): Promise<void> {
  if (!configured) {
    setWasmPaths(nodeWasmDistDir());
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    configured = true;
  }
  await useBackend(name);
}
