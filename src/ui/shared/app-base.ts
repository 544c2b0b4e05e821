// The page's own base URL (where bundled models, test sets and workers are served from), for code that builds
// same-origin URLs. One place so every step resolves paths the same way.
export function appBaseUrl(): string {
  return new URL(import.meta.env.BASE_URL, document.baseURI).href;
}
