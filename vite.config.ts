// Vite config for the page: Svelte, workers as ES modules, the Content-Security-Policy (csp.config.ts), and a
// dev/preview server bound to loopback.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { contentSecurityPolicy } from './csp.config.ts';

export default defineConfig({
  plugins: [svelte(), contentSecurityPolicy()],
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@huggingface/transformers', 'onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});
