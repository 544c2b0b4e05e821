// Configures transformers.js for Node (CLI, benchmarks, tests): models from <repo>/public/models/, no hub access
// unless the user passed --allow-network, and the onnxruntime-node CPU backend ('cpu' device).
import { env } from '@huggingface/transformers';
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** <repo>/public/models/ (absolute, with trailing slash). */
export const NODE_MODEL_BASE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'public', 'models') + path.sep;

/** Sets transformers.js `env` for Node. `localModelPath` defaults to NODE_MODEL_BASE. */
export function configureNodeTransformers(opts: { allowNetwork?: boolean; localModelPath?: string } = {}): void {
  env.allowLocalModels = true;
  env.localModelPath = opts.localModelPath ?? NODE_MODEL_BASE;
  env.allowRemoteModels = opts.allowNetwork === true;
  env.useFSCache = opts.allowNetwork === true; // hub downloads are cached on disk only when they are allowed
}

/** `fileExists` for resolveModel/checkModelFiles rooted at a model folder. */
export function nodeFileExists(modelDir: string): (relPath: string) => Promise<boolean> {
  return async (relPath) => {
    try {
      await access(path.join(modelDir, relPath));
      return true;
    } catch {
      return false;
    }
  };
}
