// A small local HTTP server that speaks just enough of the OpenAI-compatible API to drive the remote generator, and
// can be switched to answer each way a real server misbehaves (bad JSON, HTML error pages, empty choices, 401,
// 429/503 with Retry-After, stalled or closed responses, unknown model). Used by the unit and e2e fault tests; the
// happy path is tested against a real llama-cpp-python server (tests/helpers/llama-server.ts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultMode =
  | 'ok'
  | 'ok-one-choice'
  | 'ok-html-text'
  | 'malformed'
  | 'html-200'
  | 'html-502'
  | 'empty-choices'
  | 'no-choices'
  | 'unauthorized'
  | 'not-found'
  | 'busy-503'
  | 'busy-429'
  | 'server-error'
  | 'stall-body'
  | 'no-headers'
  | 'close'
  | 'close-mid-body';

export interface FaultServer {
  url: string; // http://127.0.0.1:PORT/v1
  origin: string;
  /** Mode for the next requests; `times` limits it to that many requests, then back to 'ok'. */
  set(mode: FaultMode, times?: number): void;
  /** Switch to `mode` once `posts` more POST requests have been answered (e.g. to fail a run half-way). */
  switchAfter(posts: number, mode: FaultMode): void;
  /** Every request seen: method, path, parsed JSON body, Authorization header. */
  requests: { method: string; path: string; body: any; auth?: string }[];
  /** Requires this Bearer key when set. */
  apiKey?: string;
  model: string;
  /** Delay before each completion answer (to catch a run mid-way). */
  delayMs: number;
  close(): Promise<void>;
}

export async function startFaultServer(opts: { model?: string; apiKey?: string; cors?: boolean } = {}): Promise<FaultServer> {
  let mode: FaultMode = 'ok';
  let remaining = Infinity;
  let counter = 0;
  let pendingSwitch: { posts: number; mode: FaultMode } | null = null;
  const sockets = new Set<import('node:net').Socket>();
  const fs: FaultServer = {
    url: '',
    origin: '',
    requests: [],
    apiKey: opts.apiKey,
    model: opts.model ?? 'test-model',
    delayMs: 0,
    set(m, times) {
      mode = m;
      remaining = times ?? Infinity;
      pendingSwitch = null;
    },
    switchAfter(posts, m) {
      pendingSwitch = { posts, mode: m };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const cors = (res: http.ServerResponse) => {
    if (opts.cors !== false) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    }
  };
  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    cors(res);
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const html = (res: http.ServerResponse, status: number) => {
    cors(res);
    res.writeHead(status, { 'Content-Type': 'text/html' });
    res.end(`<!DOCTYPE html><html><body><h1>${status} Bad Gateway</h1><p>nginx</p></body></html>`);
  };

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const path = (req.url ?? '').replace(/\?.*/, '');
      if (req.method === 'OPTIONS') {
        cors(res);
        res.writeHead(204);
        return res.end();
      }
      let body: any = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        body = raw;
      }
      fs.requests.push({ method: req.method ?? '', path, body, auth: req.headers.authorization });
      if (pendingSwitch && req.method === 'POST' && pendingSwitch.posts-- <= 0) {
        mode = pendingSwitch.mode;
        remaining = Infinity;
        pendingSwitch = null;
      }
      const m = mode;
      if (remaining !== Infinity && --remaining <= 0) {
        mode = 'ok';
        remaining = Infinity;
      }
      if (fs.apiKey && req.headers.authorization !== `Bearer ${fs.apiKey}`) {
        return json(res, 401, { error: { message: 'Invalid API key', type: 'invalid_request_error' } });
      }
      switch (m) {
        case 'malformed':
          cors(res);
          res.writeHead(200, { 'Content-Type': 'application/json' });
          return res.end('{"choices": [{"text": "unterminated');
        case 'html-200':
          return html(res, 200);
        case 'html-502':
          return html(res, 502);
        case 'empty-choices':
          return json(res, 200, { object: 'text_completion', choices: [] });
        case 'no-choices':
          return json(res, 200, { hello: 'world' });
        case 'unauthorized':
          return json(res, 401, { error: { message: 'Incorrect API key provided' } });
        case 'not-found':
          return json(res, 404, { detail: 'Not Found' });
        case 'busy-503':
          return json(res, 503, { error: { message: 'overloaded' } }, { 'Retry-After': '0' });
        case 'busy-429':
          return json(res, 429, { error: { message: 'rate limit' } }, { 'Retry-After': '0' });
        case 'server-error':
          return json(res, 500, { error: { message: 'CUDA out of memory' } });
        case 'stall-body':
          cors(res);
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.write('{"choices": [');
          return; // never finishes
        case 'no-headers':
          return; // never answers
        case 'close':
          return req.socket.destroy();
        case 'close-mid-body':
          cors(res);
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '500' });
          res.write('{"choices": [');
          setTimeout(() => req.socket.destroy(), 20);
          return;
      }
      // ok (ok-one-choice ignores n like llama-cpp-python; ok-html-text writes markup a page must show as text)
      if (path === '/v1/models' && req.method === 'GET') {
        return json(res, 200, { object: 'list', data: [{ id: fs.model, object: 'model', owned_by: 'me' }] });
      }
      if ((path === '/v1/completions' || path === '/v1/chat/completions') && req.method === 'POST') {
        if (body?.model !== fs.model) return json(res, 404, { error: { message: `The model \`${body?.model}\` does not exist.` } });
        const n = m === 'ok-one-choice' ? 1 : Number(body.n ?? 1);
        const prompt = path === '/v1/completions' ? String(body.prompt) : JSON.stringify(body.messages);
        const word = /negative|sad/.test(prompt) ? 'bad' : /positive|happy/.test(prompt) ? 'good' : 'plain';
        const choices = Array.from({ length: n }, (_, i) => {
          const text =
            m === 'ok-html-text'
              ? `<img src=x onerror=window.__pwned=1> <b>${word}</b> sample number ${++counter}.`
              : `This is ${word} sample number ${++counter}.`;
          return path === '/v1/completions'
            ? { index: i, text, finish_reason: 'stop' }
            : { index: i, message: { role: 'assistant', content: text }, finish_reason: 'stop' };
        });
        const answer = () => json(res, 200, { object: 'text_completion', choices, usage: { completion_tokens: 7 * n, prompt_tokens: 10 } });
        if (fs.delayMs > 0) return void setTimeout(answer, fs.delayMs);
        return answer();
      }
      return json(res, 404, { detail: 'Not Found' });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  fs.origin = `http://127.0.0.1:${port}`;
  fs.url = `${fs.origin}/v1`;
  return fs;
}
