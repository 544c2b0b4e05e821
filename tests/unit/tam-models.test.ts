// TAM building blocks on the deterministic cpu backend: seeded orthogonal init, the scatterND embedding gradient,
// our fused BiLSTM (outputs AND hand-written gradients) against tf.layers.bidirectional(lstm) with the same weights,
// including padding / per-row reversal, and the other two models' shapes and seeding.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { orthogonalValues } from '../../src/core/classifier/init';
import { embedLookup } from '../../src/core/classifier/ops';
import { BiLstmTam } from '../../src/core/classifier/bilstm';
import { createTam } from '../../src/core/classifier/create';
import { useBackend } from '../../src/core/tfjs/backend';
import type { TamConfig } from '../../src/core/classifier/types';

beforeAll(async () => {
  await useBackend('cpu');
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('seeded initialisers', () => {
  it('orthogonal: rows (or columns) are orthonormal and the seed decides the values', () => {
    for (const [r, c] of [[6, 24], [24, 6], [5, 5]]) {
      const q = tf.tensor2d(orthogonalValues(r, c, 7), [r, c]);
      const gram = r <= c ? tf.matMul(q, q, false, true) : tf.matMul(q, q, true, false);
      expect(maxAbsDiff(gram, tf.eye(Math.min(r, c)))).toBeLessThan(1e-5);
      tf.dispose([q, gram]);
    }
    expect(orthogonalValues(4, 8, 1)).toEqual(orthogonalValues(4, 8, 1));
    expect(orthogonalValues(4, 8, 1)).not.toEqual(orthogonalValues(4, 8, 2));
  });
});

describe('scatterND embedding gradient', () => {
  it('equals tf.grad of the default gather (duplicate ids summed)', () => {
    const table = tf.tensor2d(Array.from({ length: 7 * 3 }, (_, k) => Math.sin(k)), [7, 3]);
    const ids = tf.tensor1d([3, 1, 3, 0, 6, 3], 'int32');
    const weights = tf.tensor2d(Array.from({ length: 6 * 3 }, (_, k) => Math.cos(k)), [6, 3]);
    const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embedLookup(t as tf.Tensor2D, ids), weights)))(table);
    const reference = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), weights)))(table);
    expect(maxAbsDiff(ours, reference)).toBeLessThan(1e-6);
    tf.dispose([table, ids, weights, ours, reference]);
  });
});

describe('fused BiLSTM', () => {
  const V = 11;
  const D = 5;
  const H = 4;
  const config: TamConfig = { kind: 'lstm', vocabSize: V, numClasses: 3, maxLenTokens: 6, seed: 3, dropout: 0, embeddingDim: D, hiddenSize: H };
  // Rows of different real lengths (padding at the end), one full row, one single token.
  const idRows = [
    [2, 5, 7, 0, 0, 0],
    [9, 3, 4, 8, 10, 6],
    [4, 0, 0, 0, 0, 0],
  ];

  it('matches tf.layers.bidirectional(lstm) with the same weights: outputs and gradients', () => {
    const tam = new BiLstmTam(config);
    const ids = tf.tensor2d(idRows, undefined, 'int32');
    const bidi = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: H, recurrentActivation: 'sigmoid' }) as tf.RNN, mergeMode: 'concat' });
    const B = idRows.length;
    const T = idRows[0].length;
    const refOut = (x: tf.Tensor) => bidi.apply(x, { mask: tf.greater(ids, 0) }) as tf.Tensor2D;
    tf.tidy(() => refOut(tf.zeros([B, T, D])));
    bidi.setWeights([tam.kernelFwd, tam.recurrentFwd, tam.biasFwd, tam.kernelBwd, tam.recurrentBwd, tam.biasBwd]);
    const embed = () => tf.reshape(embedLookup(tam.embedding as tf.Tensor2D, tf.reshape(ids, [-1]) as tf.Tensor1D), [B, T, D]);
    const probe = tf.tensor2d(Array.from({ length: B * 2 * H }, (_, k) => Math.sin(3 * k + 1)), [B, 2 * H]);

    const ours = tf.tidy(() => tam.encode(ids));
    const reference = tf.tidy(() => refOut(embed()));
    expect(ours.shape).toEqual([B, 2 * H]);
    expect(maxAbsDiff(ours, reference)).toBeLessThan(1e-5);

    // Gradients of sum(out * probe) w.r.t. embedding and both directions' kernels.
    const lstmVars = [tam.embedding, tam.kernelFwd, tam.recurrentFwd, tam.biasFwd, tam.kernelBwd, tam.recurrentBwd, tam.biasBwd];
    const g1 = tf.variableGrads(() => tf.sum(tf.mul(tam.encode(ids), probe)), lstmVars);
    const layerVars = bidi.trainableWeights.map((w) => w.read()) as tf.Variable[];
    const g2 = tf.variableGrads(() => tf.sum(tf.mul(refOut(embed()), probe)), [tam.embedding, ...layerVars]);
    const ourGrads = lstmVars.map((v) => g1.grads[v.name]);
    const refGrads = [tam.embedding, ...layerVars].map((v) => g2.grads[v.name]);
    ourGrads.forEach((g, k) => {
      expect(g.shape).toEqual(refGrads[k].shape);
      expect(maxAbsDiff(g, refGrads[k])).toBeLessThan(1e-5);
    });
    expect(tf.tidy(() => tf.sum(tf.abs(ourGrads[2])).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([ids, probe, ours, reference, g1.value, g2.value, ...Object.values(g1.grads), ...Object.values(g2.grads)]);
    bidi.dispose();
    tam.dispose();
  });

  it('gives the same output for a row alone, padded wider, or in a batch (padding is ignored)', () => {
    const tam = new BiLstmTam(config);
    const alone = tf.tidy(() => tam.encode(tf.tensor2d([[2, 5, 7]], undefined, 'int32')));
    const batch = tf.tidy(() => tam.encode(tf.tensor2d(idRows, undefined, 'int32')));
    const first = tf.tidy(() => tf.slice(batch, [0, 0], [1, 2 * H]));
    expect(maxAbsDiff(alone, first)).toBeLessThan(1e-6);
    tf.dispose([alone, batch, first]);
    tam.dispose();
  });
});

describe('createTam', () => {
  const base = { vocabSize: 30, numClasses: 2, maxLenTokens: 8, seed: 5, dropout: 0.5 } as const;
  const ids = () => tf.tensor2d([[3, 4, 5, 0, 0, 0, 0, 0], [7, 8, 9, 10, 11, 12, 13, 14]], undefined, 'int32');

  it.each([
    { kind: 'lstm', embeddingDim: 6, hiddenSize: 5 },
    { kind: 'transformer', embeddingDim: 16 },
    { kind: 'fast', embeddingDim: 8, bigramBuckets: 16 },
  ] as const)('$kind: logits [B, C], seeded, snapshot/restore, no leaks', (extra) => {
    const before = tf.memory().numTensors;
    const x = ids();
    const a = createTam({ ...base, ...extra });
    const b = createTam({ ...base, ...extra });
    const la = a.logits(x, false);
    const lb = b.logits(x, false);
    expect(la.shape).toEqual([2, 2]);
    expect(maxAbsDiff(la, lb)).toBe(0);
    const snap = a.snapshot();
    tf.tidy(() => a.variables.forEach((v) => v.assign(tf.zerosLike(v))));
    a.restore(snap);
    const again = a.logits(x, false);
    expect(maxAbsDiff(la, again)).toBe(0);
    const dropped = a.logits(x, true); // dropout active: differs from inference
    expect(maxAbsDiff(la, dropped)).toBeGreaterThan(0);
    tf.dispose([x, la, lb, again, dropped, ...snap]);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad configs and inputs with clear errors', () => {
    expect(() => createTam({ ...base, kind: 'cnn' as never })).toThrow(/Unknown TAM kind "cnn"/);
    expect(() => createTam({ ...base, kind: 'fast', dropout: 1 })).toThrow(/dropout must be in \[0, 1\)/);
    const tam = createTam({ ...base, kind: 'fast' });
    const wide = tf.zeros([1, 9], 'int32') as tf.Tensor2D;
    expect(() => tam.logits(wide, false)).toThrow(/at most 8/);
    wide.dispose();
    tam.dispose();
  });
});
