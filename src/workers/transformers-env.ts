// Browser configuration of transformers.js for offline use (stack.md §4): local models from `<app base>models/`,
// the hub only when the user allowed network for a hub model, and ONNX Runtime's wasm files served by Vite from our
// own origin (object form of wasmPaths; the default points at a CDN and fails offline). Model files are looked up
// first in the imported model packs (Cache Storage, src/core/models/packs.ts), then in transformers.js' own cache of
// hub downloads, so a pack imported from disk loads with no network.
import { env } from '@huggingface/transformers';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { PACK_CACHE } from '../core/models/packs.ts';

/** transformers.js' browser cache name (its default), where hub downloads are kept. */
export const HUB_CACHE = 'transformers-cache';

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
  if (typeof caches !== 'undefined') {
    env.useCustomCache = true;
    env.customCache = {
      async match(key: string) {
        const url = new URL(key, base).href;
        return (await (await caches.open(PACK_CACHE)).match(url)) ?? (await (await caches.open(HUB_CACHE)).match(url));
      },
      async put(key: string, response: Response) {
        await (await caches.open(HUB_CACHE)).put(new URL(key, base).href, response);
      },
    };
  }
  const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown; numThreads?: number } };
  if (onnx.wasm) {
    onnx.wasm.wasmPaths = { mjs: new URL(ortMjsUrl, base).href, wasm: new URL(ortWasmUrl, base).href };
  }
}

export const TRANSFORMERS_VERSION: string = env.version;
