// Public entry of the generation core (see notes/gen-contract.md): load a model, check it against known greedy ids,
// and generate labelled samples for a task: prompts per label (optionally after a context stage), batched decoding,
// ZeroGen parse rule, duplicate removal, resume from earlier samples, interrupt, progress.
import { findCatalogEntry } from '../models/catalog.ts';
import type { LabelSpec, TaskSpec } from '../tasks/types.ts';
import { validatePerLabel, validateSampling, validateTask } from '../tasks/validate.ts';
import { decodeJobs, type DecodeJob } from './decoder.ts';
import { loadLm, type LoadedLm, type LmInternals } from './lm.ts';
import { parseChatReply, parseContextReply, parseGeneration } from './parse.ts';
import { SampleAccumulator } from './accept.ts';
import { mixSeed, mulberry32 } from './prng.ts';
import { chatMessages, continuationPrompt, contextChatMessages, counterLabelsOf, drawLevers, promptStyleOf } from './prompt.ts';
import type { GeneratedSample, GenerationProgress, SamplingConfig } from './types.ts';

export { loadLm };
export type { LoadedLm, LmDevice, LoadProgress, LoadLmOptions } from './lm.ts';

export interface SelfTestResult {
  ok: boolean;
  expectedIds: number[];
  gotIds: number[];
  message: string;
}

/** Ids generated greedily when a catalog entry has no reference ids (reported, not checked). */
const UNCHECKED_SELF_TEST_TOKENS = 8;
const DEFAULT_SELF_TEST_PROMPT = 'Once upon a time';

/** Reference ids for a self-test: recorded in the catalog, or produced by the same model on another device. */
export interface SelfTestReference {
  prompt: string;
  expectedIds: number[];
  /** Where the ids come from, for the message (e.g. 'the catalog', 'a WASM run'). */
  source: string;
}

/**
 * The catalog's recorded reference for a model, if any. Ids recorded on an offline pack (`localOnly`) do not apply
 * to files from the hub.
 */
export function recordedSelfTest(modelId: string, source: 'local' | 'hub' = 'local'): SelfTestReference | null {
  const ref = findCatalogEntry(modelId)?.selfTest;
  if (!ref || (ref.localOnly && source === 'hub')) return null;
  return { prompt: ref.prompt, expectedIds: ref.expectedIds, source: 'the catalog' };
}

/** Greedy ids after the default self-test prompt: the reference a WASM run provides for models without recorded ids. */
export async function greedyReference(lm: LoadedLm): Promise<SelfTestReference> {
  const r = await selfTest(lm, { prompt: DEFAULT_SELF_TEST_PROMPT, expectedIds: [], source: '' });
  return { prompt: DEFAULT_SELF_TEST_PROMPT, expectedIds: r.gotIds, source: `a ${lm.device.toUpperCase()} run` };
}

/**
 * Known-answer test: greedy ids after the reference prompt must equal the reference ids (the catalog's recorded ones
 * by default, or `reference`). Without any reference it returns ok: true with message "no reference ids …" and the
 * ids the model produced; with an empty `reference.expectedIds` it only generates (used by greedyReference).
 */
export async function selfTest(lm: LoadedLm, reference?: SelfTestReference): Promise<SelfTestResult> {
  const ref = reference ?? recordedSelfTest(lm.modelId, lm.source);
  const prompt = ref?.prompt ?? DEFAULT_SELF_TEST_PROMPT;
  const n = ref && ref.expectedIds.length > 0 ? ref.expectedIds.length : UNCHECKED_SELF_TEST_TOKENS;
  const res = await decodeJobs(lm.internals, [{ promptIds: lm.internals.encode(prompt), rng: mulberry32(0) }], {
    maxNewTokens: n,
    choice: { doSample: false, temperature: 1, topK: 0, topP: 1 },
    stopAtQuote: false,
  });
  const gotIds = res.tokens[0];
  if (!ref || ref.expectedIds.length === 0) {
    return {
      ok: true,
      expectedIds: [],
      gotIds,
      message: `no reference ids for "${lm.modelId}": generated ${JSON.stringify(lm.internals.decode(gotIds))} (not checked)`,
    };
  }
  const ok = gotIds.length === ref.expectedIds.length && gotIds.every((id, i) => id === ref.expectedIds[i]);
  const firstDiff = ref.expectedIds.findIndex((id, i) => gotIds[i] !== id);
  return {
    ok,
    expectedIds: ref.expectedIds,
    gotIds,
    message: ok
      ? `self-test passed: ${n} greedy tokens match ${ref.source} (${JSON.stringify(lm.internals.decode(gotIds))})`
      : `self-test FAILED at token ${firstDiff} against ${ref.source}: expected ${ref.expectedIds.join(',')} got ${gotIds.join(',')}`,
  };
}

export interface GenerateOptions {
  task: TaskSpec;
  perLabel: number;
  sampling: SamplingConfig;
  already?: GeneratedSample[];
  signal?: AbortSignal;
  onSamples?: (batch: GeneratedSample[]) => void | Promise<void>;
  onProgress?: (p: GenerationProgress) => void;
}

/** 'exhausted': too many attempts without reaching the targets (e.g. greedy decoding repeats itself). */
export type GenerationStopReason = 'done' | 'interrupted' | 'exhausted';

export type GenerateResult = GenerationProgress & { interrupted: boolean; stopReason: GenerationStopReason };

/** Give up after this many decoded jobs per missing sample (keeps greedy or degenerate settings from looping forever). */
const MAX_JOBS_PER_SAMPLE = 20;

interface PlannedJob {
  label: LabelSpec;
  counters: LabelSpec[];
  index: number; // run-wide job index, seeds this job's random stream
  n: number; // this label's job number in the run: picks its topic and few-shot examples (drawLevers)
  context?: string;
}

/** Generates `perLabel` accepted samples per label (counting `already`). Validates its inputs first. */
export async function generateSamples(lm: LoadedLm, opts: GenerateOptions): Promise<GenerateResult> {
  const t = validateTask(opts.task);
  const s = validateSampling(opts.sampling);
  const errors = [...(t.ok ? [] : t.errors), ...(s.ok ? [] : s.errors), ...validatePerLabel(opts.perLabel)];
  if (!t.ok || !s.ok || errors.length) throw new Error(`Invalid generation settings:\n- ${errors.join('\n- ')}`);
  const task = t.task;
  const sampling = s.sampling;
  const I: LmInternals = lm.internals;

  // Targets, parse-rule drops, dedup and token counts: shared with the OpenAI-compatible server generator.
  const already = opts.already ?? [];
  const acc = new SampleAccumulator(task, opts.perLabel, already);
  const progress = (): GenerationProgress => acc.progress();
  const deficit = (l: LabelSpec) => acc.deficit(l);
  const totalDeficit = () => acc.totalDeficit();

  const runSeed = mixSeed(sampling.seed, already.length);
  const choice = { doSample: sampling.doSample, temperature: sampling.temperature, topK: sampling.topK, topP: sampling.topP };
  const decay = task.selfDebiasDecay ?? 0;
  const tokenCache = new Map<string, number[]>();
  const encode = (text: string) => {
    let ids = tokenCache.get(text);
    if (!ids) {
      ids = I.encode(text);
      if (tokenCache.size > 10_000) tokenCache.clear();
      tokenCache.set(text, ids);
    }
    return ids;
  };

  // Prompt style: the label's continuation prompt (ZeroGen), or the model's chat template over chatMessages().
  const chat = promptStyleOf(task) === 'chat';
  if (chat && !I.hasChatTemplate) {
    throw new Error(
      `Model "${lm.modelId}" has no chat template, so it cannot use the chat prompt style; use the continuation prompt style.`,
    );
  }
  const chatCache = new Map<string, number[]>();
  const encodeChatCached = (messages: Parameters<LmInternals['encodeChat']>[0]) => {
    const key = JSON.stringify(messages);
    let ids = chatCache.get(key);
    if (!ids) {
      ids = I.encodeChat(messages);
      if (chatCache.size > 10_000) chatCache.clear();
      chatCache.set(key, ids);
    }
    return ids;
  };
  // Levers (topic, few-shot examples) are drawn per label and job number; a counter-prompt gets the same job number,
  // so the same topic, with examples of its own label.
  const labelPromptIds = (label: LabelSpec, n: number, context?: string) => {
    const vars = { context, ...drawLevers(task, label.name, runSeed, n) };
    return chat ? encodeChatCached(chatMessages(task, label.name, vars)) : encode(continuationPrompt(task, label.name, vars));
  };
  const jobsPerLabel = new Map<string, number>();
  const contextChat = chat ? contextChatMessages(task) : null;
  const stops = chat ? { stopAtQuote: false, stopAtNewline: true } : {};
  const parseReply = (raw: string, minWords: number, truncated: boolean) =>
    chat ? parseChatReply(raw, minWords, truncated) : parseGeneration(raw, minWords);

  const maxJobs = totalDeficit() * MAX_JOBS_PER_SAMPLE + 100;
  let jobIndex = 0;
  let stopReason: GenerationStopReason = 'done';
  opts.onProgress?.(progress());

  while (totalDeficit() > 0) {
    if (opts.signal?.aborted) {
      stopReason = 'interrupted';
      break;
    }
    if (jobIndex >= maxJobs) {
      stopReason = 'exhausted';
      break;
    }
    // Plan a batch: round-robin over labels that still need samples, at most their deficit each, within batchSize rows.
    const planned: PlannedJob[] = [];
    const assigned = new Map<string, number>();
    let rows = 0;
    for (let added = true; added; ) {
      added = false;
      for (const label of task.labels) {
        if ((assigned.get(label.name) ?? 0) >= deficit(label)) continue;
        const counters = counterLabelsOf(task, label);
        const cost = 1 + counters.length;
        if (planned.length > 0 && rows + cost > sampling.batchSize) continue;
        const n = jobsPerLabel.get(label.name) ?? 0;
        jobsPerLabel.set(label.name, n + 1);
        planned.push({ label, counters, index: jobIndex++, n });
        assigned.set(label.name, (assigned.get(label.name) ?? 0) + 1);
        rows += cost;
        added = true;
      }
    }

    // Context stage: fixed values drawn per job, or generated (e.g. a movie title) in one batched pass.
    let jobs = planned;
    if (task.context) {
      const ctx = task.context;
      if (ctx.values && ctx.values.length > 0) {
        for (const job of jobs) {
          const rng = mulberry32(mixSeed(runSeed ^ 0x63747800, job.index));
          job.context = ctx.values[Math.floor(rng() * ctx.values.length)];
        }
      } else {
        const ctxPromptIds = contextChat ? encodeChatCached(contextChat) : encode(ctx.prompt);
        const ctxRes = await decodeJobs(
          I,
          jobs.map((job) => ({ promptIds: ctxPromptIds, rng: mulberry32(mixSeed(runSeed ^ 0x63747800, job.index)) })),
          { maxNewTokens: ctx.maxNewTokens, choice, signal: opts.signal, ...(contextChat ? stops : {}) },
        );
        acc.generatedTokens += ctxRes.generatedTokens;
        if (ctxRes.interrupted) {
          stopReason = 'interrupted';
          break;
        }
        jobs.forEach((job, i) => {
          const raw = I.decode(ctxRes.tokens[i]);
          const parsed = contextChat ? parseContextReply(raw) : parseGeneration(raw, 1);
          if (parsed.ok) job.context = parsed.text;
        });
        jobs = jobs.filter((job) => job.context !== undefined);
        if (jobs.length === 0) continue;
      }
    }

    const decodeInput: DecodeJob[] = jobs.map((job) => ({
      promptIds: labelPromptIds(job.label, job.n, job.context),
      counterPromptIds: job.counters.map((c) => labelPromptIds(c, job.n, job.context)),
      rng: mulberry32(mixSeed(runSeed, job.index)),
    }));
    const tokensBefore = acc.generatedTokens;
    const res = await decodeJobs(I, decodeInput, {
      maxNewTokens: sampling.maxNewTokens,
      choice,
      debiasDecay: decay,
      signal: opts.signal,
      ...stops,
      onStep: opts.onProgress
        ? (n) => {
            acc.generatedTokens = tokensBefore + n;
            opts.onProgress!(progress());
          }
        : undefined,
    });
    acc.generatedTokens = tokensBefore + res.generatedTokens;

    const accepted: GeneratedSample[] = [];
    jobs.forEach((job, i) => {
      if (res.finish[i] === 'interrupted') return; // unfinished text is not a sample
      if (deficit(job.label) === 0) return; // target reached meanwhile
      const sample = acc.offer(parseReply(I.decode(res.tokens[i]), sampling.minWords, res.finish[i] === 'length'), job.label.name, job.context);
      if (sample) accepted.push(sample);
    });
    if (accepted.length > 0) await opts.onSamples?.(accepted);
    opts.onProgress?.(progress());
    if (res.interrupted) {
      stopReason = 'interrupted';
      break;
    }
  }
  if (stopReason === 'done' && opts.signal?.aborted && totalDeficit() > 0) stopReason = 'interrupted';
  return { ...progress(), interrupted: stopReason === 'interrupted', stopReason };
}
