// A small client for the OpenAI-compatible HTTP API (vLLM, llama.cpp's server, llama-cpp-python, Ollama, TGI):
// GET /models, POST /completions and /chat/completions, non-streaming. It never talks to any origin but the one it was
// created for, watches for stalled responses, and turns every way a server can misbehave into a RemoteError with a
// message that names the host and what was wrong. Runs in the generation worker and in Node (global fetch). The page's
// Content-Security-Policy keeps connect-src 'self' for the document; a same-origin worker is not governed by that
// <meta> policy, so this client's origin check is the allow-list: it is created only with the API root the user
// confirmed in the page, and refuses any URL outside that origin.
import type { ChatMessage } from '../tasks/types.ts';
import { RemoteError } from './errors.ts';
import { parseServerUrl } from './server-url.ts';

export interface ServerConnection {
  /** API root, e.g. http://127.0.0.1:8000/v1 (see parseServerUrl). */
  apiBase: string;
  model: string;
  /** Sent as "Authorization: Bearer …" when set; never stored by this module. */
  apiKey?: string;
}

export interface ClientTimeouts {
  /** Longest wait for the response headers (a non-streaming completion arrives whole, so this covers generation). */
  responseTimeoutMs: number;
  /** Longest pause inside a response body once it has started. */
  stallTimeoutMs: number;
}

export const DEFAULT_TIMEOUTS: ClientTimeouts = { responseTimeoutMs: 240_000, stallTimeoutMs: 30_000 };

export interface CompletionChoice {
  text: string;
  /** 'stop' (stop string or end of text), 'length' (max_tokens), or whatever else the server says; null if absent. */
  finishReason: string | null;
}

export interface CompletionResult {
  choices: CompletionChoice[];
  /** usage.completion_tokens when the server reports it. */
  completionTokens: number | null;
}

export interface CompletionRequest {
  prompt: string;
  n: number;
  maxTokens: number;
  temperature: number;
  topP: number;
  topK?: number;
  seed?: number;
  stop?: string[];
}

export type { ChatMessage };

export type ChatRequest = Omit<CompletionRequest, 'prompt'> & { messages: ChatMessage[] };

type FetchLike = typeof fetch;

/** In a page or worker a refused CORS check looks exactly like a dead host, so the message mentions both. */
const IN_BROWSER = typeof (globalThis as any).document !== 'undefined' || typeof (globalThis as any).WorkerGlobalScope !== 'undefined';

function firstLine(text: string, max = 160): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** The `error.message` (OpenAI style) or `detail`/`message` of an error body, if it has one. */
function serverMessage(body: string): string | null {
  try {
    const j = JSON.parse(body) as any;
    const m = j?.error?.message ?? j?.message ?? j?.detail ?? (typeof j?.error === 'string' ? j.error : null);
    if (typeof m === 'string') return firstLine(m);
    if (m != null) return firstLine(JSON.stringify(m));
  } catch {
    /* not JSON */
  }
  return null;
}

function retryAfter(headers: Headers): number | undefined {
  const v = headers.get('retry-after');
  if (!v) return undefined;
  const s = Number(v);
  if (Number.isFinite(s) && s >= 0) return s;
  const date = Date.parse(v);
  return Number.isFinite(date) ? Math.max(0, (date - Date.now()) / 1000) : undefined;
}

function looksLikeHtml(contentType: string, body: string): boolean {
  return /text\/html/i.test(contentType) || /^\s*<(!doctype|html|head|body)/i.test(body);
}

/** Node's fetch wraps the socket error in `cause`; browsers give a bare TypeError. */
function networkCode(e: unknown): string | undefined {
  const cause = (e as { cause?: { code?: string; cause?: { code?: string } } })?.cause;
  return cause?.code ?? cause?.cause?.code;
}

export class OpenAiClient {
  readonly host: string;
  private readonly origin: string;

  constructor(
    readonly connection: ServerConnection,
    private readonly timeouts: ClientTimeouts = DEFAULT_TIMEOUTS,
    private readonly fetchImpl: FetchLike = (...a) => fetch(...a),
  ) {
    const parsed = parseServerUrl(connection.apiBase);
    if (!parsed.ok) throw new RemoteError('bad-url', parsed.error);
    if (parsed.apiBase !== connection.apiBase.replace(/\/+$/, '')) {
      throw new RemoteError('bad-url', `Internal: the API base ${connection.apiBase} is not normalised.`);
    }
    this.host = parsed.host;
    this.origin = parsed.origin;
  }

  private fail(kind: ConstructorParameters<typeof RemoteError>[0], what: string, extra?: { status?: number; retryAfterSec?: number }): RemoteError {
    return new RemoteError(kind, `Server ${this.host}: ${what}`, extra);
  }

  /** Lists the served model ids (GET /models). */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    const j = await this.requestJson('GET', '/models', undefined, signal);
    const data = (j as any)?.data;
    if (!Array.isArray(data)) {
      throw this.fail('not-openai', 'GET /models did not return an OpenAI model list ({"data": [...]}); is this an OpenAI-compatible server?');
    }
    return data.map((m: any) => (typeof m?.id === 'string' ? m.id : null)).filter((x: string | null): x is string => x !== null);
  }

  /**
   * Checks that the server answers as an OpenAI-compatible API, accepts the key and serves the model.
   * Returns the model list. Servers without GET /models (404) are accepted if a one-token completion works.
   */
  async checkServer(signal?: AbortSignal): Promise<string[]> {
    let models: string[];
    try {
      models = await this.listModels(signal);
    } catch (e) {
      if (e instanceof RemoteError && e.kind === 'not-openai' && e.status === 404) {
        await this.complete({ prompt: 'Hello', n: 1, maxTokens: 1, temperature: 0, topP: 1 }, signal);
        return [];
      }
      throw e;
    }
    if (!models.includes(this.connection.model)) {
      throw this.fail(
        'unknown-model',
        `does not serve a model named "${this.connection.model}"; it serves ${models.length ? models.map((m) => `"${m}"`).join(', ') : 'no models'}.`,
      );
    }
    return models;
  }

  async complete(req: CompletionRequest, signal?: AbortSignal): Promise<CompletionResult> {
    const body = { model: this.connection.model, prompt: req.prompt, ...this.samplingBody(req) };
    const j = await this.requestJson('POST', '/completions', body, signal);
    return this.readChoices(j, '/completions', (c) => c?.text);
  }

  async chat(req: ChatRequest, signal?: AbortSignal): Promise<CompletionResult> {
    const body = { model: this.connection.model, messages: req.messages, ...this.samplingBody(req) };
    const j = await this.requestJson('POST', '/chat/completions', body, signal);
    return this.readChoices(j, '/chat/completions', (c) => c?.message?.content);
  }

  private samplingBody(req: Omit<CompletionRequest, 'prompt'>): Record<string, unknown> {
    const b: Record<string, unknown> = { n: req.n, max_tokens: req.maxTokens, temperature: req.temperature, top_p: req.topP, stream: false };
    if (req.topK && req.topK > 0) b.top_k = req.topK;
    if (req.seed !== undefined) b.seed = req.seed;
    if (req.stop && req.stop.length > 0) b.stop = req.stop;
    return b;
  }

  private readChoices(j: unknown, path: string, textOf: (choice: any) => unknown): CompletionResult {
    const choices = (j as any)?.choices;
    if (!Array.isArray(choices)) throw this.fail('not-openai', `${path} answered JSON without a "choices" list; is this an OpenAI-compatible server?`);
    if (choices.length === 0) throw this.fail('empty', `${path} answered with an empty choice list (no text was generated).`);
    const out: CompletionChoice[] = choices.map((c: any, i: number) => {
      const text = textOf(c);
      if (typeof text !== 'string') throw this.fail('not-openai', `${path} answered a choice without text (choice ${i}); is this an OpenAI-compatible server?`);
      return { text, finishReason: typeof c?.finish_reason === 'string' ? c.finish_reason : null };
    });
    const tokens = (j as any)?.usage?.completion_tokens;
    return { choices: out, completionTokens: typeof tokens === 'number' && Number.isFinite(tokens) ? tokens : null };
  }

  /** One HTTP exchange with timeouts and error mapping; resolves to the parsed JSON body of a 2xx answer. */
  async requestJson(method: 'GET' | 'POST', path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const url = `${this.connection.apiBase}${path}`;
    if (new URL(url).origin !== this.origin) throw this.fail('bad-url', `refusing to send a request outside ${this.origin}.`);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.connection.apiKey) headers.Authorization = `Bearer ${this.connection.apiKey}`;

    const ctrl = new AbortController();
    let timedOut: 'response' | 'stall' | null = null;
    const onOuterAbort = () => ctrl.abort(signal?.reason);
    if (signal?.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
    signal?.addEventListener('abort', onOuterAbort, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(() => {
      timedOut = 'response';
      ctrl.abort();
    }, this.timeouts.responseTimeoutMs);
    const armStall = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = 'stall';
        ctrl.abort();
      }, this.timeouts.stallTimeoutMs);
    };
    const outerAborted = () => signal?.aborted === true && timedOut === null;

    try {
      let res: Response;
      try {
        res = await this.fetchImpl(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: ctrl.signal,
          credentials: 'omit',
          redirect: 'error',
          cache: 'no-store',
        });
      } catch (e) {
        if (outerAborted()) throw signal!.reason ?? e;
        if (timedOut) {
          throw this.fail('timeout', `no answer within ${Math.round(this.timeouts.responseTimeoutMs / 1000)} s (${method} ${path}); the server may be overloaded or stuck.`);
        }
        const code = networkCode(e);
        if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE') {
          throw this.fail('closed', `closed the connection before answering (${method} ${path}).`);
        }
        throw this.fail(
          'unreachable',
          `does not answer at ${this.origin}${code ? ` (${code})` : ''}. Check that the server is running and the URL is right` +
            (IN_BROWSER ? ", and that it allows this page's origin (CORS, see the README)." : '.'),
        );
      }

      // Read the body ourselves so a response that stops half-way is noticed (stall timer reset on every chunk).
      armStall();
      let text = '';
      try {
        if (res.body) {
          const reader = res.body.getReader();
          const decoder = new TextDecoder();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            text += decoder.decode(value, { stream: true });
            armStall();
          }
          text += decoder.decode();
        } else {
          text = await res.text();
        }
      } catch (e) {
        if (outerAborted()) throw signal!.reason ?? e;
        if (timedOut === 'stall') {
          throw this.fail('stalled', `stopped sending its answer for ${Math.round(this.timeouts.stallTimeoutMs / 1000)} s (${method} ${path}, stalled response).`);
        }
        throw this.fail('closed', `closed the connection in the middle of its answer (${method} ${path}).`);
      }
      return this.interpret(res, text, method, path);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  private interpret(res: Response, text: string, method: string, path: string): unknown {
    const status = res.status;
    const ctype = res.headers.get('content-type') ?? '';
    const what = `${method} ${path}`;
    const msg = serverMessage(text);
    if (status === 401 || status === 403) {
      throw this.fail(
        'auth',
        this.connection.apiKey
          ? `refused the API key (HTTP ${status}${msg ? `: ${msg}` : ''}).`
          : `needs an API key (HTTP ${status}${msg ? `: ${msg}` : ''}).`,
        { status },
      );
    }
    if (status === 429 || status === 503) {
      throw this.fail('busy', `is busy (HTTP ${status}${msg ? `: ${msg}` : ''}).`, { status, retryAfterSec: retryAfter(res.headers) });
    }
    if (status >= 500) {
      const detail = looksLikeHtml(ctype, text) ? 'an HTML error page' : msg ? msg : firstLine(text) || 'no details';
      throw this.fail('server-error', `failed with HTTP ${status} on ${what} (${detail}).`, { status });
    }
    if (status === 404) {
      if (msg && /model/i.test(msg)) throw this.fail('unknown-model', `does not know model "${this.connection.model}" (HTTP 404: ${msg}).`, { status });
      throw this.fail('not-openai', `has no ${what} endpoint (HTTP 404); is ${this.connection.apiBase} the root of an OpenAI-compatible API (usually ending in /v1)?`, { status });
    }
    if (status >= 400) {
      if (msg && /model/i.test(msg) && /(not|unknown|exist|found|invalid)/i.test(msg)) {
        throw this.fail('unknown-model', `does not accept model "${this.connection.model}" (HTTP ${status}: ${msg}).`, { status });
      }
      const detail = looksLikeHtml(ctype, text) ? 'an HTML page' : msg ?? (firstLine(text) || 'no details');
      throw this.fail('rejected', `rejected ${what} (HTTP ${status}: ${detail}).`, { status });
    }
    if (looksLikeHtml(ctype, text)) {
      throw this.fail('not-openai', `answered ${what} with an HTML page instead of JSON (HTTP ${status}); is ${this.connection.apiBase} an OpenAI-compatible API?`, { status });
    }
    try {
      return JSON.parse(text);
    } catch {
      throw this.fail('malformed', `answered ${what} with malformed JSON (HTTP ${status}): ${JSON.stringify(firstLine(text, 80))}.`, { status });
    }
  }
}
