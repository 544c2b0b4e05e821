// Serves a built Vite output on 127.0.0.1 with a random port (benchmarks and end-to-end tests drive it in Chromium).
import { preview, type InlineConfig, type PreviewServer } from 'vite';

export interface LoopbackPreview {
  server: PreviewServer;
  baseUrl: string; // http://127.0.0.1:<port>/
}

export async function startLoopbackPreview(config: Pick<InlineConfig, 'root' | 'configFile'>): Promise<LoopbackPreview> {
  const server = await preview({
    ...config,
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('Vite preview did not report a TCP address');
  return { server, baseUrl: `http://127.0.0.1:${address.port}/` };
}
