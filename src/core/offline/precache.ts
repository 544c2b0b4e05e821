// What the service worker precaches, as explicit globs over dist/: the app shell (HTML, JS, CSS, icons, manifest),
// ONNX Runtime's and tfjs's wasm files, the bundled generator and the bundled test sets. Model packs a teacher drops
// into public/models/ (e.g. a 100+ MB SmolLM2 pack) are deliberately NOT matched: they are imported into browser
// storage through the model pack import instead of bloating every install. Shared by vite.config.ts and the tests.

export const BUNDLED_MODEL_DIR = 'models/karpathy/stories260K';

export const PRECACHE_GLOBS = [
  // manifest.webmanifest is added by vite-plugin-pwa itself.
  '*.html',
  'icons/*.{png,svg}',
  'assets/**/*.{js,mjs,css,wasm}',
  `${BUNDLED_MODEL_DIR}/*.json`,
  `${BUNDLED_MODEL_DIR}/onnx/model.onnx`,
  'eval/*.{jsonl,md}',
];

/** The ORT wasm file is ~27 MB; anything larger than this is a mistake worth failing the build for. */
export const MAX_PRECACHE_FILE_BYTES = 40 * 1024 * 1024;

/** Written next to the service worker: every precached file with its size, for the "Ready for offline?" panel. */
export const OFFLINE_FILES_JSON = 'offline-files.json';

export interface OfflineFile {
  url: string;
  bytes: number;
}
