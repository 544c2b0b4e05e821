// Does a model file exist under the app's own origin? Used by resolveModel() in the page and the worker.
// A single-page-app server answers unknown paths with index.html (200), so an HTML answer counts as missing.

export function httpFileExists(baseUrl: string, fetchFn: typeof fetch = fetch): (relPath: string) => Promise<boolean> {
  return async (relPath) => {
    try {
      const res = await fetchFn(new URL(relPath, baseUrl).href, { method: 'HEAD', cache: 'no-store' });
      if (!res.ok) return false;
      const type = res.headers.get('content-type') ?? '';
      return !type.includes('text/html');
    } catch {
      return false;
    }
  };
}

/** Base URL of the local model folder: `<app base>models/`, e.g. http://127.0.0.1:4173/models/. */
export function localModelBaseUrl(appBaseUrl: string): string {
  return new URL('models/', appBaseUrl).href;
}
