// Model catalog: file names transformers.js v4 requests per dtype, and local / hub / unavailable resolution.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkModelFiles,
  DEFAULT_MODEL_ID,
  findCatalogEntry,
  hubFilesOf,
  isOutOfMemoryError,
  optionalPackFiles,
  MODEL_CATALOG,
  onnxFileFor,
  pageDtypeFor,
  resolveModel,
} from '../../src/core/models/catalog.ts';

const present = (files: string[]) => async (p: string) => files.includes(p);

describe('catalog', () => {
  it('names ONNX files like transformers.js v4 does per dtype', () => {
    expect(onnxFileFor('fp32')).toBe('onnx/model.onnx');
    expect(onnxFileFor('q8')).toBe('onnx/model_quantized.onnx');
    expect(onnxFileFor('q4f16')).toBe('onnx/model_q4f16.onnx');
    for (const e of MODEL_CATALOG) expect(e.files).toContain(onnxFileFor(e.dtype));
  });
  it('has exactly one bundled model, the default, whose files are in public/models', () => {
    expect(MODEL_CATALOG.filter((e) => e.bundled).map((e) => e.id)).toEqual([DEFAULT_MODEL_ID]);
    const entry = findCatalogEntry(DEFAULT_MODEL_ID)!;
    for (const f of entry.files) expect(existsSync(path.join('public/models', DEFAULT_MODEL_ID, f))).toBe(true);
    expect(entry.selfTest?.expectedIds.length).toBeGreaterThan(0);
    for (const e of MODEL_CATALOG.filter((x) => !x.bundled)) expect(e.downloadSizeBytes).toBeGreaterThan(50 * 2 ** 20);
  });
});

describe('which SmolLM2 file the page and Node load', () => {
  const smol = findCatalogEntry('HuggingFaceTB/SmolLM2-135M-Instruct')!;
  it('the page loads q4 (expanded at load) unless the device reports under 8 GB and the q8 file exists', () => {
    expect(smol.dtype).toBe('q4');
    expect(smol.files).toContain('onnx/model_q4.onnx');
    expect(smol.nodeDtype).toBe('q8');
    expect(pageDtypeFor(smol, { deviceMemoryGB: 8, leanAvailable: true })).toEqual({ dtype: 'q4' });
    expect(pageDtypeFor(smol, { leanAvailable: true })).toEqual({ dtype: 'q4' }); // the browser reports nothing
    expect(pageDtypeFor(smol, { deviceMemoryGB: 4, leanAvailable: false })).toEqual({ dtype: 'q4' }); // no lean file
    const lean = pageDtypeFor(smol, { deviceMemoryGB: 4, leanAvailable: true });
    expect(lean.dtype).toBe('q8');
    expect(lean.reason).toBe('this device reports 4 GB of memory; the q4 file needs about 3.0 GB while loading and is faster, so the smaller q8 file is used');
    // From the hub the page keeps the hub's q8 export (its q4 is MatMulNBits, slow in WASM) and never switches.
    expect(pageDtypeFor(smol, { deviceMemoryGB: 4, leanAvailable: true }, 'hub')).toEqual({ dtype: 'q8' });
    expect(hubFilesOf(smol)).toEqual(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx']);
    expect(optionalPackFiles(smol)).toEqual(['onnx/model_quantized.onnx']);
    expect(hubFilesOf(findCatalogEntry('Xenova/gpt2')!)).toEqual(findCatalogEntry('Xenova/gpt2')!.files);
    // A model without a lean file is never switched.
    expect(pageDtypeFor(findCatalogEntry(DEFAULT_MODEL_ID)!, { deviceMemoryGB: 1, leanAvailable: true })).toEqual({ dtype: 'fp32' });
  });
  it('recognises out-of-memory load errors and nothing else', () => {
    for (const m of [
      'RangeError: WebAssembly.Memory.grow(): Maximum memory size exceeded',
      "Can't create a session. ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc",
      'Array buffer allocation failed',
      'Out of memory',
      'failed to allocate a buffer of size 452984832',
    ]) {
      expect(isOutOfMemoryError(m), m).toBe(true);
    }
    for (const m of ['Could not locate file: onnx/model_q4.onnx', 'protobuf parsing failed', 'self-test failed']) expect(isOutOfMemoryError(m), m).toBe(false);
  });
});

describe('resolveModel', () => {
  const smol = 'HuggingFaceTB/SmolLM2-135M-Instruct';
  it('prefers a complete local copy (offline model pack)', async () => {
    const entry = findCatalogEntry(smol)!;
    const r = await resolveModel(smol, { localModelBase: '/models', fileExists: present(entry.files), allowNetwork: false });
    expect(r).toMatchObject({ kind: 'local', baseUrl: `/models/${smol}/` });
  });
  it('uses the hub only when network is allowed', async () => {
    const r = await resolveModel(smol, { localModelBase: '/models/', fileExists: present([]), allowNetwork: true });
    expect(r.kind).toBe('hub');
    if (r.kind === 'hub') expect(r.downloadSizeBytes).toBe(findCatalogEntry(smol)!.downloadSizeBytes);
  });
  it('is unavailable offline, with a reason that gives the size', async () => {
    const r = await resolveModel(smol, { localModelBase: '/models/', fileExists: present(['config.json']), allowNetwork: false });
    expect(r.kind).toBe('unavailable');
    if (r.kind === 'unavailable') {
      expect(r.reason).toMatch(/\d+ MB download/);
      expect(r.reason).toContain('onnx/model_q4.onnx');
      expect(r.reason).toContain('npm run model-pack');
    }
  });
  it('reports a damaged bundled model naming the missing file', async () => {
    const entry = findCatalogEntry(DEFAULT_MODEL_ID)!;
    const files = entry.files.filter((f) => f !== 'tokenizer.json');
    const r = await resolveModel(DEFAULT_MODEL_ID, { localModelBase: '/m', fileExists: present(files), allowNetwork: true });
    expect(r.kind).toBe('unavailable');
    if (r.kind === 'unavailable') expect(r.reason).toContain('tokenizer.json');
    const c = await checkModelFiles(entry, present(files));
    expect(c).toEqual({ ok: false, missing: ['tokenizer.json'], message: expect.stringContaining('tokenizer.json') });
  });
  it('treats unknown ids as local-only folders', async () => {
    const r = await resolveModel('me/my-model', { localModelBase: '/m', fileExists: present([]), allowNetwork: true });
    expect(r.kind).toBe('unavailable');
  });
});
