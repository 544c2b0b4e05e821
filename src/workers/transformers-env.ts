// Browser configuration of transformers.js for offline use (stack.md §4): local models from `<app base>models/`,
// the hub only when the user allowed network for a hub model, and ONNX Runtime's wasm files served by Vite from our
// own origin (object form of wasmPaths; the default points at a CDN and fails offline).
import { env } from '@huggingface/transformers';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';

export type ModelSource = 'local' | 'hub';

/** `localModelBase`: absolute URL of the models folder, e.g. http://127.0.0.1:4173/models/. */
export function configureTransformersEnv(opts: { localModelBase: string; source: ModelSource }): void {
  const base = self.location.href;
  // A path, not a full URL: transformers.js skips its local-file checks (e.g. for tokenizer_config.json) when
  // localModelPath is an http(s) URL. Fetched relative to our origin, so an app base like /sub/ still works.
  env.localModelPath = new URL(opts.localModelBase).pathname;
  // A hub model must not be looked up locally first: the SPA server answers missing files with index.html.
  env.allowLocalModels = opts.source === 'local';
  env.allowRemoteModels = opts.source === 'hub';
  const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown; numThreads?: number } };
  if (onnx.wasm) {
    onnx.wasm.wasmPaths = { mjs: new URL(ortMjsUrl, base).href, wasm: new URL(ortWasmUrl, base).href };
  }
}

export const TRANSFORMERS_VERSION: string = env.version;
