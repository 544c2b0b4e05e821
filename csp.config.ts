// The page's Content-Security-Policy, added to index.html as a <meta> tag by the Vite plugin below (dev and build).
// It allows only the page's own origin, plus what the page itself needs:
//   - 'wasm-unsafe-eval': ONNX Runtime Web's and TensorFlow.js's WebAssembly (compiled from same-origin .wasm files);
//   - blob: for workers and scripts: ORT/Emscripten may start helper workers from blob: URLs;
//   - 'unsafe-inline' for styles only: Svelte sets style attributes and injects component styles in dev.
// No inline or remote scripts, no plugins (object-src 'none'), no <base> hijacking, no form posts.
//
// Network access beyond the own origin (hub downloads after "Allow network", a user-confirmed remote
// OpenAI-compatible server): a <meta> CSP is fixed when the page loads and cannot be widened at run time. The page's
// connect-src therefore stays 'self'. Requests to a host the user confirmed are made from a same-origin module worker
// (the generation worker does the hub downloads today): a worker loaded from a same-origin URL does not inherit the
// document's <meta> policy, so its network access is governed by the code that runs there. HOOK for such a worker
// (issue 11, remote server): only fetch origins the user confirmed in the page (pass them in the worker's request and
// check every URL's origin against that list before fetching; never derive it from server or generated text).
// The trade-off: the page itself can never reach another origin (an injected script in the page could not exfiltrate
// data with fetch), while the workers rely on that explicit allow-list in code. A host that serves the app with a CSP
// *header* could add a per-worker policy too; a static host cannot, which is why this is a <meta> tag.
import type { Plugin } from 'vite';

export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'", 'blob:'],
  'worker-src': ["'self'", 'blob:'],
  'connect-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'none'"],
};

export function cspString(directives: Readonly<Record<string, readonly string[]>> = CSP_DIRECTIVES): string {
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** Vite plugin: puts the policy first in <head>, before any script. */
export function contentSecurityPolicy(): Plugin {
  return {
    name: 'sungen-lab-csp',
    transformIndexHtml: {
      order: 'pre',
      handler: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: cspString() }, injectTo: 'head-prepend' }],
    },
  };
}
