// Does a model file exist under the app's own origin? Used by resolveModel() in the page and the worker.
// A single-page-app server answers unknown paths with index.html (200), so an HTML answer counts as missing.
// A request that gets no answer at all (server stopped, network down) throws ServerUnreachableError: that is not a
// missing or damaged file, and the user must be told which of the two happened.

export class ServerUnreachableError extends Error {
  override readonly name = 'ServerUnreachableError';
}

export function httpFileExists(baseUrl: string, fetchFn: typeof fetch = fetch): (relPath: string) => Promise<boolean> {
  return async (relPath) => {
    let res: Response;
    try {
      res = await fetchFn(new URL(relPath, baseUrl).href, { method: 'HEAD', cache: 'no-store' });
    } catch (e) {
      throw new ServerUnreachableError(
        `the page's server did not answer (${e instanceof Error ? e.message : String(e)}). Is it still running? Start it again (npm start) and reload the page.`,
      );
    }
    if (!res.ok) return false;
    const type = res.headers.get('content-type') ?? '';
    return !type.includes('text/html');
  };
}

/** Base URL of the local model folder: `<app base>models/`, e.g. http://127.0.0.1:4173/models/. */
export function localModelBaseUrl(appBaseUrl: string): string {
  return new URL('models/', appBaseUrl).href;
}
