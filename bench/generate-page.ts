// Browser side of `npm run bench:generate -- --browser`: loads the bundled model with transformers.js on the wasm
// device, all files from our own origin, and exposes `window.runGenerateBench(opts)` for the Playwright driver.
// Built by bench/vite.config.ts only, so none of this reaches the shipped page's bundle.
import { loadLm } from '../src/core/generation/lm.ts';
import { selfTest } from '../src/core/generation/generator.ts';
import { configureTransformersEnv } from '../src/workers/transformers-env.ts';
import { measureGenerate, type GenerateBenchOptions, type GenerateBenchResult } from './generate-measure.ts';

export interface PageBenchRequest extends GenerateBenchOptions {
  modelId: string;
}

async function runGenerateBench(req: PageBenchRequest): Promise<GenerateBenchResult> {
  configureTransformersEnv({ localModelBase: new URL('models/', location.href).href, source: 'local' });
  const lm = await loadLm({ modelId: req.modelId, device: 'wasm' });
  try {
    const st = await selfTest(lm);
    if (!st.ok) throw new Error(st.message);
    return await measureGenerate(lm.internals, req);
  } finally {
    await lm.dispose();
  }
}

(globalThis as any).runGenerateBench = runGenerateBench;
document.getElementById('status')!.dataset.ready = '1';
