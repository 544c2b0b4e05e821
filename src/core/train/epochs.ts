// A fixed number of weighted-CE epochs with one Adam optimizer (mean over the batch of wᵢ·CEᵢ, dropout on): the
// benchmark's final training, built on the same weighted epoch as SunGen's inner loop so both share one definition.
import { createAdam } from '../tfjs/fused-adam.ts';
import type { EncodedDataset, Tam } from '../classifier/types.ts';
import { trainWeightedEpoch } from './weighted-epoch.ts';
import { mixSeed } from '../generation/prng.ts';

export interface EpochTrainingOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  onEpoch?: (epoch: number, meanLoss: number) => void;
}

/** Trains `tam` in place for `epochs` epochs over `rows` with per-row weights (indexed by row id). */
export async function trainEpochs(
  tam: Tam,
  data: EncodedDataset,
  rows: Int32Array,
  weights: Float32Array,
  opts: EpochTrainingOptions,
  signal?: AbortSignal,
): Promise<void> {
  if (!(Number.isInteger(opts.epochs) && opts.epochs > 0)) throw new Error(`epochs must be a positive integer (got ${opts.epochs}).`);
  const optimizer = createAdam(opts.learningRate);
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const loss = await trainWeightedEpoch(tam, data, rows, weights, {
        batchSize: opts.batchSize,
        learningRate: opts.learningRate,
        seed: mixSeed(opts.seed, 0x7a11 + epoch),
        signal,
        optimizer,
        reportEverySteps: 50,
      });
      opts.onEpoch?.(epoch, loss);
    }
  } finally {
    optimizer.dispose();
  }
}
