// Vite config for the page: Svelte, workers as ES modules, the Content-Security-Policy (csp.config.ts), a dev/preview
// server bound to loopback, and the service
// worker (vite-plugin-pwa / Workbox) that precaches everything the page needs so it keeps working with the server
// gone. The precache list is explicit (src/core/offline/precache.ts); the list of precached files and their sizes is
// also written to dist/offline-files.json for the page's "Ready for offline?" panel.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { contentSecurityPolicy } from './csp.config.ts';
import { MAX_PRECACHE_FILE_BYTES, OFFLINE_FILES_JSON, PRECACHE_GLOBS, type OfflineFile } from './src/core/offline/precache.ts';

const outDir = resolve(import.meta.dirname, 'dist');

export default defineConfig({
  plugins: [
    svelte(),
    contentSecurityPolicy(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      // The icons are matched by PRECACHE_GLOBS already.
      includeManifestIcons: false,
      manifest: {
        name: 'SunGen Lab',
        short_name: 'SunGen Lab',
        description: 'Build a text classifier from label names — fully offline, in the browser.',
        start_url: '.',
        scope: '.',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#1d3557',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        globPatterns: PRECACHE_GLOBS,
        maximumFileSizeToCacheInBytes: MAX_PRECACHE_FILE_BYTES,
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
        // A new version waits until the user presses "Reload" (nothing running is cut off); then it takes over.
        clientsClaim: true,
        manifestTransforms: [
          async (entries) => {
            const files: OfflineFile[] = entries.map((e) => ({ url: e.url, bytes: e.size }));
            const manifestFile = resolve(outDir, 'manifest.webmanifest');
            files.push({ url: 'manifest.webmanifest', bytes: existsSync(manifestFile) ? statSync(manifestFile).size : 0 });
            files.sort((a, b) => a.url.localeCompare(b.url));
            const json = JSON.stringify({ files }, null, 1);
            mkdirSync(outDir, { recursive: true });
            writeFileSync(resolve(outDir, OFFLINE_FILES_JSON), json);
            // The list itself is precached too, so the panel works offline.
            const revision = createHash('md5').update(json).digest('hex');
            return { manifest: [...entries, { url: OFFLINE_FILES_JSON, revision, size: json.length }], warnings: [] };
          },
        ],
      },
    }),
  ],
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@huggingface/transformers', 'onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000, outDir },
});
