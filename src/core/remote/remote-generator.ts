// Generation through an OpenAI-compatible server: the same targets, parse rule, dedup and per-label counting as the
// in-page model (SampleAccumulator), with many requests in flight so the engine can batch them. Accepted samples are
// handed to `onSamples` response by response (in order, one call at a time) so the caller stores them as they arrive;
// transient failures (no answer, closed connection, stall, 429/503/5xx) are retried with back-off up to a limit; any
// other failure stops the run with a RemoteError after everything already received has been handed over.
import { SampleAccumulator } from '../generation/accept.ts';
import { mixSeed, mulberry32 } from '../generation/prng.ts';
import { chatMessages, continuationPrompt, contextChatMessages, drawLevers, promptStyleOf } from '../generation/prompt.ts';
import { parseChatReply, parseGeneration } from '../generation/parse.ts';
import type { GeneratedSample, GenerationProgress, SamplingConfig } from '../generation/types.ts';
import type { GenerateResult, GenerationStopReason } from '../generation/generator.ts';
import type { LabelSpec, TaskSpec } from '../tasks/types.ts';
import { validatePerLabel, validateSampling, validateTask } from '../tasks/validate.ts';
import type { CompletionResult, OpenAiClient } from './client.ts';
import { RemoteError } from './errors.ts';

/**
 * How to drive the server (saved with a run, without any key). The endpoint follows the task's prompt style:
 * /v1/completions with the ZeroGen continuation prompt (base models), /v1/chat/completions with the task's chat
 * messages (instruct models).
 */
export interface RemoteSettings {
  /** Requests in flight at once; the engine batches them. */
  concurrency: number;
  /** `n`: samples asked for per request. */
  samplesPerRequest: number;
  /** Retries per request on transient errors before the run stops. */
  maxRetries: number;
}

export const DEFAULT_REMOTE_SETTINGS: RemoteSettings = { concurrency: 4, samplesPerRequest: 4, maxRetries: 4 };

export const REMOTE_LIMITS = {
  concurrency: { min: 1, max: 256 },
  samplesPerRequest: { min: 1, max: 64 },
  maxRetries: { min: 0, max: 20 },
} as const;

export function validateRemoteSettings(x: unknown): { ok: true; settings: RemoteSettings } | { ok: false; errors: string[] } {
  if (!x || typeof x !== 'object') return { ok: false, errors: ['server settings must be an object'] };
  const r = x as Partial<RemoteSettings>;
  const errors: string[] = [];
  const settings: RemoteSettings = { ...DEFAULT_REMOTE_SETTINGS };
  for (const key of Object.keys(REMOTE_LIMITS) as (keyof typeof REMOTE_LIMITS)[]) {
    const v = r[key];
    if (v === undefined) continue;
    const { min, max } = REMOTE_LIMITS[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) errors.push(`${key} must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
    else settings[key] = v;
  }
  return errors.length ? { ok: false, errors } : { ok: true, settings };
}

/** Server-side facts shown next to the progress bar. */
export interface RemoteProgress {
  inFlight: number;
  requests: number;
  retries: number;
  /** False when the server does not report usage.completion_tokens (tokens/s is then unknown). */
  tokensReported: boolean;
  /** Latest transient problem being retried, e.g. "Server x: is busy (HTTP 503); retry 2 of 4 in 2 s". */
  notice?: string;
}

export type RemoteGenerationProgress = GenerationProgress & { server: RemoteProgress };

export interface RemoteGenerateOptions {
  task: TaskSpec;
  perLabel: number;
  sampling: SamplingConfig;
  remote: RemoteSettings;
  already?: GeneratedSample[];
  signal?: AbortSignal;
  onSamples?: (batch: GeneratedSample[]) => void | Promise<void>;
  onProgress?: (p: RemoteGenerationProgress) => void;
  /** Back-off base (ms) before the first retry; doubles per retry. Tests shorten it. */
  backoffMs?: number;
}

/** Same guard as the in-page generator: give up after this many generations per missing sample. */
const MAX_CHOICES_PER_SAMPLE = 20;
const MAX_BACKOFF_MS = 30_000;

interface Job {
  label: LabelSpec;
  n: number;
  index: number;
  /** This label's request number in the run: picks the request's topic and few-shot examples (drawLevers). */
  seq: number;
}

type Outcome =
  | { ok: true; job: Job; result: CompletionResult; context?: string; contextTokens: number }
  | { ok: false; job: Job; error: unknown };

/** Stop strings of the continuation style: the closing quote ends the sample, a newline ends it too. */
const CONTINUATION_STOP = ['"', '\n'];

/**
 * A continuation's text as the parse rule expects it: the server leaves the stop string (closing quote / newline) out,
 * so a choice that ended there ('stop') gets its quote back and is kept whole; one cut at max_tokens ('length') is
 * parsed as is (its unfinished last sentence is dropped).
 */
export function parseContinuationChoice(text: string, finishReason: string | null, minWords: number) {
  return parseGeneration(finishReason === 'stop' ? `${text}"` : text, minWords);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export async function generateSamplesRemote(client: OpenAiClient, opts: RemoteGenerateOptions): Promise<GenerateResult & { server: RemoteProgress }> {
  const t = validateTask(opts.task);
  const s = validateSampling(opts.sampling);
  const r = validateRemoteSettings(opts.remote);
  const errors = [...(t.ok ? [] : t.errors), ...(s.ok ? [] : s.errors), ...(r.ok ? [] : r.errors), ...validatePerLabel(opts.perLabel)];
  if (!t.ok || !s.ok || !r.ok || errors.length) throw new Error(`Invalid generation settings:\n- ${errors.join('\n- ')}`);
  const task = t.task;
  const sampling = s.sampling;
  const remote = r.settings;
  const backoffMs = opts.backoffMs ?? 500;

  const acc = new SampleAccumulator(task, opts.perLabel, opts.already ?? []);
  const server: RemoteProgress = { inFlight: 0, requests: 0, retries: 0, tokensReported: true };
  const progress = (): RemoteGenerationProgress => ({ ...acc.progress(), server: { ...server } });
  const runSeed = mixSeed(sampling.seed, (opts.already ?? []).length);
  const pending = new Map<string, number>(task.labels.map((l) => [l.name, 0]));
  const maxChoices = acc.totalDeficit() * MAX_CHOICES_PER_SAMPLE + 100;
  let choicesSeen = 0;
  /** Samples to ask for per request; lowered when the server answers fewer choices than `n` (it ignores n). */
  let nCap = remote.samplesPerRequest;
  let requestIndex = 0;
  let rotate = 0;
  const requestsPerLabel = new Map<string, number>();

  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(opts.signal?.reason);
  if (opts.signal?.aborted) ctrl.abort(opts.signal.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const chat = promptStyleOf(task) === 'chat';
  const contextChat = chat ? contextChatMessages(task) : null;
  const temperature = sampling.doSample ? sampling.temperature : 0;
  const common = (n: number, seed: number, maxTokens: number) => ({
    n,
    maxTokens,
    temperature,
    topP: sampling.doSample ? sampling.topP : 1,
    topK: sampling.doSample ? sampling.topK : 0,
    seed,
  });

  /** One request (after a context request when the task generates contexts), with retries on transient errors. */
  const withRetries = async <T>(what: () => Promise<T>, signal: AbortSignal): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await what();
      } catch (e) {
        if (ctrl.signal.aborted || !(e instanceof RemoteError) || !e.retryable || attempt >= remote.maxRetries) throw e;
        const base = Math.min(MAX_BACKOFF_MS, backoffMs * 2 ** attempt) * (0.75 + 0.5 * Math.random());
        const wait = e.retryAfterSec !== undefined ? Math.min(60_000, Math.max(base, e.retryAfterSec * 1000)) : base;
        server.retries++;
        server.notice = `${e.message} Retry ${attempt + 1} of ${remote.maxRetries} in ${(wait / 1000).toFixed(1)} s.`;
        opts.onProgress?.(progress());
        await sleep(wait, signal);
      }
    }
  };

  // One controller per request, all aborted by the run's controller through a single listener (many requests in flight
  // must not each hang a listener on one signal).
  const jobControllers = new Set<AbortController>();
  ctrl.signal.addEventListener('abort', () => jobControllers.forEach((c) => c.abort(ctrl.signal.reason)), { once: true });

  const runJob = async (job: Job): Promise<Outcome> => {
    const jobCtrl = new AbortController();
    jobControllers.add(jobCtrl);
    const signal = jobCtrl.signal;
    try {
      let context: string | undefined;
      let contextTokens = 0;
      const seed = mixSeed(runSeed, job.index);
      if (task.context) {
        const ctx = task.context;
        if (ctx.values && ctx.values.length > 0) {
          context = ctx.values[Math.floor(mulberry32(mixSeed(runSeed ^ 0x63747800, job.index))() * ctx.values.length)];
        } else {
          // Same as the in-page generator: the chat instruction for a context when the task has one, else the
          // continuation prompt (instruct models continue text too).
          const req = common(1, mixSeed(runSeed ^ 0x63747800, job.index), ctx.maxNewTokens);
          const res = await withRetries(
            () =>
              contextChat
                ? client.chat({ messages: contextChat, ...req }, signal)
                : client.complete({ prompt: ctx.prompt, ...req, stop: CONTINUATION_STOP }, signal),
            signal,
          );
          contextTokens = res.completionTokens ?? 0;
          const c = res.choices[0];
          const parsed = contextChat ? parseChatReply(c.text, 1, c.finishReason === 'length') : parseContinuationChoice(c.text, c.finishReason, 1);
          if (!parsed.ok) return { ok: true, job, result: { choices: [], completionTokens: 0 }, contextTokens };
          context = parsed.text;
        }
      }
      const req = common(job.n, seed, sampling.maxNewTokens);
      // The same levers as the in-page generator (one topic and example set per request; its n choices share them).
      const vars = { context, ...drawLevers(task, job.label.name, runSeed, job.seq) };
      const result = await withRetries(
        () =>
          chat
            ? client.chat({ messages: chatMessages(task, job.label.name, vars), ...req }, signal)
            : client.complete({ prompt: continuationPrompt(task, job.label.name, vars), ...req, stop: CONTINUATION_STOP }, signal),
        signal,
      );
      return { ok: true, job, result, context, contextTokens };
    } catch (error) {
      return { ok: false, job, error };
    } finally {
      jobControllers.delete(jobCtrl);
    }
  };

  /** Next request: the label with the most samples still missing once in-flight requests are counted. */
  const plan = (): Job | null => {
    if (choicesSeen + [...pending.values()].reduce((a, b) => a + b, 0) >= maxChoices) return null;
    let best: LabelSpec | null = null;
    let bestNeed = 0;
    for (let k = 0; k < task.labels.length; k++) {
      const label = task.labels[(rotate + k) % task.labels.length];
      const need = acc.deficit(label) - (pending.get(label.name) ?? 0);
      if (need > bestNeed) {
        best = label;
        bestNeed = need;
      }
    }
    if (!best) return null;
    rotate = (task.labels.indexOf(best) + 1) % task.labels.length;
    const seq = requestsPerLabel.get(best.name) ?? 0;
    requestsPerLabel.set(best.name, seq + 1);
    return { label: best, n: Math.min(nCap, bestNeed), index: requestIndex++, seq };
  };

  const inflight = new Map<number, Promise<Outcome>>();
  let fatal: unknown = null;
  let stopReason: GenerationStopReason = 'done';

  const handle = async (o: Outcome): Promise<void> => {
    inflight.delete(o.job.index);
    pending.set(o.job.label.name, (pending.get(o.job.label.name) ?? 0) - o.job.n);
    server.inFlight = inflight.size;
    if (!o.ok) {
      if (!ctrl.signal.aborted && fatal === null) {
        fatal = o.error;
        ctrl.abort(o.error);
      }
      return;
    }
    server.requests++;
    server.notice = undefined;
    if (o.result.completionTokens === null && o.result.choices.length > 0) server.tokensReported = false;
    acc.generatedTokens += (o.result.completionTokens ?? 0) + o.contextTokens;
    choicesSeen += o.result.choices.length;
    if (o.result.choices.length > 0 && o.result.choices.length < o.job.n && o.result.choices.length < nCap) {
      // Some servers (llama-cpp-python) ignore `n` and answer one choice: ask for what they give so the in-flight
      // requests really cover the samples still missing.
      nCap = o.result.choices.length;
      server.notice = `The server answered ${nCap} choice(s) for n = ${o.job.n}; it ignores n, so each request now asks for ${nCap}.`;
    }
    const accepted: GeneratedSample[] = [];
    for (const c of o.result.choices) {
      const parsed = chat
        ? parseChatReply(c.text, sampling.minWords, c.finishReason === 'length')
        : parseContinuationChoice(c.text, c.finishReason, sampling.minWords);
      const sample = acc.offer(parsed, o.job.label.name, o.context);
      if (sample) accepted.push(sample);
    }
    if (accepted.length > 0) await opts.onSamples?.(accepted);
  };

  try {
    for (;;) {
      if (!ctrl.signal.aborted) {
        while (inflight.size < remote.concurrency) {
          const job = plan();
          if (!job) break;
          pending.set(job.label.name, (pending.get(job.label.name) ?? 0) + job.n);
          inflight.set(job.index, runJob(job));
        }
        server.inFlight = inflight.size;
      }
      opts.onProgress?.(progress());
      if (inflight.size === 0) break;
      // Tag each promise with its job so the first one to settle can be handled and removed.
      const first = await Promise.race([...inflight.values()]);
      await handle(first);
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    ctrl.abort(); // nothing should be left, but never leave a request running
  }
  if (fatal !== null) throw fatal;
  if (acc.totalDeficit() > 0) stopReason = opts.signal?.aborted ? 'interrupted' : 'exhausted';
  return { ...progress(), interrupted: stopReason === 'interrupted', stopReason };
}
