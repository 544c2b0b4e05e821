// The service worker's precache list (src/core/offline/precache.ts), matched by workbox-build itself over a dist/
// tree: the app shell, wasm, the bundled model and test sets are in; a big offline model pack a teacher dropped into
// public/models/ (copied to dist/models/) is NOT, so it never bloats the install.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getManifest } from 'workbox-build';
import { MAX_PRECACHE_FILE_BYTES, PRECACHE_GLOBS } from '../../src/core/offline/precache.ts';

describe('precache globs', () => {
  it('match exactly the app shell, wasm, bundled model and test sets', async () => {
    const root = mkdtempSync(join(tmpdir(), 'precache-'));
    const files = [
      'index.html',
      'manifest.webmanifest',
      'sw.js',
      'offline-files.json',
      'icons/icon-192.png',
      'icons/icon.svg',
      'assets/index-abc.js',
      'assets/index-abc.css',
      'assets/train.worker-x.js',
      'assets/ort-wasm-simd-threaded.asyncify-y.wasm',
      'assets/ort-wasm-simd-threaded.asyncify-y.mjs',
      'models/karpathy/stories260K/config.json',
      'models/karpathy/stories260K/tokenizer.json',
      'models/karpathy/stories260K/onnx/model.onnx',
      'models/karpathy/stories260K/README.md',
      'models/HuggingFaceTB/SmolLM2-135M-Instruct/config.json',
      'models/HuggingFaceTB/SmolLM2-135M-Instruct/tokenizer.json',
      'models/HuggingFaceTB/SmolLM2-135M-Instruct/onnx/model_quantized.onnx',
      'models/HuggingFaceTB/SmolLM2-135M-Instruct/pack-manifest.json',
      'eval/sst2-test.jsonl',
      'eval/NOTICE.md',
    ];
    for (const f of files) {
      mkdirSync(dirname(join(root, f)), { recursive: true });
      writeFileSync(join(root, f), f);
    }
    const { manifestEntries, warnings } = await getManifest({ globDirectory: root, globPatterns: PRECACHE_GLOBS, maximumFileSizeToCacheInBytes: MAX_PRECACHE_FILE_BYTES });
    expect(warnings).toEqual([]);
    expect((manifestEntries ?? []).map((e) => e.url).sort()).toEqual(
      [
        'index.html',
        'icons/icon-192.png',
        'icons/icon.svg',
        'assets/index-abc.js',
        'assets/index-abc.css',
        'assets/train.worker-x.js',
        'assets/ort-wasm-simd-threaded.asyncify-y.wasm',
        'assets/ort-wasm-simd-threaded.asyncify-y.mjs',
        'models/karpathy/stories260K/config.json',
        'models/karpathy/stories260K/tokenizer.json',
        'models/karpathy/stories260K/onnx/model.onnx',
        'eval/sst2-test.jsonl',
        'eval/NOTICE.md',
      ].sort(),
    );
  });
});
