// The OpenAI-compatible client against a local fault server: every bad answer becomes a RemoteError of the right kind
// with a message naming the host, and bad URLs are refused before anything is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiClient } from '../../src/core/remote/client.ts';
import { RemoteError } from '../../src/core/remote/errors.ts';
import { parseServerUrl } from '../../src/core/remote/server-url.ts';
import { startFaultServer, type FaultMode, type FaultServer } from '../helpers/fault-server.ts';

const REQ = { prompt: 'The movie review in positive sentiment is: "', n: 2, maxTokens: 16, temperature: 1, topP: 0.9, seed: 3, stop: ['"'] };

describe('parseServerUrl', () => {
  it('normalises the usual spellings to the /v1 API root', () => {
    for (const u of ['http://127.0.0.1:8000', 'http://127.0.0.1:8000/', 'http://127.0.0.1:8000/v1', ' http://127.0.0.1:8000/v1/ ']) {
      expect(parseServerUrl(u)).toEqual({ ok: true, apiBase: 'http://127.0.0.1:8000/v1', origin: 'http://127.0.0.1:8000', host: '127.0.0.1:8000' });
    }
    expect(parseServerUrl('https://example.org/openai/v1')).toMatchObject({ ok: true, apiBase: 'https://example.org/openai/v1' });
  });
  it('refuses a URL without scheme, other schemes, credentials and garbage with a clear message', () => {
    expect(parseServerUrl('localhost:8000')).toEqual({ ok: false, error: expect.stringContaining('has no scheme: write http://localhost:8000') });
    expect(parseServerUrl('127.0.0.1:8000/v1')).toEqual({ ok: false, error: expect.stringContaining('no scheme') });
    expect(parseServerUrl('ftp://x.org')).toEqual({ ok: false, error: expect.stringContaining('only http:// and https://') });
    expect(parseServerUrl('http://user:pw@x.org')).toEqual({ ok: false, error: expect.stringContaining('API key in its own field') });
    expect(parseServerUrl('')).toEqual({ ok: false, error: expect.stringContaining('Enter the server URL') });
    expect(parseServerUrl('http://')).toEqual({ ok: false, error: expect.stringContaining('not a valid URL') });
  });
});

describe('OpenAiClient against a fault server', () => {
  let fs: FaultServer;
  const client = (extra: { model?: string; apiKey?: string; stallMs?: number; responseMs?: number } = {}) =>
    new OpenAiClient(
      { apiBase: fs.url, model: extra.model ?? fs.model, apiKey: extra.apiKey },
      { responseTimeoutMs: extra.responseMs ?? 5000, stallTimeoutMs: extra.stallMs ?? 300 },
    );
  beforeAll(async () => {
    fs = await startFaultServer();
  });
  afterAll(async () => fs.close());

  it('completes with n choices, sends the sampling parameters, and checks the served model', async () => {
    fs.set('ok');
    const res = await client().complete(REQ);
    expect(res.choices).toHaveLength(2);
    expect(res.choices[0]).toEqual({ text: expect.stringMatching(/^This is good sample number \d+\.$/), finishReason: 'stop' });
    expect(res.completionTokens).toBe(14);
    expect(fs.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v1/completions',
      body: { model: 'test-model', n: 2, max_tokens: 16, temperature: 1, top_p: 0.9, seed: 3, stop: ['"'], stream: false },
    });
    expect(await client().checkServer()).toEqual(['test-model']);
    const chat = await client().chat({ ...REQ, messages: [{ role: 'user', content: 'Write a positive review' }] });
    expect(chat.choices[0].text).toMatch(/good sample/);
  });

  const cases: [FaultMode, string, RegExp][] = [
    ['malformed', 'malformed', /malformed JSON/],
    ['html-200', 'not-openai', /HTML page instead of JSON/],
    ['html-502', 'server-error', /HTTP 502 .*HTML error page/],
    ['empty-choices', 'empty', /empty choice list/],
    ['no-choices', 'not-openai', /without a "choices" list/],
    ['unauthorized', 'auth', /needs an API key \(HTTP 401/],
    ['not-found', 'not-openai', /has no POST \/completions endpoint \(HTTP 404\)/],
    ['busy-503', 'busy', /busy \(HTTP 503/],
    ['busy-429', 'busy', /busy \(HTTP 429/],
    ['server-error', 'server-error', /HTTP 500 .*CUDA out of memory/],
    ['stall-body', 'stalled', /stopped sending its answer for 0 s/],
    ['no-headers', 'timeout', /no answer within/],
    ['close', 'closed', /closed the connection/],
    ['close-mid-body', 'closed', /closed the connection in the middle/],
  ];
  for (const [mode, kind, message] of cases) {
    it(`maps "${mode}" to a ${kind} error that names the host`, async () => {
      fs.set(mode, 1);
      const err = await client({ responseMs: 500 }).complete(REQ).catch((e) => e);
      expect(err).toBeInstanceOf(RemoteError);
      expect(err.kind).toBe(kind);
      expect(err.message).toMatch(message);
      expect(err.message).toContain(`Server 127.0.0.1:${new URL(fs.url).port}`);
    });
  }

  it('reports an unknown model, a refused key, a host that does not answer and a non-OpenAI server', async () => {
    fs.set('ok');
    const unknown = await client({ model: 'gpt-9' }).checkServer().catch((e) => e);
    expect(unknown).toMatchObject({ kind: 'unknown-model', message: expect.stringContaining('does not serve a model named "gpt-9"; it serves "test-model"') });
    const unknown2 = await client({ model: 'gpt-9' }).complete(REQ).catch((e) => e);
    expect(unknown2).toMatchObject({ kind: 'unknown-model', message: expect.stringContaining('does not know model "gpt-9"') });

    fs.apiKey = 'right';
    const refused = await client({ apiKey: 'wrong' }).checkServer().catch((e) => e);
    expect(refused).toMatchObject({ kind: 'auth', message: expect.stringContaining('refused the API key (HTTP 401: Invalid API key)') });
    expect(fs.requests.at(-1)?.auth).toBe('Bearer wrong');
    expect(await client({ apiKey: 'right' }).checkServer()).toEqual(['test-model']);
    fs.apiKey = undefined;

    const dead = await startFaultServer();
    const deadUrl = dead.url;
    await dead.close();
    const unreachable = await new OpenAiClient({ apiBase: deadUrl, model: 'x' }).checkServer().catch((e) => e);
    expect(unreachable).toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/does not answer at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/) });

    fs.set('html-200', 1);
    const html = await client().checkServer().catch((e) => e);
    expect(html).toMatchObject({ kind: 'not-openai' });
  });

  it('stops at once when aborted', async () => {
    const c = client();
    fs.set('no-headers', 1);
    const ctrl = new AbortController();
    const p = c.complete(REQ, ctrl.signal);
    setTimeout(() => ctrl.abort(new Error('user stop')), 50);
    await expect(p).rejects.toThrow('user stop');
  });
});
