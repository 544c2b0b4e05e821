// The remote generator's scheduler against the local fault server: exact per-label targets with many requests in
// flight, every accepted sample handed over once and in order, retries with back-off on 429/503/closed connections,
// a clear stop on fatal answers with nothing already handed over lost, interrupt and resume.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiClient } from '../../src/core/remote/client.ts';
import { RemoteError } from '../../src/core/remote/errors.ts';
import { generateSamplesRemote, type RemoteGenerateOptions } from '../../src/core/remote/remote-generator.ts';
import type { GeneratedSample } from '../../src/core/generation/types.ts';
import { DEFAULT_SAMPLING } from '../../src/core/tasks/validate.ts';
import type { TaskSpec } from '../../src/core/tasks/types.ts';
import { findTaskPreset } from '../../src/core/tasks/presets.ts';
import { chatMessages, continuationPrompt, drawLevers } from '../../src/core/generation/prompt.ts';
import { mixSeed } from '../../src/core/generation/prng.ts';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.ts';

const TASK: TaskSpec = {
  id: 'sentiment',
  name: 'Sentiment',
  labels: [
    { name: 'positive', prompt: 'The movie review in positive sentiment is: "' },
    { name: 'negative', prompt: 'The movie review in negative sentiment is: "' },
  ],
};

describe('generateSamplesRemote', () => {
  let fs: FaultServer;
  let client: OpenAiClient;
  beforeAll(async () => {
    fs = await startFaultServer();
    client = new OpenAiClient({ apiBase: fs.url, model: fs.model }, { responseTimeoutMs: 2000, stallTimeoutMs: 300 });
  });
  afterAll(async () => fs.close());

  const run = (over: Partial<RemoteGenerateOptions> = {}) => {
    const stored: GeneratedSample[] = [];
    const p = generateSamplesRemote(client, {
      task: TASK,
      perLabel: 10,
      sampling: { ...DEFAULT_SAMPLING, seed: 7 },
      remote: { concurrency: 4, samplesPerRequest: 3, maxRetries: 3 },
      backoffMs: 5,
      onSamples: async (batch) => {
        await new Promise((r) => setTimeout(r, 2)); // a slow store must not reorder or lose batches
        stored.push(...batch);
      },
      ...over,
    });
    return { p, stored };
  };

  it('reaches exactly the target per label with requests in flight, n per request and the ZeroGen prompt', async () => {
    fs.set('ok');
    fs.requests.length = 0;
    let maxInFlight = 0;
    const { p, stored } = run({ onProgress: (pr) => (maxInFlight = Math.max(maxInFlight, pr.server.inFlight)) });
    const res = await p;
    expect(res.stopReason).toBe('done');
    expect(res.acceptedByLabel).toEqual({ positive: 10, negative: 10 });
    expect(stored).toHaveLength(20);
    expect(new Set(stored.map((s) => s.text)).size).toBe(20);
    for (const s of stored) expect(s.text).toMatch(s.label === 'positive' ? /good/ : /bad/);
    expect(maxInFlight).toBe(4);
    const posts = fs.requests.filter((r) => r.method === 'POST');
    expect(res.server.requests).toBe(posts.length);
    expect(res.generatedTokens).toBe(7 * posts.reduce((a, r) => a + r.body.n, 0)); // usage.completion_tokens summed
    expect(posts.every((r) => r.path === '/v1/completions' && r.body.n <= 3 && r.body.max_tokens === DEFAULT_SAMPLING.maxNewTokens)).toBe(true);
    expect(posts.every((r) => JSON.stringify(r.body.stop) === '["\\"","\\n"]' && r.body.top_p === 0.9 && Number.isInteger(r.body.seed))).toBe(true);
    expect(new Set(posts.map((r) => r.body.seed)).size).toBe(posts.length);
    expect(posts[0].body.prompt).toBe(TASK.labels[0].prompt);
  });

  it('asks for fewer samples per request when the server ignores n', async () => {
    fs.set('ok-one-choice');
    fs.requests.length = 0;
    const notices: string[] = [];
    const { p, stored } = run({ onProgress: (pr) => pr.server.notice && notices.push(pr.server.notice) });
    expect((await p).stopReason).toBe('done');
    expect(stored).toHaveLength(20);
    expect(notices.some((x) => /it ignores n, so each request now asks for 1/.test(x))).toBe(true);
    const ns = fs.requests.filter((r) => r.method === 'POST').map((r) => r.body.n);
    expect(ns.slice(8).every((n) => n === 1)).toBe(true);
    fs.set('ok');
  });

  it('uses /v1/chat/completions with chat messages for instruct models', async () => {
    fs.set('ok');
    fs.requests.length = 0;
    const task: TaskSpec = {
      ...TASK,
      promptStyle: 'chat',
      labels: TASK.labels.map((l) => ({ ...l, instruction: `Write a ${l.name} movie review.` })),
    };
    const { p, stored } = run({ task, remote: { concurrency: 2, samplesPerRequest: 5, maxRetries: 0 }, perLabel: 5 });
    expect((await p).stopReason).toBe('done');
    expect(stored).toHaveLength(10);
    const posts = fs.requests.filter((r) => r.method === 'POST');
    expect(posts.every((r) => r.path === '/v1/chat/completions' && Array.isArray(r.body.messages) && r.body.stop === undefined)).toBe(true);
    expect(posts[0].body.messages).toEqual(chatMessages(task, 'positive'));
    expect(posts[0].body.messages.at(-1)).toEqual({ role: 'user', content: 'Write a positive movie review.' });
  });

  it('carries the diversity and few-shot levers in both prompt styles (the same draw as the in-page generator)', async () => {
    const levered: TaskSpec = {
      ...TASK,
      labels: TASK.labels.map((l) => ({ ...l, instruction: `Write a ${l.name} movie review.` })),
      topics: ['the acting', 'the plot', 'the music'],
      topicTemplate: 'Focus on {topic}.',
      examples: [
        { text: 'loved it', label: 'positive' }, { text: 'a gem', label: 'positive' },
        { text: 'hated it', label: 'negative' }, { text: 'a mess', label: 'negative' },
      ],
      shots: 1,
    };
    const runSeed = mixSeed(7, 0);
    for (const style of ['chat', 'continuation'] as const) {
      fs.set('ok');
      fs.requests.length = 0;
      const task = { ...levered, promptStyle: style };
      const { p } = run({ task, remote: { concurrency: 1, samplesPerRequest: 2, maxRetries: 0 }, perLabel: 6 });
      expect((await p).stopReason).toBe('done');
      const posts = fs.requests.filter((r) => r.method === 'POST');
      const seq = new Map<string, number>();
      for (const post of posts) {
        const last = style === 'chat' ? post.body.messages.at(-1).content : (post.body.prompt as string);
        const label = last.includes('positive') ? 'positive' : 'negative';
        const n = seq.get(label) ?? 0;
        seq.set(label, n + 1);
        const vars = drawLevers(task, label, runSeed, n);
        if (style === 'chat') expect(post.body.messages).toEqual(chatMessages(task, label, vars));
        else expect(post.body.prompt).toBe(continuationPrompt(task, label, vars));
        const text = JSON.stringify(post.body);
        expect(text).toContain(`Focus on ${vars.topic}.`);
        for (const other of task.examples!.filter((e) => e.label !== label)) expect(text).not.toContain(other.text);
      }
    }
  });

  it('fills a task context (generated movie title) before each request', async () => {
    fs.set('ok');
    fs.requests.length = 0;
    const imdb = findTaskPreset('imdb')!;
    const { p, stored } = run({ task: imdb, perLabel: 3 });
    expect((await p).stopReason).toBe('done');
    expect(stored).toHaveLength(6);
    expect(stored.every((s) => typeof s.context === 'string' && s.context.length > 0)).toBe(true);
    const prompts = fs.requests.filter((r) => r.method === 'POST').map((r) => r.body.prompt as string);
    expect(prompts.filter((x) => x === 'Movie: "').length).toBeGreaterThan(0);
    expect(prompts.some((x) => x.startsWith('The movie review in positive sentiment for movie "This is'))).toBe(true);
  });

  it('backs off and retries on 503, 429, 502 pages and closed connections, then finishes', async () => {
    for (const mode of ['busy-503', 'busy-429', 'html-502', 'close'] as const) {
      fs.set(mode, 3);
      const notices: string[] = [];
      const { p, stored } = run({ onProgress: (pr) => pr.server.notice && notices.push(pr.server.notice) });
      const res = await p;
      expect(res.stopReason).toBe('done');
      expect(stored).toHaveLength(20);
      expect(res.server.retries).toBeGreaterThanOrEqual(3);
      expect(notices[0]).toMatch(/Retry 1 of 3 in/);
    }
  });

  it('stops with a clear error on a fatal answer, keeping every sample already handed over', async () => {
    for (const [mode, kind] of [
      ['malformed', 'malformed'],
      ['empty-choices', 'empty'],
      ['unauthorized', 'auth'],
      ['html-200', 'not-openai'],
    ] as const) {
      fs.set('ok');
      let switched = false;
      const { p, stored } = run({
        perLabel: 40,
        remote: { concurrency: 2, samplesPerRequest: 2, maxRetries: 2 },
        onProgress: (pr) => {
          const n = Object.values(pr.acceptedByLabel).reduce((a, b) => a + b, 0);
          if (!switched && n >= 8) {
            switched = true;
            fs.set(mode);
          }
        },
      });
      const err = await p.catch((e) => e);
      expect(err).toBeInstanceOf(RemoteError);
      expect(err.kind).toBe(kind);
      expect(stored.length).toBeGreaterThanOrEqual(8);
      expect(new Set(stored.map((s) => s.text)).size).toBe(stored.length);
    }
    fs.set('ok');
  });

  it('gives up after the retry limit when the server keeps stalling', async () => {
    fs.set('stall-body');
    const { p } = run({ remote: { concurrency: 1, samplesPerRequest: 2, maxRetries: 1 } });
    const err = await p.catch((e) => e);
    expect(err).toMatchObject({ kind: 'stalled', message: expect.stringContaining('stalled response') });
    fs.set('ok');
  });

  it('interrupts on abort (in-flight requests cancelled) and resumes to the target without duplicates', async () => {
    fs.set('ok');
    const ctrl = new AbortController();
    const first = run({
      perLabel: 30,
      signal: ctrl.signal,
      onProgress: (pr) => {
        if (Object.values(pr.acceptedByLabel).reduce((a, b) => a + b, 0) >= 12) ctrl.abort();
      },
    });
    const r1 = await first.p;
    expect(r1.stopReason).toBe('interrupted');
    const got = Object.values(r1.acceptedByLabel).reduce((a, b) => a + b, 0);
    expect(first.stored).toHaveLength(got);
    const second = run({ perLabel: 30, already: first.stored });
    const r2 = await second.p;
    expect(r2.stopReason).toBe('done');
    expect(r2.acceptedByLabel).toEqual({ positive: 30, negative: 30 });
    const all = [...first.stored, ...second.stored];
    expect(all).toHaveLength(60);
    expect(new Set(all.map((s) => s.text)).size).toBe(60);
  });

  it('rejects invalid settings before sending anything', async () => {
    fs.requests.length = 0;
    const { p } = run({ remote: { concurrency: 0, samplesPerRequest: 3, maxRetries: 1 } });
    await expect(p).rejects.toThrow(/concurrency must be a whole number from 1 to 256/);
    expect(fs.requests).toHaveLength(0);
  });
});
