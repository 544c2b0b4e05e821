// Benchmark harness methods: per-class weight normalisation, method parsing, and each method end to end on a tiny
// real tfjs model (cpu backend).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { innerLearningRateFor, parseMethods, runMethod, type MethodDeps } from '../../src/core/clean/methods';
import { normaliseKeptWeights } from '../../src/core/clean/keep';
import { trainEpochs } from '../../src/core/train/epochs';
import { createBagTam, encodeTexts, loadRows } from './sungen-fixture';
import { sharedPath } from '../shared-path.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('normaliseKeptWeights', () => {
  it('rescales kept weights to mean 1 within each class and zeroes the rest', () => {
    const raw = Float32Array.from([0.1, 0.3, 0.9, 0.7, 0.5]);
    const labels = Int32Array.from([0, 0, 1, 1, 1]);
    const w = normaliseKeptWeights(raw, Int32Array.from([0, 1, 2, 3]), labels, 2);
    expect(w[0]).toBeCloseTo(0.5, 6);
    expect(w[1]).toBeCloseTo(1.5, 6);
    expect(w[2]).toBeCloseTo(1.125, 6);
    expect(w[3]).toBeCloseTo(0.875, 6);
    expect(w[4]).toBe(0);
  });
  it('rejects unknown methods with the list of valid ones', () => {
    expect(parseMethods('none, sungen-fast')).toEqual(['none', 'sungen-fast']);
    expect(() => parseMethods('none,magic')).toThrow(/Unknown method "magic".*filter/);
  });
});

/** Tiny bag-of-embeddings TAMs trained one epoch: fast, real tfjs deps for the method harness. */
function bagDeps(): MethodDeps {
  return {
    createTam: (_kind, seed) => createBagTam({ vocabSize: 800, numClasses: 2, maxLenTokens: 16, seed }),
    train: (tam, d, rows, weights, signal) => trainEpochs(tam, d, rows, weights, { epochs: 1, batchSize: 32, learningRate: 0.01, seed: 1 }, signal),
  };
}

describe('runMethod', () => {
  it('runs none, filter and sungen-fast with timings, keeping every class', async () => {
    const { texts, labels, labelNames } = loadRows(sharedPath('data/eval/sst2-validation.jsonl'), 120);
    const data = encodeTexts(texts, labels, labelNames, 16, 800);
    const deps = bagDeps();
    const before = tf.memory().numTensors;
    for (const method of ['none', 'filter', 'sungen-fast'] as const) {
      const run = await runMethod(method, data, deps, { model: 'fast', seed: 3, keepFraction: 0.75, sungen: { outerIterations: 2, outerSetSize: 60, evalBatchSize: 64 } });
      // 10 % of each class (6) is held out for the guard: 108 training rows, 41 of 54 kept per class.
      expect(run.keptRows.length).toBe(method === 'none' ? 108 : 82);
      expect(run.diagnostics.validation.rows).toBe(12);
      expect(run.diagnostics.classWeights.map((c) => c.count)).toEqual([54, 54]);
      for (const r of run.keptRows) expect(run.weights[r]).toBeGreaterThan(0);
      for (const c of [0, 1]) expect([...run.keptRows].some((r) => data.labels[r] === c)).toBe(true);
      expect(run.trainSeconds).toBeGreaterThan(0);
      if (method !== 'none') expect(run.reweightSeconds).toBeGreaterThan(0);
      if (method === 'sungen-fast') expect(run.theta?.length).toBe(120);
      run.tam.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('with hard final weights trains SunGen\'s kept rows at weight 1; inner learning rate is set per model kind', async () => {
    const { texts, labels, labelNames } = loadRows(sharedPath('data/eval/sst2-validation.jsonl'), 80);
    const data = encodeTexts(texts, labels, labelNames, 16, 800);
    const deps = bagDeps();
    const run = await runMethod('sungen-fast', data, deps, {
      model: 'fast',
      seed: 3,
      keepFraction: 0.5,
      sungenFinalWeights: 'hard',
      sungen: { outerIterations: 2, outerSetSize: 40, evalBatchSize: 64 },
    });
    expect(run.keptRows.length).toBe(36); // 18 of the 36 training rows per class (8 held out)
    for (const r of run.keptRows) expect(run.weights[r]).toBe(1);
    run.tam.dispose();
    expect(innerLearningRateFor('fast')).toBe(1e-2);
    expect(innerLearningRateFor('lstm')).toBe(1e-3);
  });

  it('uses a few real labelled rows as SunGen\'s outer set and the default\'s selection set, never training on them', async () => {
    const { texts, labels, labelNames } = loadRows(sharedPath('data/eval/sst2-validation.jsonl'), 370);
    const data = encodeTexts(texts, labels, labelNames, 16, 800);
    const realRows = Int32Array.from({ length: 20 }, (_, k) => 350 + k); // the last 20 rows play the real examples
    const run = await runMethod('sungen-safe', data, bagDeps(), {
      model: 'fast',
      seed: 3,
      keepFraction: 0.75,
      realRows,
      realAsOuter: true,
      sungen: { outerIterations: 2, outerSetSize: 60, evalBatchSize: 64 },
    });
    try {
      for (const r of realRows) {
        expect(run.theta![r]).toBe(0); // held out of SunGen's weighting
        expect(run.weights[r]).toBe(0); // and of the final training
      }
      expect(run.diagnostics.inspection.rows).toBe(316); // 350 synthetic rows minus the 10 % validation split (17 + 17)
      expect(run.diagnostics.realValidation?.rows).toBe(20);
      // Real rows choose, so SunGen is a candidate even on this small set.
      expect(run.diagnostics.selection!.candidates.map((c) => c.method)).toEqual(['sungen-fast', 'filter', 'none']);
      // Selection scores are accuracies on the 20 real rows (multiples of 1/20), not synthetic label probabilities.
      for (const c of run.diagnostics.selection!.candidates) expect(c.score * 20).toBeCloseTo(Math.round(c.score * 20), 6);
    } finally {
      run.tam.dispose();
    }
  });
});
