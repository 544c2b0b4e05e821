// Weighted loss, the training loop (per-sample weights, seeding, early stopping, interruption, no tensor leaks) on the
// deterministic cpu backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { perSampleCrossEntropy, weightedCrossEntropy } from '../../src/core/train/loss';
import { iterateBatches, disposeBatch } from '../../src/core/train/batches';
import { splitRows, trainTam } from '../../src/core/train/train';
import { createTam } from '../../src/core/classifier/create';
import { useBackend } from '../../src/core/tfjs/backend';
import type { EncodedDataset } from '../../src/core/classifier/types';

beforeAll(async () => {
  await useBackend('cpu');
});

/** Toy task: class 1 rows contain token 3, class 0 rows token 4; other tokens are noise. */
function toyData(n: number, maxLenTokens = 6): EncodedDataset {
  const ids = new Int32Array(n * maxLenTokens);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    labels[r] = r % 2;
    const len = 2 + (r % (maxLenTokens - 1));
    for (let t = 0; t < len; t++) ids[r * maxLenTokens + t] = 5 + ((r * 7 + t * 3) % 10);
    ids[r * maxLenTokens + (r % len)] = labels[r] ? 3 : 4;
  }
  return { ids, labels, maxLenTokens, numClasses: 2, labelNames: ['no', 'yes'] };
}

const fastConfig = { kind: 'fast' as const, vocabSize: 16, numClasses: 2, maxLenTokens: 6, seed: 9, dropout: 0, embeddingDim: 8 };

function values(vars: tf.Variable[]): Float32Array[] {
  return vars.map((v) => v.dataSync() as Float32Array).map((a) => Float32Array.from(a));
}

describe('per-sample cross-entropy', () => {
  it('matches hand-computed values; weighted mean at w = 1 equals the mean', () => {
    const logits = tf.tensor2d([[0, 0], [2, 0], [0, Math.log(3)]]);
    const labels = tf.tensor1d([0, 1, 1], 'int32');
    const ce = perSampleCrossEntropy(logits, labels).arraySync();
    const expected = [Math.log(2), Math.log(1 + Math.exp(2)), Math.log(4 / 3)];
    ce.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 5));
    const ones = tf.ones([3]) as tf.Tensor1D;
    const mean = expected.reduce((a, b) => a + b) / 3;
    expect(weightedCrossEntropy(logits, labels, ones).dataSync()[0]).toBeCloseTo(mean, 5);
    expect(weightedCrossEntropy(logits, labels).dataSync()[0]).toBeCloseTo(mean, 5);
    const w = tf.tensor1d([2, 0, 1]);
    expect(weightedCrossEntropy(logits, labels, w).dataSync()[0]).toBeCloseTo((2 * expected[0] + expected[2]) / 3, 5);
    tf.dispose([logits, labels, ones, w]);
  });

  it('a zero-weight sample contributes no gradient', () => {
    const tam = createTam(fastConfig);
    const ids = tf.tensor2d([[3, 5, 0, 0, 0, 0], [4, 6, 7, 0, 0, 0]], undefined, 'int32');
    const labels = tf.tensor1d([1, 0], 'int32');
    const both = tf.variableGrads(() => weightedCrossEntropy(tam.logits(ids, true), labels, tf.tensor1d([1, 0])), tam.variables);
    const firstOnly = tf.variableGrads(
      () => tf.div(weightedCrossEntropy(tam.logits(tf.slice(ids, [0, 0], [1, 6]), true), tf.slice(labels, [0], [1])), 2) as tf.Scalar,
      tam.variables,
    );
    for (const v of tam.variables) {
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(both.grads[v.name], firstOnly.grads[v.name]))).dataSync()[0]);
      expect(diff).toBeLessThan(1e-7);
    }
    tf.dispose([ids, labels, both.value, firstOnly.value, ...Object.values(both.grads), ...Object.values(firstOnly.grads)]);
    tam.dispose();
  });
});

describe('trainTam', () => {
  it('all-zero weights leave the parameters unchanged', async () => {
    const data = toyData(40);
    const tam = createTam(fastConfig);
    const before = values(tam.variables);
    await trainTam(tam, data, { epochs: 2, batchSize: 8, validationFraction: 0, weights: new Float32Array(40) });
    values(tam.variables).forEach((a, k) => a.forEach((x, j) => expect(Math.abs(x - before[k][j])).toBe(0)));
    tam.dispose();
  });

  it('learns the toy task, is deterministic for a seed, and leaks no tensors', async () => {
    const data = toyData(120);
    const start = tf.memory().numTensors;
    const run = async () => {
      const tam = createTam({ ...fastConfig, dropout: 0.2 });
      const steps: number[] = [];
      const result = await trainTam(tam, data, { epochs: 8, batchSize: 16, learningRate: 0.05, seed: 4, patience: 8, reportEverySteps: 1, onProgress: (p) => steps.push(p.loss) });
      const params = values(tam.variables);
      tam.dispose();
      return { result, params, steps };
    };
    const a = await run();
    const b = await run();
    expect(tf.memory().numTensors).toBe(start);
    expect(a.params).toEqual(b.params);
    expect(a.steps).toEqual(b.steps);
    expect(a.result.validationRows).toBe(12);
    expect(a.result.trainRows).toBe(108);
    const last = a.result.history[a.result.bestEpoch];
    expect(last.validationAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(a.result.history[0].trainLoss).toBeGreaterThan(last.trainLoss);
  });

  it('stops early and restores the best epoch; honours an AbortSignal', async () => {
    const data = toyData(60);
    const tam = createTam(fastConfig);
    // A huge learning rate makes validation loss get worse after the first epochs.
    const result = await trainTam(tam, data, { epochs: 30, batchSize: 4, learningRate: 5, patience: 1, seed: 2 });
    const best = Math.min(...result.history.map((h) => h.validationLoss ?? Infinity));
    expect(result.history[result.bestEpoch].validationLoss).toBe(best);
    expect(result.history.length).toBe(result.bestEpoch + 2);
    const controller = new AbortController();
    const run = trainTam(tam, data, {
      epochs: 5,
      batchSize: 4,
      signal: controller.signal,
      reportEverySteps: 1,
      onProgress: (p) => p.step === 2 && controller.abort(),
    });
    await expect(run).rejects.toThrow(/interrupted/);
    tam.dispose();
  });

  it('splits and batches with seeds, trimming to the longest row', () => {
    const s1 = splitRows(50, 0.1, 3);
    expect(s1.validation.length).toBe(5);
    expect([...s1.validation, ...s1.train].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, k) => k));
    expect(splitRows(50, 0.1, 3)).toEqual(s1);
    const data = toyData(10, 6);
    const widths: number[] = [];
    for (const b of iterateBatches(data, { batchSize: 4, rows: [0, 1, 2], weights: new Float32Array(10).fill(0.5) })) {
      widths.push(b.ids.shape[1]);
      expect(b.weights?.arraySync()).toEqual([0.5, 0.5, 0.5]);
      disposeBatch(b);
    }
    expect(widths).toEqual([4]); // rows 0..2 have lengths 2, 3, 4
  });
});
