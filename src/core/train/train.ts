// Our training loop for the TAMs (tfjs's model.fit has no per-sample weights): Adam, loss = mean over the batch of
// wᵢ·CEᵢ, seeded shuffling, early stopping on a seeded held-out split of the (synthetic) training data keeping the
// best parameters, progress callbacks and AbortSignal interruption. Tensors are disposed step by step.
import * as tf from '@tensorflow/tfjs';
import { createAdam } from '../tfjs/fused-adam.ts';
import type { EncodedDataset, Tam } from '../classifier/types.ts';
import { mixSeed } from '../generation/prng.ts';
import { datasetSize, disposeBatch, iterateBatches, shuffleRows } from './batches.ts';
import { weightedCrossEntropy } from './loss.ts';
import { predictLogits } from '../evaluate/predict.ts';

export interface TrainOptions {
  /** Per-sample weights indexed by training row (default all 1). */
  weights?: Float32Array;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Fraction of training rows held out for early stopping (seeded); 0 disables early stopping. */
  validationFraction: number;
  /** Epochs without improvement of the monitored validation score before stopping. */
  patience: number;
  /** What picks the best epoch: lowest validation loss (default) or highest validation accuracy (ties: lower loss). */
  monitor?: 'loss' | 'accuracy';
  seed: number;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  /** Call onProgress (and read the loss back) every this many steps (default 10). */
  reportEverySteps?: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  epochs: 10,
  batchSize: 32,
  learningRate: 1e-3,
  validationFraction: 0.1,
  patience: 2,
  seed: 1,
};

export interface TrainProgress {
  /** 0-based epoch and step within it. */
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  /** Latest batch loss (weighted). */
  loss: number;
  /** Set at the end of an epoch. */
  validation?: { loss: number; accuracy: number };
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  validationLoss: number | null;
  validationAccuracy: number | null;
  seconds: number;
}

export interface TrainResult {
  history: EpochRecord[];
  /** Epoch whose parameters the model now has (best monitored validation score), or the last one without validation. */
  bestEpoch: number;
  stoppedEarly: boolean;
  trainRows: number;
  validationRows: number;
  seconds: number;
}

/** Seeded split of row indices into training and validation parts (validation ≥ 1 row when the fraction is > 0). */
export function splitRows(n: number, validationFraction: number, seed: number): { train: Int32Array; validation: Int32Array } {
  if (!(validationFraction >= 0 && validationFraction < 1)) throw new Error(`validationFraction must be in [0, 1) (got ${validationFraction}).`);
  const order = shuffleRows(Int32Array.from({ length: n }, (_, k) => k), seed);
  const nVal = validationFraction > 0 ? Math.max(1, Math.round(n * validationFraction)) : 0;
  if (n - nVal < 1) throw new Error(`Training set too small (${n} rows) for a ${validationFraction} validation split.`);
  return { validation: order.slice(0, nVal).sort(), train: order.slice(nVal).sort() };
}

function abortError(): Error {
  const err = new Error('Training was interrupted.');
  err.name = 'AbortError';
  return err;
}

/** Mean (weighted) loss and accuracy on the given rows, no dropout. */
export function validationScore(tam: Tam, data: EncodedDataset, rows: Int32Array, weights?: Float32Array): { loss: number; accuracy: number } {
  const logits = predictLogits(tam, data, { rows });
  const labels = Int32Array.from(rows, (r) => data.labels[r]);
  const C = data.numClasses;
  let lossSum = 0;
  let wSum = 0;
  let correct = 0;
  for (let k = 0; k < rows.length; k++) {
    const row = logits.subarray(k * C, (k + 1) * C);
    let max = -Infinity;
    let arg = 0;
    for (let c = 0; c < C; c++) if (row[c] > max) [max, arg] = [row[c], c];
    let z = 0;
    for (let c = 0; c < C; c++) z += Math.exp(row[c] - max);
    const w = weights ? weights[rows[k]] : 1;
    lossSum += w * (Math.log(z) + max - row[labels[k]]);
    wSum += w;
    if (arg === labels[k]) correct += 1;
  }
  return { loss: wSum > 0 ? lossSum / wSum : NaN, accuracy: rows.length ? correct / rows.length : NaN };
}

/** Trains `tam` in place. With validation, the model ends with the parameters of its best validation epoch. */
export async function trainTam(tam: Tam, data: EncodedDataset, options: Partial<TrainOptions> = {}): Promise<TrainResult> {
  const opts: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  const n = datasetSize(data);
  if (data.numClasses !== tam.config.numClasses) throw new Error(`Dataset has ${data.numClasses} classes, the model ${tam.config.numClasses}.`);
  if (opts.weights && opts.weights.length !== n) throw new Error(`Got ${opts.weights.length} weights for ${n} training rows.`);
  if (!(Number.isInteger(opts.epochs) && opts.epochs > 0)) throw new Error(`epochs must be a positive integer (got ${opts.epochs}).`);
  if (!(opts.learningRate > 0)) throw new Error(`learningRate must be > 0 (got ${opts.learningRate}).`);
  const { train, validation } = splitRows(n, opts.validationFraction, mixSeed(opts.seed, 0));
  const stepsPerEpoch = Math.ceil(train.length / opts.batchSize);
  const reportEvery = Math.max(1, opts.reportEverySteps ?? 10);
  const optimizer = createAdam(opts.learningRate);
  const history: EpochRecord[] = [];
  const t0 = performance.now();
  let best: { loss: number; accuracy: number; epoch: number; params: tf.Tensor[] } | null = null;
  const better = (v: { loss: number; accuracy: number }) =>
    !best ||
    (opts.monitor === 'accuracy' ? v.accuracy > best.accuracy || (v.accuracy === best.accuracy && v.loss < best.loss) : v.loss < best.loss);
  let stoppedEarly = false;
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const e0 = performance.now();
      let lossSum = 0;
      let lossCount = 0;
      let step = 0;
      for (const batch of iterateBatches(data, { rows: train, batchSize: opts.batchSize, shuffleSeed: mixSeed(opts.seed, epoch + 1), weights: opts.weights })) {
        if (opts.signal?.aborted) {
          disposeBatch(batch);
          throw abortError();
        }
        const report = step % reportEvery === reportEvery - 1 || step === stepsPerEpoch - 1;
        const loss = optimizer.minimize(() => weightedCrossEntropy(tam.logits(batch.ids, true), batch.labels, batch.weights), report, tam.variables);
        disposeBatch(batch);
        if (loss) {
          const value = loss.dataSync()[0];
          loss.dispose();
          lossSum += value;
          lossCount += 1;
          opts.onProgress?.({ epoch, step, stepsPerEpoch, loss: value });
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
        step += 1;
      }
      const record: EpochRecord = { epoch, trainLoss: lossCount ? lossSum / lossCount : NaN, validationLoss: null, validationAccuracy: null, seconds: 0 };
      if (validation.length) {
        const v = validationScore(tam, data, validation, opts.weights);
        record.validationLoss = v.loss;
        record.validationAccuracy = v.accuracy;
        opts.onProgress?.({ epoch, step: stepsPerEpoch - 1, stepsPerEpoch, loss: record.trainLoss, validation: v });
        if (better(v)) {
          if (best) tf.dispose(best.params);
          best = { loss: v.loss, accuracy: v.accuracy, epoch, params: tam.snapshot() };
        }
      }
      record.seconds = (performance.now() - e0) / 1000;
      history.push(record);
      if (best && epoch - best.epoch >= opts.patience) {
        stoppedEarly = epoch < opts.epochs - 1;
        break;
      }
    }
    if (best) tam.restore(best.params);
  } finally {
    optimizer.dispose();
    if (best) tf.dispose(best.params);
  }
  return {
    history,
    bestEpoch: best ? best.epoch : history.length - 1,
    stoppedEarly,
    trainRows: train.length,
    validationRows: validation.length,
    seconds: (performance.now() - t0) / 1000,
  };
}
