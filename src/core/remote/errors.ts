// Typed errors for talking to an OpenAI-compatible server. Each kind maps to one clear message a person can act on,
// and says whether retrying later may help (the scheduler retries only those, with a limit and back-off).

export type RemoteErrorKind =
  | 'bad-url' // not a usable http(s) URL
  | 'unreachable' // no answer: refused, DNS, timeout before any response, or (in a page) blocked by CORS
  | 'closed' // the connection closed in the middle of a response
  | 'stalled' // the server stopped sending for too long
  | 'timeout' // no response headers within the response timeout
  | 'auth' // 401 / 403: key missing or refused
  | 'not-openai' // 404 on the API path, an HTML page, or JSON of another shape
  | 'unknown-model' // the server does not serve the requested model
  | 'busy' // 429 / 503: back off and retry
  | 'server-error' // other 5xx
  | 'rejected' // other 4xx: the server refused the request as given
  | 'malformed' // the body is not valid JSON
  | 'empty'; // a completion with an empty choice list

const RETRYABLE = new Set<RemoteErrorKind>(['unreachable', 'closed', 'stalled', 'timeout', 'busy', 'server-error']);

export class RemoteError extends Error {
  readonly kind: RemoteErrorKind;
  readonly status?: number;
  /** Seconds the server asked us to wait (Retry-After), if any. */
  readonly retryAfterSec?: number;

  constructor(kind: RemoteErrorKind, message: string, extra: { status?: number; retryAfterSec?: number } = {}) {
    super(message);
    this.name = 'RemoteError';
    this.kind = kind;
    this.status = extra.status;
    this.retryAfterSec = extra.retryAfterSec;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

export function isRemoteError(e: unknown): e is RemoteError {
  return e instanceof RemoteError;
}
