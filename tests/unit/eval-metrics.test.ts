// Metrics on a hand-made confusion matrix and evaluation label checks (cpu backend).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { confusionMatrix, metricsFromConfusion } from '../../src/core/evaluate/metrics';
import { evaluateTam } from '../../src/core/evaluate/evaluate';
import { createTam } from '../../src/core/classifier/create';
import { useBackend } from '../../src/core/tfjs/backend';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('metrics', () => {
  it('computes accuracy, macro-F1 and per-class accuracy from a confusion matrix', () => {
    // true \ pred:  a  b  c
    const m = [
      [5, 1, 0],
      [2, 3, 1],
      [0, 0, 4],
    ];
    const r = metricsFromConfusion(m, ['a', 'b', 'c']);
    expect(r.count).toBe(16);
    expect(r.accuracy).toBeCloseTo(12 / 16, 10);
    expect(r.perClassAccuracy[0]).toBeCloseTo(5 / 6, 10);
    expect(r.perClassAccuracy[1]).toBeCloseTo(3 / 6, 10);
    expect(r.perClassAccuracy[2]).toBeCloseTo(1, 10);
    // F1 = 2tp / (row + col): a 10/13, b 6/10, c 8/9
    expect(r.macroF1).toBeCloseTo((10 / 13 + 6 / 10 + 8 / 9) / 3, 10);
  });

  it('builds the confusion matrix from labels and predictions', () => {
    expect(confusionMatrix([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], 2)).toEqual([[1, 1], [1, 2]]);
    expect(() => confusionMatrix([0], [0, 1], 2)).toThrow(/1 labels and 2 predictions/);
    const empty = metricsFromConfusion([[0, 0], [0, 3]], ['x', 'y']);
    expect(empty.perClassAccuracy[0]).toBeNaN();
    expect(empty.macroF1).toBe(1); // class x never occurs nor is predicted: left out of the average
  });
});

describe('evaluateTam', () => {
  it('evaluates every row and refuses a test set whose labels differ', () => {
    const before = tf.memory().numTensors;
    const tam = createTam({ kind: 'fast', vocabSize: 10, numClasses: 2, maxLenTokens: 4, seed: 1, dropout: 0 });
    const test = { ids: Int32Array.from([2, 3, 0, 0, 4, 0, 0, 0, 5, 6, 7, 8]), labels: Int32Array.from([0, 1, 1]), maxLenTokens: 4, numClasses: 2, labelNames: ['neg', 'pos'] };
    const r = evaluateTam(tam, test, ['neg', 'pos'], { batchSize: 2 });
    expect(r.count).toBe(3);
    expect(r.predictions.length).toBe(3);
    expect(r.confusion.flat().reduce((a, b) => a + b)).toBe(3);
    expect(() => evaluateTam(tam, test, ['negative', 'positive'])).toThrow(/labels \[neg, pos\] do not match the task's labels \[negative, positive\]/);
    tam.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
