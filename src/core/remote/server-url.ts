// Turns what a person typed as "server URL" into the API root of an OpenAI-compatible server, or a clear message.
// Accepts "http://host:8000", "http://host:8000/" and "http://host:8000/v1" (all → http://host:8000/v1); a URL with
// another path (a proxy such as https://example.org/openai/v1) is used as given.

export type ParsedServerUrl = { ok: true; apiBase: string; origin: string; host: string } | { ok: false; error: string };

export function parseServerUrl(input: string): ParsedServerUrl {
  const raw = (input ?? '').trim();
  if (raw === '') return { ok: false, error: 'Enter the server URL, e.g. http://127.0.0.1:8000/v1.' };
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    return {
      ok: false,
      error: `"${raw}" has no scheme: write http://${raw.replace(/^\/+/, '')} (or https://…) so it is clear how to connect.`,
    };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, error: `"${raw}" is not a valid URL.` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, error: `"${raw}" uses ${url.protocol.replace(':', '')}://; only http:// and https:// servers are supported.` };
  }
  if (url.username || url.password) {
    return { ok: false, error: 'Do not put a user name or password in the URL; enter the API key in its own field.' };
  }
  if (url.search || url.hash) return { ok: false, error: `"${raw}" has a query or fragment; give only the server's address.` };
  let path = url.pathname.replace(/\/+$/, '');
  if (path === '') path = '/v1';
  return { ok: true, apiBase: `${url.origin}${path}`, origin: url.origin, host: url.host };
}
