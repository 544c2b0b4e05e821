// Browser probes (page or worker) that feed the pure decisions in capabilities.ts.
// Uses only feature-detected globals, so importing it in Node is harmless (every probe then reports "absent").
import {
  chooseGenerationDevice,
  parseOverrides,
  planTfjsBackends,
  type DeviceChoice,
  type GpuProbe,
  type TfjsBackendPlan,
  type WebglProbe,
} from './capabilities.ts';

interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
}
interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}

const ADAPTER_TIMEOUT_MS = 5_000;

/** Ask for a WebGPU adapter and record what kind it is. Never throws. */
export async function probeGpu(): Promise<GpuProbe> {
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!gpu) return { hasNavigatorGpu: false, adapter: null };
  try {
    const adapter = await Promise.race([
      gpu.requestAdapter(),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), ADAPTER_TIMEOUT_MS)),
    ]);
    if (!adapter) return { hasNavigatorGpu: true, adapter: null };
    const info = adapter.info ?? {};
    return {
      hasNavigatorGpu: true,
      adapter: {
        // Chrome ≥ 136 moved isFallbackAdapter to adapter.info; older builds have it on the adapter.
        isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
        vendor: info.vendor ?? '',
        architecture: info.architecture ?? '',
        description: info.description ?? '',
      },
    };
  } catch (e) {
    return { hasNavigatorGpu: true, adapter: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/** WebGL2 availability and renderer string (OffscreenCanvas, so it also works inside a worker). */
export function probeWebgl(): WebglProbe {
  try {
    if (typeof OffscreenCanvas === 'undefined') return { webgl2: false, renderer: '' };
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (!gl) return { webgl2: false, renderer: '' };
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { webgl2: true, renderer };
  } catch {
    return { webgl2: false, renderer: '' };
  }
}

function currentSearch(): string {
  return (globalThis as { location?: { search?: string } }).location?.search ?? '';
}

/** Device memory in GB as the browser reports it (`navigator.deviceMemory`, Chromium only; rounded, at most 8). */
export function probeDeviceMemoryGB(): number | undefined {
  const gb = (globalThis as { navigator?: { deviceMemory?: unknown } }).navigator?.deviceMemory;
  return typeof gb === 'number' && Number.isFinite(gb) && gb > 0 ? gb : undefined;
}

/**
 * Device for generation, honouring `?device=` in `search` (defaults to the current page's query), and the device
 * memory (`?memory=` overrides what the browser reports) that decides between a model's fast and lean files.
 */
export async function detectGenerationDevice(
  search: string = currentSearch(),
): Promise<DeviceChoice & { notes: string[]; deviceMemoryGB?: number }> {
  const overrides = parseOverrides(search);
  const choice = chooseGenerationDevice(await probeGpu(), overrides);
  const deviceMemoryGB = overrides.memoryGB ?? probeDeviceMemoryGB();
  return { ...choice, notes: overrides.ignored, ...(deviceMemoryGB !== undefined ? { deviceMemoryGB } : {}) };
}

/** tfjs backend order for training, honouring `?tfjs=` in `search`. */
export async function detectTfjsBackends(search: string = currentSearch()): Promise<TfjsBackendPlan & { notes: string[] }> {
  const overrides = parseOverrides(search);
  const plan = planTfjsBackends({ gpu: await probeGpu(), webgl: probeWebgl(), wasm: typeof WebAssembly === 'object' }, overrides);
  return { ...plan, notes: overrides.ignored };
}
