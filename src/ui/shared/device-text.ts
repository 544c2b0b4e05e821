// Friendly device text: "WebAssembly (CPU) — no GPU found" instead of raw adapter strings; the technical reason stays
// available one click away (the views put it in a <details>).
export function deviceName(device: string): string {
  switch (device) {
    case 'webgpu':
      return 'GPU (WebGPU)';
    case 'wasm':
      return 'WebAssembly (CPU)';
    case 'webgl':
      return 'GPU (WebGL)';
    case 'cpu':
      return 'CPU (plain JavaScript)';
    case 'server':
      return 'a model server';
    default:
      return device;
  }
}

/** One short, plain sentence for why this device is used, from the technical reason. */
export function deviceWhy(device: string, reason: string): string {
  const r = reason.toLowerCase();
  if (r.includes('forced') || r.includes('?device=') || r.includes('?tfjs=')) return 'chosen in the page address';
  if (device === 'webgpu' || device === 'webgl') return 'a graphics card is available';
  if (r.includes('fallback') || r.includes('swiftshader') || r.includes('software')) return 'no real GPU found (only a software one)';
  if (r.includes('self-test')) return 'the GPU gave wrong results, so the CPU is used';
  if (r.includes('no adapter') || r.includes('no webgpu') || r.includes('not available') || r.includes('navigator.gpu') || r.includes('unsupported')) return 'no GPU found';
  return 'works everywhere';
}
