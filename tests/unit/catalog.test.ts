// Model catalog: file names transformers.js v4 requests per dtype, and local / hub / unavailable resolution.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkModelFiles,
  DEFAULT_MODEL_ID,
  findCatalogEntry,
  MODEL_CATALOG,
  onnxFileFor,
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
      expect(r.reason).toContain('onnx/model_quantized.onnx');
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
