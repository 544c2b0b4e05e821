// Model pack checks before anything is stored (src/core/models/packs.ts checkModelPack): the layout a folder or
// zip gives (top folder stripped), the files transformers.js needs for the catalog dtype, JSON that parses, and
// pack-manifest.json sizes and SHA-256 — each problem a clear message naming the file.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkModelPack, type PackFile } from '../../src/core/models/packs.ts';

const enc = new TextEncoder();
const onnx = new Uint8Array(readFileSync('public/models/karpathy/stories260K/onnx/model.onnx'));
const base = (): PackFile[] => [
  { path: 'distilgpt2/config.json', data: new Uint8Array(readFileSync('public/models/karpathy/stories260K/config.json')) },
  { path: 'distilgpt2/tokenizer.json', data: new Uint8Array(readFileSync('public/models/karpathy/stories260K/tokenizer.json')) },
  { path: 'distilgpt2/tokenizer_config.json', data: new Uint8Array(readFileSync('public/models/karpathy/stories260K/tokenizer_config.json')) },
  { path: 'distilgpt2/onnx/model_quantized.onnx', data: onnx },
];
const withManifest = (files: PackFile[]): PackFile[] => {
  const entries = Object.fromEntries(files.map((f) => [f.path.replace(/^distilgpt2\//, ''), { bytes: f.data.length, sha256: createHash('sha256').update(f.data).digest('hex') }]));
  return [...files, { path: 'distilgpt2/pack-manifest.json', data: enc.encode(JSON.stringify({ files: entries })) }];
};

describe('checkModelPack', () => {
  it('accepts a complete folder, strips its top folder, and verifies hashes when a manifest is present', async () => {
    const plain = await checkModelPack(base(), 'Xenova/distilgpt2', 'folder');
    expect(plain.files.map((f) => f.path).sort()).toEqual(['config.json', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect(plain.hashesChecked).toBe(false);
    expect(plain.entry.dtype).toBe('q8');
    expect((await checkModelPack(withManifest(base()), 'Xenova/distilgpt2', 'folder')).hashesChecked).toBe(true);
  });
  it('keeps a pack\'s lean file (SmolLM2: q8 beside the q4 the page loads) and drops other extras', async () => {
    const smol = base().map((f) => ({ ...f, path: f.path.replace('distilgpt2/onnx/model_quantized.onnx', 'distilgpt2/onnx/model_q4.onnx') }));
    const extras = [
      { path: 'distilgpt2/onnx/model_quantized.onnx', data: onnx },
      { path: 'distilgpt2/onnx/model_fp16.onnx', data: onnx },
    ];
    const checked = await checkModelPack([...smol, ...extras], 'HuggingFaceTB/SmolLM2-135M-Instruct', 'folder');
    expect(checked.files.map((f) => f.path).sort()).toEqual(['config.json', 'onnx/model_q4.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    // Without its q4 file the pack is incomplete, whatever else it holds.
    await expect(checkModelPack([...base()], 'HuggingFaceTB/SmolLM2-135M-Instruct', 'usb')).rejects.toThrow(/missing onnx\/model_q4\.onnx/);
  });

  it('refuses a missing file, a corrupt JSON file, a truncated or altered file, an unsafe name, an unknown or bundled id', async () => {
    const id = 'Xenova/distilgpt2';
    await expect(checkModelPack(base().filter((f) => !f.path.endsWith('.onnx')), id, 'usb')).rejects.toThrow(/usb is not a complete DistilGPT-2 \(q8\) pack: missing onnx\/model_quantized\.onnx/);
    const badJson = base().map((f) => (f.path.endsWith('/config.json') ? { ...f, data: enc.encode('{"model_type": ') } : f));
    await expect(checkModelPack(badJson, id, 'usb')).rejects.toThrow(/config\.json is damaged \(not valid JSON\)/);
    const truncated = withManifest(base()).map((f) => (f.path.endsWith('.onnx') ? { ...f, data: f.data.subarray(0, 1000) } : f));
    await expect(checkModelPack(truncated, id, 'usb')).rejects.toThrow(/onnx\/model_quantized\.onnx has 1000 bytes, pack-manifest\.json says 1226065/);
    const altered = withManifest(base()).map((f) => {
      if (!f.path.endsWith('.onnx')) return f;
      const d = f.data.slice();
      d[5000] ^= 0xff;
      return { ...f, data: d };
    });
    await expect(checkModelPack(altered, id, 'usb')).rejects.toThrow(/model_quantized\.onnx is damaged \(its SHA-256 does not match/);
    await expect(checkModelPack([...base(), { path: 'distilgpt2/../evil.json', data: enc.encode('{}') }], id, 'usb')).rejects.toThrow(/unsafe file name/);
    await expect(checkModelPack(base(), 'someone/else', 'usb')).rejects.toThrow(/is not a model this page knows/);
    await expect(checkModelPack(base(), 'karpathy/stories260K', 'usb')).rejects.toThrow(/ships with the page already/);
  });
});
