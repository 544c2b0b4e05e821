// The ONE place that decides which device runs generation (transformers.js) and which tfjs backends training tries.
// Pure decision functions (unit-tested) are kept apart from the browser probes (probe.ts) that feed them.
// Why probe ourselves: transformers.js reports WebGPU as available whenever `navigator.gpu` exists, but headless or
// GPU-less browsers return no adapter, or a software (SwiftShader) fallback adapter that is 10–40× slower than WASM.

export type GenerationDevice = 'webgpu' | 'wasm';
export type TfjsBackend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface GpuAdapterFacts {
  isFallbackAdapter: boolean;
  vendor: string;
  architecture: string;
  description: string;
}

export interface GpuProbe {
  /** `navigator.gpu` exists (says nothing about a usable adapter). */
  hasNavigatorGpu: boolean;
  /** null when requestAdapter() returned null or threw. */
  adapter: GpuAdapterFacts | null;
  /** Message of a requestAdapter() exception, if any. */
  error?: string;
}

export interface WebglProbe {
  webgl2: boolean;
  /** UNMASKED_RENDERER_WEBGL (or RENDERER) string, '' when unknown. */
  renderer: string;
}

export interface DeviceChoice {
  device: GenerationDevice;
  reason: string;
}

export interface BackendCandidate {
  backend: TfjsBackend;
  usable: boolean;
  reason: string;
}

export interface TfjsBackendPlan {
  /** Usable backends, best first; training tries them in this order. Always ends with 'cpu'. */
  order: TfjsBackend[];
  /** Every backend with why it is (not) used, in preference order WebGPU → WebGL → WASM → CPU. */
  candidates: BackendCandidate[];
}

export interface Overrides {
  device?: GenerationDevice;
  tfjs?: TfjsBackend;
  /** `?memory=N`: behave as if the browser reported N GB of device memory (chooses a model's lean file below 8). */
  memoryGB?: number;
  /** Messages about override parameters that were present but invalid. */
  ignored: string[];
}

const GENERATION_DEVICES: readonly GenerationDevice[] = ['webgpu', 'wasm'];
const TFJS_BACKENDS: readonly TfjsBackend[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render|microsoft basic/i;

/**
 * Read `?device=webgpu|wasm` (generation), `?tfjs=webgpu|webgl|wasm|cpu` (training) and `?memory=GB` (device memory
 * as the browser would report it) from a URL query string.
 */
export function parseOverrides(search: string): Overrides {
  const params = new URLSearchParams(search);
  const out: Overrides = { ignored: [] };
  const device = params.get('device');
  if (device !== null) {
    if ((GENERATION_DEVICES as readonly string[]).includes(device)) out.device = device as GenerationDevice;
    else out.ignored.push(`ignored ?device=${device} (expected ${GENERATION_DEVICES.join(' or ')})`);
  }
  const tfjs = params.get('tfjs');
  if (tfjs !== null) {
    if ((TFJS_BACKENDS as readonly string[]).includes(tfjs)) out.tfjs = tfjs as TfjsBackend;
    else out.ignored.push(`ignored ?tfjs=${tfjs} (expected one of ${TFJS_BACKENDS.join(', ')})`);
  }
  const memory = params.get('memory');
  if (memory !== null) {
    const gb = Number(memory);
    if (memory.trim() !== '' && Number.isFinite(gb) && gb > 0) out.memoryGB = gb;
    else out.ignored.push(`ignored ?memory=${memory} (expected a number of GB above 0)`);
  }
  return out;
}

/** Why the WebGPU adapter is not a real GPU, or null when it is one. */
export function softwareAdapterReason(adapter: GpuAdapterFacts): string | null {
  if (adapter.isFallbackAdapter) return 'the WebGPU adapter is a software fallback adapter';
  if (/swiftshader/i.test(adapter.architecture) || /swiftshader/i.test(adapter.description)) {
    return 'the WebGPU adapter is SwiftShader (CPU emulation)';
  }
  return null;
}

function describeAdapter(a: GpuAdapterFacts): string {
  return [a.vendor, a.architecture, a.description].filter((s) => s !== '').join(' ') || 'unnamed adapter';
}

/** Device for transformers.js generation: WebGPU only on a real (hardware) adapter, else WASM. */
export function chooseGenerationDevice(gpu: GpuProbe, overrides: Pick<Overrides, 'device'> = {}): DeviceChoice {
  if (overrides.device) {
    return { device: overrides.device, reason: `forced by the URL (?device=${overrides.device})` };
  }
  if (!gpu.hasNavigatorGpu) return { device: 'wasm', reason: 'this browser has no WebGPU (navigator.gpu is missing); using WASM' };
  if (!gpu.adapter) {
    const why = gpu.error ? `requesting a WebGPU adapter failed (${gpu.error})` : 'the browser offers no WebGPU adapter';
    return { device: 'wasm', reason: `${why}; using WASM` };
  }
  const software = softwareAdapterReason(gpu.adapter);
  if (software) return { device: 'wasm', reason: `${software}, which is much slower than WASM; using WASM` };
  return { device: 'webgpu', reason: `hardware WebGPU adapter found (${describeAdapter(gpu.adapter)})` };
}

/** tfjs backends in order WebGPU → WebGL → WASM → CPU, skipping software-emulated GPUs and missing features. */
export function planTfjsBackends(
  facts: { gpu: GpuProbe; webgl: WebglProbe; wasm: boolean },
  overrides: Pick<Overrides, 'tfjs'> = {},
): TfjsBackendPlan {
  const candidates: BackendCandidate[] = [];
  const { gpu, webgl } = facts;

  if (!gpu.adapter) {
    candidates.push({ backend: 'webgpu', usable: false, reason: gpu.hasNavigatorGpu ? 'no WebGPU adapter' : 'no WebGPU in this browser' });
  } else {
    const software = softwareAdapterReason(gpu.adapter);
    candidates.push(
      software
        ? { backend: 'webgpu', usable: false, reason: `${software} (10–40× slower than WASM for training)` }
        : { backend: 'webgpu', usable: true, reason: `hardware WebGPU adapter (${describeAdapter(gpu.adapter)})` },
    );
  }

  if (!webgl.webgl2) candidates.push({ backend: 'webgl', usable: false, reason: 'no WebGL2 context' });
  else if (SOFTWARE_RENDERER.test(webgl.renderer)) {
    candidates.push({ backend: 'webgl', usable: false, reason: `WebGL renders in software (${webgl.renderer}); slower than WASM` });
  } else {
    candidates.push({ backend: 'webgl', usable: true, reason: `WebGL2 on ${webgl.renderer || 'an unnamed GPU'}` });
  }

  candidates.push(
    facts.wasm
      ? { backend: 'wasm', usable: true, reason: 'WebAssembly available (fast on CPU)' }
      : { backend: 'wasm', usable: false, reason: 'WebAssembly is not available' },
  );
  candidates.push({ backend: 'cpu', usable: true, reason: 'plain JavaScript, always available (slowest)' });

  let order = candidates.filter((c) => c.usable).map((c) => c.backend);
  if (overrides.tfjs) {
    const forced = overrides.tfjs;
    const c = candidates.find((x) => x.backend === forced);
    if (c) {
      c.usable = true;
      c.reason = `forced by the URL (?tfjs=${forced}); ${c.reason}`;
    }
    order = [forced, ...order.filter((b) => b !== forced)];
  }
  return { order, candidates };
}
