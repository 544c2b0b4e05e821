// One epoch of weighted training from the current parameters, loss = mean over the batch of wᵢ·CEᵢ, Adam. Used by
// SunGen's inner problem (called T times with fresh optimizer state) and by every final/cleaning training run, so it
// is small, reports per-step progress and stops promptly on abort.
import * as tf from '@tensorflow/tfjs';
import { createAdam } from '../tfjs/fused-adam.ts';
import type { EncodedDataset, Tam } from '../classifier/types.ts';
import { perSampleCrossEntropy } from './loss.ts';
import { chunks, gatherIds, gatherLabels, shuffled } from './rows.ts';

export interface InnerEpochOptions {
  batchSize: number;
  learningRate: number;
  /** Shuffle seed for this epoch. */
  seed: number;
  signal?: AbortSignal;
  /** Called after each step with the step index (0-based), the step count and the batch loss. */
  onStep?: (step: number, steps: number, loss: number) => void;
  /** Report (and read back the loss) every this many steps; reading the loss forces a sync, so keep it sparse. */
  reportEverySteps?: number;
  /** Optimizer to continue with (multi-epoch training); by default a fresh Adam(learningRate), disposed at the end. */
  optimizer?: tf.Optimizer;
}

/** Throws an AbortError-named Error when the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const err = new Error('Training was interrupted.');
    err.name = 'AbortError';
    throw err;
  }
}

/** Lets timers and abort events run between steps (training is otherwise one long synchronous stretch). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Trains `tam` in place for one epoch over `rows` with per-row weights (indexed by row id). Returns the mean batch
 * loss over the reported steps.
 */
export async function trainWeightedEpoch(
  tam: Tam,
  data: EncodedDataset,
  rows: Int32Array,
  weights: Float32Array,
  opts: InnerEpochOptions,
): Promise<number> {
  const order = shuffled(rows, opts.seed);
  const steps = Math.ceil(order.length / opts.batchSize);
  const reportEvery = Math.max(1, opts.reportEverySteps ?? 20);
  const optimizer = opts.optimizer ?? createAdam(opts.learningRate);
  let lossSum = 0;
  let lossCount = 0;
  try {
    let step = 0;
    for (const batch of chunks(order, opts.batchSize)) {
      throwIfAborted(opts.signal);
      const w = new Float32Array(batch.length);
      for (let r = 0; r < batch.length; r++) w[r] = weights[batch[r]];
      const ids = gatherIds(data, batch);
      const labels = gatherLabels(data, batch);
      const wT = tf.tensor1d(w);
      const report = step % reportEvery === reportEvery - 1 || step === steps - 1;
      const loss = optimizer.minimize(
        () => tf.mean(tf.mul(perSampleCrossEntropy(tam.logits(ids, true), labels), wT)) as tf.Scalar,
        report,
        tam.variables,
      );
      tf.dispose([ids, labels, wT]);
      if (loss) {
        const value = loss.dataSync()[0];
        loss.dispose();
        lossSum += value;
        lossCount += 1;
        opts.onStep?.(step, steps, value);
        await yieldToEventLoop();
      }
      step += 1;
    }
  } finally {
    if (!opts.optimizer) optimizer.dispose();
  }
  return lossCount ? lossSum / lossCount : NaN;
}
