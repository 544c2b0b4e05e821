// Device and tfjs-backend choice from probe facts (the pure half of src/core/runtime).
import { describe, expect, it } from 'vitest';
import {
  chooseGenerationDevice,
  parseOverrides,
  planTfjsBackends,
  type GpuAdapterFacts,
  type GpuProbe,
} from '../../src/core/runtime/capabilities.ts';
import { detectGenerationDevice } from '../../src/core/runtime/probe.ts';
import { httpFileExists, localModelBaseUrl } from '../../src/core/runtime/http-files.ts';
import { resolveModel } from '../../src/core/models/catalog.ts';

const hardware: GpuAdapterFacts = { isFallbackAdapter: false, vendor: 'nvidia', architecture: 'hopper', description: '' };
// What headless Chromium with --enable-unsafe-webgpu reports (stack.md §2).
const swiftshader: GpuAdapterFacts = { isFallbackAdapter: true, vendor: 'google', architecture: 'swiftshader', description: '' };
const realGpu: GpuProbe = { hasNavigatorGpu: true, adapter: hardware };

describe('chooseGenerationDevice', () => {
  it('uses WebGPU only with a hardware adapter', () => {
    const c = chooseGenerationDevice(realGpu);
    expect(c.device).toBe('webgpu');
    expect(c.reason).toContain('nvidia hopper');
  });

  it('falls back to WASM when navigator.gpu exists but no adapter is offered', () => {
    const c = chooseGenerationDevice({ hasNavigatorGpu: true, adapter: null });
    expect(c).toEqual({ device: 'wasm', reason: 'the browser offers no WebGPU adapter; using WASM' });
  });

  it('falls back to WASM without navigator.gpu and when requestAdapter throws', () => {
    expect(chooseGenerationDevice({ hasNavigatorGpu: false, adapter: null }).device).toBe('wasm');
    const c = chooseGenerationDevice({ hasNavigatorGpu: true, adapter: null, error: 'boom' });
    expect(c.device).toBe('wasm');
    expect(c.reason).toContain('boom');
  });

  it('treats a fallback adapter or SwiftShader architecture as no real GPU', () => {
    expect(chooseGenerationDevice({ hasNavigatorGpu: true, adapter: swiftshader }).reason).toContain('software fallback');
    const arch = chooseGenerationDevice({ hasNavigatorGpu: true, adapter: { ...swiftshader, isFallbackAdapter: false } });
    expect(arch.device).toBe('wasm');
    expect(arch.reason).toContain('SwiftShader');
  });

  it('honours a URL override in either direction', () => {
    const forced = chooseGenerationDevice({ hasNavigatorGpu: true, adapter: swiftshader }, parseOverrides('?device=webgpu'));
    expect(forced).toEqual({ device: 'webgpu', reason: 'forced by the URL (?device=webgpu)' });
    expect(chooseGenerationDevice(realGpu, parseOverrides('?device=wasm')).device).toBe('wasm');
  });
});

describe('parseOverrides', () => {
  it('reads valid values and reports invalid ones', () => {
    expect(parseOverrides('?device=wasm&tfjs=webgl')).toEqual({ device: 'wasm', tfjs: 'webgl', ignored: [] });
    const bad = parseOverrides('?device=gpu&tfjs=metal');
    expect(bad.device).toBeUndefined();
    expect(bad.tfjs).toBeUndefined();
    expect(bad.ignored).toEqual([
      'ignored ?device=gpu (expected webgpu or wasm)',
      'ignored ?tfjs=metal (expected one of webgpu, webgl, wasm, cpu)',
    ]);
    expect(parseOverrides('')).toEqual({ ignored: [] });
  });
  it('reads ?memory= as the device memory in GB', () => {
    expect(parseOverrides('?memory=4')).toEqual({ memoryGB: 4, ignored: [] });
    expect(parseOverrides('?memory=0.5').memoryGB).toBe(0.5);
    for (const bad of ['0', '-2', 'lots', '']) {
      const o = parseOverrides(`?memory=${bad}`);
      expect(o.memoryGB).toBeUndefined();
      expect(o.ignored).toEqual([`ignored ?memory=${bad} (expected a number of GB above 0)`]);
    }
  });
});

describe('planTfjsBackends', () => {
  it('orders WebGPU → WebGL → WASM → CPU on a real GPU', () => {
    const plan = planTfjsBackends({ gpu: realGpu, webgl: { webgl2: true, renderer: 'ANGLE (NVIDIA H100)' }, wasm: true });
    expect(plan.order).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(plan.candidates.map((c) => c.backend)).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  });

  it('skips software GPUs (SwiftShader WebGPU and WebGL) with reasons', () => {
    const plan = planTfjsBackends({
      gpu: { hasNavigatorGpu: true, adapter: swiftshader },
      webgl: { webgl2: true, renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)' },
      wasm: true,
    });
    expect(plan.order).toEqual(['wasm', 'cpu']);
    expect(plan.candidates[0].reason).toContain('software fallback');
    expect(plan.candidates[1].reason).toContain('software');
  });

  it('ends with cpu when nothing else works, and a forced backend goes first', () => {
    const none = planTfjsBackends({ gpu: { hasNavigatorGpu: false, adapter: null }, webgl: { webgl2: false, renderer: '' }, wasm: false });
    expect(none.order).toEqual(['cpu']);
    const forced = planTfjsBackends(
      { gpu: { hasNavigatorGpu: true, adapter: swiftshader }, webgl: { webgl2: false, renderer: '' }, wasm: true },
      parseOverrides('?tfjs=webgpu'),
    );
    expect(forced.order).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(forced.candidates[0].reason).toMatch(/^forced by the URL/);
  });
});

describe('probes in Node', () => {
  it('report no GPU and choose WASM (Node has no navigator.gpu)', async () => {
    const c = await detectGenerationDevice('?device=nonsense');
    expect(c.device).toBe('wasm');
    expect(c.notes).toEqual(['ignored ?device=nonsense (expected webgpu or wasm)']);
  });

  it('httpFileExists treats HTML answers (SPA fallback) and HTTP errors as missing, and no answer as an unreachable server', async () => {
    const answers: Record<string, Response> = {
      'http://h/models/a/config.json': new Response('{}', { headers: { 'content-type': 'application/json' } }),
      'http://h/models/a/tokenizer.json': new Response('<html>', { headers: { 'content-type': 'text/html' } }),
      'http://h/models/a/x.onnx': new Response('', { status: 404 }),
    };
    const fakeFetch = (async (url: string) => {
      const r = answers[url];
      if (!r) throw new TypeError('network down');
      return r;
    }) as unknown as typeof fetch;
    const exists = httpFileExists(`${localModelBaseUrl('http://h/')}a/`, fakeFetch);
    expect(await exists('config.json')).toBe(true);
    expect(await exists('tokenizer.json')).toBe(false);
    expect(await exists('x.onnx')).toBe(false);
    await expect(exists('other')).rejects.toThrow(/the page's server did not answer \(network down\)/);
    // The bundled model with the server down: said as such, not "damaged or incomplete… missing files".
    const r = await resolveModel('karpathy/stories260K', { localModelBase: 'http://h/models/', fileExists: httpFileExists('http://h/models/x/', fakeFetch), allowNetwork: false });
    expect(r.kind).toBe('unavailable');
    expect(r.kind === 'unavailable' && r.reason).toMatch(/server did not answer/);
    expect(r.kind === 'unavailable' && r.reason).not.toMatch(/damaged|missing/);
  });
});
