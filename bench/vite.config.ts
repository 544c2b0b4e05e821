// Vite config for the browser generation bench only (bench/generate.html → .bench/generate-dist/), kept apart from the
// page's vite.config.ts so the bench entry never ships. Models come from the app's public/ folder.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const benchDir = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: benchDir,
  base: './',
  publicDir: fileURLToPath(new URL('../public', import.meta.url)),
  logLevel: 'warn',
  preview: { host: '127.0.0.1' },
  optimizeDeps: { exclude: ['@huggingface/transformers', 'onnxruntime-web'] },
  build: {
    target: 'es2022',
    outDir: fileURLToPath(new URL('../.bench/generate-dist', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    rollupOptions: { input: fileURLToPath(new URL('generate.html', import.meta.url)) },
  },
});
