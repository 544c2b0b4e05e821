// The single-sequence vs batched decoding measurement shared by `npm run bench:generate` (Node, onnxruntime-node) and
// its `--browser` page (onnxruntime-web wasm in headless Chromium), so both report the same quantity from the same loop.
import { decodeJobs } from '../src/core/generation/decoder.ts';
import type { LmInternals } from '../src/core/generation/lm.ts';
import { mixSeed, mulberry32 } from '../src/core/generation/prng.ts';
import { findTaskPreset, DEFAULT_TASK_ID } from '../src/core/tasks/presets.ts';

export interface GenerateBenchOptions {
  batches: number[];
  /** New tokens per sequence (no early stop at quotes; only EOS ends a row early). */
  newTokens: number;
  /** Each measurement repeats until at least this much time has been spent (steadier numbers on a shared machine). */
  minMeasureMs: number;
}

/** Where one decoding step's time goes, in ms per forward pass (prefill included). */
export interface StepBreakdown {
  totalMs: number;
  /** Inside the ONNX Runtime session's run(). */
  sessionMs: number;
  /** transformers.js around it (model.forward minus session.run). */
  wrapperMs: number;
  /** Our loop: sampling, masks, batch bookkeeping. */
  loopMs: number;
}

export interface BatchMeasurement {
  batch: number;
  tokensPerSec: number;
  step: StepBreakdown;
}

export interface GenerateBenchResult {
  promptTokens: number;
  single: BatchMeasurement;
  batched: BatchMeasurement[];
  bestSpeedup: number;
}

/** Accumulates time spent in model.forward and in the ORT session's run() while installed. */
function installTimers(lm: LmInternals): { forwardMs: number; sessionMs: number; uninstall(): void } {
  const model = lm.model;
  const session = model.sessions?.model;
  const timers = { forwardMs: 0, sessionMs: 0, uninstall: () => {} };
  const forward = model.forward;
  model.forward = async (...args: unknown[]) => {
    const t0 = performance.now();
    try {
      return await forward.apply(model, args);
    } finally {
      timers.forwardMs += performance.now() - t0;
    }
  };
  const run = session?.run;
  if (run) {
    session.run = async (...args: unknown[]) => {
      const t0 = performance.now();
      try {
        return await run.apply(session, args);
      } finally {
        timers.sessionMs += performance.now() - t0;
      }
    };
  }
  timers.uninstall = () => {
    model.forward = forward;
    if (run) session.run = run;
  };
  return timers;
}

/** Seeded top-p sampling, as the product generates. */
const CHOICE = { doSample: true, temperature: 1, topK: 0, topP: 0.9 };

export async function measureGenerate(lm: LmInternals, opts: GenerateBenchOptions): Promise<GenerateBenchResult> {
  if (opts.batches.length === 0) throw new Error('measureGenerate needs at least one batch size.');
  const prompt = findTaskPreset(DEFAULT_TASK_ID)!.labels[0].prompt;
  const promptIds = lm.encode(prompt);

  /** Tokens per second for `batch` sequences decoded together, and where the time went. */
  async function measure(batch: number): Promise<BatchMeasurement> {
    let tokens = 0;
    let ms = 0;
    let passes = 0;
    let rep = 0;
    const timers = installTimers(lm);
    try {
      while (ms < opts.minMeasureMs || rep < 2) {
        const jobs = Array.from({ length: batch }, (_, i) => ({ promptIds, rng: mulberry32(mixSeed(rep, i)) }));
        const t0 = performance.now();
        const r = await decodeJobs(lm, jobs, { maxNewTokens: opts.newTokens, choice: CHOICE, stopAtQuote: false });
        ms += performance.now() - t0;
        tokens += r.generatedTokens;
        passes += r.forwardPasses;
        rep++;
      }
    } finally {
      timers.uninstall();
    }
    const perStep = (x: number) => x / passes;
    return {
      batch,
      tokensPerSec: (tokens / ms) * 1000,
      step: {
        totalMs: perStep(ms),
        sessionMs: perStep(timers.sessionMs),
        wrapperMs: perStep(timers.forwardMs - timers.sessionMs),
        loopMs: perStep(ms - timers.forwardMs),
      },
    };
  }

  await measure(1); // warm-up
  await measure(Math.max(...opts.batches));
  const single = await measure(1);
  const batched: BatchMeasurement[] = [];
  for (const b of opts.batches) batched.push(await measure(b));
  return {
    promptTokens: promptIds.length,
    single,
    batched,
    bestSpeedup: Math.max(...batched.map((b) => b.tokensPerSec / single.tokensPerSec)),
  };
}
