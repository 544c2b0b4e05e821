// Does a model file exist under the app's own origin? Used by resolveModel() in the page and the worker.
// A single-page-app server answers unknown paths with index.html (200), so an HTML answer counts as missing.
// With the server gone, a file the service worker precached (the bundled model) or a model pack imported into browser
// storage still exists: those are looked up in Cache Storage when the HEAD request does not succeed. A request that
// gets no answer at all for a file no cache holds throws ServerUnreachableError: that is not a missing or damaged
// file, and the user must be told which of the two happened.

export class ServerUnreachableError extends Error {
  override readonly name = 'ServerUnreachableError';
}

export function httpFileExists(baseUrl: string, fetchFn: typeof fetch = fetch): (relPath: string) => Promise<boolean> {
  return async (relPath) => {
    const url = new URL(relPath, baseUrl).href;
    let res: Response;
    try {
      res = await fetchFn(url, { method: 'HEAD', cache: 'no-store' });
    } catch (e) {
      // offline or server gone: a cached copy still counts; otherwise say that the server did not answer
      if (await cachedFileExists(url)) return true;
      throw new ServerUnreachableError(
        `the page's server did not answer (${e instanceof Error ? e.message : String(e)}). Is it still running? Start it again (npm start) and reload the page.`,
      );
    }
    if (res.ok) return !(res.headers.get('content-type') ?? '').includes('text/html');
    return cachedFileExists(url);
  };
}

/** Base URL of the local model folder: `<app base>models/`, e.g. http://127.0.0.1:4173/models/. */
export function localModelBaseUrl(appBaseUrl: string): string {
  return new URL('models/', appBaseUrl).href;
}

/** True when some Cache Storage cache (service-worker precache, imported model packs) holds `url`. */
export async function cachedFileExists(url: string): Promise<boolean> {
  const caches = (globalThis as { caches?: CacheStorage }).caches;
  if (!caches) return false;
  try {
    return (await caches.match(url, { ignoreSearch: true })) !== undefined;
  } catch {
    return false;
  }
}
