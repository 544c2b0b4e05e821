// The batched decoding loop: many prompts per forward pass with a KV cache, left padding (attention_mask + explicit
// position_ids), seeded per-job sampling, per-row stop (closing quote / newline / EOS), ZeroGen self-debiasing (each
// job's counter-label prompts are decoded alongside and fed the same tokens), interrupt between steps, and compaction of
// the batch when most rows have finished. We run it ourselves instead of model.generate() for exactly these features.
import { Tensor } from '@huggingface/transformers';
import type { LmInternals } from './lm.ts';
import { createScratch, pickToken, selfDebiasInto, type TokenChoiceConfig } from './sampling.ts';

/** One sequence to generate. Counter prompts (self-debiasing) are continued with the main row's tokens. */
export interface DecodeJob {
  promptIds: number[];
  counterPromptIds?: number[][];
  rng: () => number;
}

export interface DecodeOptions {
  maxNewTokens: number;
  choice: TokenChoiceConfig;
  /** λ of self-debiasing; only used for jobs with counter prompts. */
  debiasDecay?: number;
  /** Stop a row at a token containing '"' or a newline (ZeroGen prompts end in an opening quote). Default true. */
  stopAtQuote?: boolean;
  /** Stop a row at a token containing a newline (chat replies: one paragraph per sample). Default false. */
  stopAtNewline?: boolean;
  signal?: AbortSignal;
  /** Called after every forward pass with the main-row tokens generated so far (for progress displays). */
  onStep?: (generatedTokens: number) => void;
}

export type FinishReason = 'stop' | 'eos' | 'length' | 'interrupted';

export interface DecodeResult {
  /** Generated ids per job, including the stop token (not EOS). */
  tokens: number[][];
  finish: FinishReason[];
  /** Tokens produced for main rows (what a user would call generated tokens). */
  generatedTokens: number;
  /** Forward passes run (prefill included). */
  forwardPasses: number;
  interrupted: boolean;
}

type KvCache = Record<string, Tensor>;

/** Row range of job j in the logical batch: main row first, then its counter rows. */
interface JobRows {
  first: number;
  count: number;
}

/** Keeps only the batch rows in `keep` (physical indices) of a [P, ...] tensor. */
function selectRows(t: Tensor, keep: number[]): Tensor {
  const dims = t.dims as number[];
  const rowSize = dims.slice(1).reduce((a, b) => a * b, 1);
  const src = t.data as any;
  const out = new src.constructor(keep.length * rowSize);
  for (let i = 0; i < keep.length; i++) out.set(src.subarray(keep[i] * rowSize, (keep[i] + 1) * rowSize), i * rowSize);
  return new Tensor(t.type as any, out, [keep.length, ...dims.slice(1)]);
}

async function disposeIfGpu(tensors: Iterable<Tensor>): Promise<void> {
  for (const t of tensors) if ((t as any).location === 'gpu-buffer') await (t as any).dispose();
}

/** Decodes all jobs together. Returns early (interrupted: true) when `signal` aborts; checked before every step. */
export async function decodeJobs(lm: LmInternals, jobs: DecodeJob[], opts: DecodeOptions): Promise<DecodeResult> {
  const V = lm.vocabSize;
  const stopAtQuote = opts.stopAtQuote ?? true;
  const stopAtNewline = opts.stopAtNewline ?? false;
  const nJobs = jobs.length;
  const tokens: number[][] = jobs.map(() => []);
  const finish: FinishReason[] = jobs.map(() => 'length');
  const done = new Uint8Array(nJobs);
  const result = (interrupted: boolean, generatedTokens: number, forwardPasses: number): DecodeResult => {
    if (interrupted) for (let j = 0; j < nJobs; j++) if (!done[j]) finish[j] = 'interrupted';
    return { tokens, finish, generatedTokens, forwardPasses, interrupted };
  };
  if (nJobs === 0 || opts.maxNewTokens <= 0) return result(false, 0, 0);

  // Logical rows: every job's main prompt followed by its counter prompts.
  const rowPrompts: number[][] = [];
  const jobRows: JobRows[] = [];
  for (const job of jobs) {
    const counters = job.counterPromptIds ?? [];
    jobRows.push({ first: rowPrompts.length, count: 1 + counters.length });
    rowPrompts.push(job.promptIds, ...counters);
  }
  for (const p of rowPrompts) if (p.length === 0) throw new Error('Cannot decode an empty prompt (0 tokens).');

  // Prefill with left padding.
  let P = rowPrompts.length; // physical batch size
  const S = Math.max(...rowPrompts.map((p) => p.length));
  const ids = new BigInt64Array(P * S);
  let mask = new BigInt64Array(P * S);
  const pos = new BigInt64Array(P * S);
  const nextPos: number[] = []; // per physical row
  for (let r = 0; r < P; r++) {
    const prompt = rowPrompts[r];
    const pad = S - prompt.length;
    for (let t = 0; t < S; t++) {
      const k = r * S + t;
      if (t < pad) {
        ids[k] = BigInt(lm.padId);
        pos[k] = 1n;
      } else {
        ids[k] = BigInt(prompt[t - pad]);
        mask[k] = 1n;
        pos[k] = BigInt(t - pad);
      }
    }
    nextPos.push(prompt.length);
  }
  let T = S; // total sequence length in the cache after this pass
  // physToJob[p] = job of physical row p; physIsMain[p] = whether it is the job's main row.
  let physToLogical: number[] = rowPrompts.map((_, r) => r);
  const logicalToJob = new Int32Array(P);
  for (let j = 0; j < nJobs; j++) for (let k = 0; k < jobRows[j].count; k++) logicalToJob[jobRows[j].first + k] = j;

  const scratch = createScratch(V);
  const debiased = new Float32Array(V);
  const counterRows: Float32Array[] = [];
  const decay = opts.debiasDecay ?? 0;

  let feeds: Record<string, any> = {
    input_ids: new Tensor('int64', ids, [P, S]),
    attention_mask: new Tensor('int64', mask, [P, S]),
    position_ids: new Tensor('int64', pos, [P, S]),
    num_logits_to_keep: new Tensor('int64', BigInt64Array.of(1n), []),
  };
  let past: KvCache | undefined;
  let generatedTokens = 0;
  let forwardPasses = 0;
  const physOfLogical = new Int32Array(rowPrompts.length).fill(-1);

  for (let step = 0; step < opts.maxNewTokens; step++) {
    if (opts.signal?.aborted) {
      if (past) await disposeIfGpu(Object.values(past));
      return result(true, generatedTokens, forwardPasses);
    }
    if (past) feeds.past_key_values = past;
    const out = await lm.model.forward(feeds);
    forwardPasses++;
    const newPast: KvCache = {};
    for (const name of Object.keys(out)) {
      if (name.startsWith('present')) newPast[name.replace('present', 'past_key_values')] = out[name];
    }
    if (past) await disposeIfGpu(Object.values(past));
    past = newPast;

    let logitsT: Tensor = out.logits;
    if (!(logitsT.data instanceof Float32Array)) logitsT = logitsT.to('float32');
    const logits = logitsT.data as Float32Array;
    const L = (logitsT.dims as number[])[1]; // positions kept per row
    const rowLogits = (p: number) => logits.subarray((p * L + L - 1) * V, (p * L + L) * V);

    // Choose a token per live job.
    physOfLogical.fill(-1);
    for (let p = 0; p < P; p++) physOfLogical[physToLogical[p]] = p;
    const chosen = new Int32Array(nJobs).fill(-1);
    for (let j = 0; j < nJobs; j++) {
      if (done[j]) continue;
      const { first, count } = jobRows[j];
      const mainP = physOfLogical[first];
      let row = rowLogits(mainP);
      if (count > 1 && decay > 0) {
        counterRows.length = 0;
        for (let k = 1; k < count; k++) counterRows.push(rowLogits(physOfLogical[first + k]));
        selfDebiasInto(row, counterRows, decay, debiased, scratch);
        row = debiased;
      }
      const tok = pickToken(row, opts.choice, jobs[j].rng, scratch);
      chosen[j] = tok;
      generatedTokens++;
      if (lm.eosMask[tok]) {
        done[j] = 1;
        finish[j] = 'eos';
        continue;
      }
      tokens[j].push(tok);
      if ((stopAtQuote && lm.stopMask[tok]) || (stopAtNewline && lm.newlineMask[tok] && tokens[j].length > 1)) {
        done[j] = 1;
        finish[j] = 'stop';
      } else if (tokens[j].length >= opts.maxNewTokens) {
        done[j] = 1;
        finish[j] = 'length';
      }
    }
    opts.onStep?.(generatedTokens);
    let live = 0;
    for (let j = 0; j < nJobs; j++) if (!done[j]) live++;
    if (live === 0) break;

    // Compact the batch when at most half of the physical rows still belong to live jobs.
    let liveRows = 0;
    for (let p = 0; p < P; p++) if (!done[logicalToJob[physToLogical[p]]]) liveRows++;
    if (liveRows * 2 <= P && Object.values(past).every((t) => (t as any).location !== 'gpu-buffer')) {
      const keep: number[] = [];
      for (let p = 0; p < P; p++) if (!done[logicalToJob[physToLogical[p]]]) keep.push(p);
      for (const name of Object.keys(past)) past[name] = selectRows(past[name], keep);
      const newMask = new BigInt64Array(keep.length * T);
      for (let i = 0; i < keep.length; i++) newMask.set(mask.subarray(keep[i] * T, (keep[i] + 1) * T), i * T);
      mask = newMask;
      physToLogical = keep.map((p) => physToLogical[p]);
      const keptPos = keep.map((p) => nextPos[p]);
      nextPos.length = 0;
      nextPos.push(...keptPos);
      P = keep.length;
    }

    // Next step: one token per physical row; finished rows are fed the pad token and ignored.
    const stepIds = new BigInt64Array(P);
    const stepPos = new BigInt64Array(P);
    const T1 = T + 1;
    const stepMask = new BigInt64Array(P * T1);
    for (let p = 0; p < P; p++) {
      const j = logicalToJob[physToLogical[p]];
      stepIds[p] = BigInt(done[j] ? lm.padId : chosen[j]);
      stepPos[p] = BigInt(nextPos[p]++);
      stepMask.set(mask.subarray(p * T, (p + 1) * T), p * T1);
      stepMask[p * T1 + T] = 1n;
    }
    mask = stepMask;
    T = T1;
    feeds = {
      input_ids: new Tensor('int64', stepIds, [P, 1]),
      attention_mask: new Tensor('int64', mask, [P, T]),
      position_ids: new Tensor('int64', stepPos, [P, 1]),
      num_logits_to_keep: new Tensor('int64', BigInt64Array.of(1n), []),
    };
  }
  if (past) await disposeIfGpu(Object.values(past));
  return result(false, generatedTokens, forwardPasses);
}
