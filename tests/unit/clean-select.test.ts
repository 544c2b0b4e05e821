// The default method's label-free choice on small sets and SunGen's optional θ + inner-loss ranking, on a tiny real
// tfjs bag-of-embeddings model (cpu backend): rank averaging with ties, the cross-fitted score reproduced by hand
// (every synthetic row scored once by a model that never trained on it), the size limit that keeps large sets on the
// held-out split, and the kept rows of the `theta+loss` ranking.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CleaningSession, SELECTION_FOLDS, SUNGEN_FROM_ROWS, type MethodDeps, type MethodOptions } from '../../src/core/clean/methods';
import { stratifiedFolds } from '../../src/core/clean/confident';
import { perClassTopK } from '../../src/core/clean/keep';
import { rankAverage, rankAverageOn, scaledRanks } from '../../src/core/clean/rank';
import { mixSeed } from '../../src/core/generation/prng';
import { perSampleProbabilities } from '../../src/core/train/per-sample';
import { trainEpochs } from '../../src/core/train/epochs';
import type { EncodedDataset, Tam } from '../../src/core/classifier/types';
import { createBagTam, encodeTexts, loadRows } from './sungen-fixture';
import { sharedPath } from '../shared-path.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('rank averaging', () => {
  it('scales ranks to 0…1, gives ties their mean rank, and averages two scores on their own scales', () => {
    expect([...scaledRanks([3, 1, 2])]).toEqual([1, 0, 0.5]);
    expect([...scaledRanks([5, 5, 1, 9])].map((x) => +x.toFixed(4))).toEqual([0.5, 0.5, 0, 1]);
    // θ-like and loss-like scores of different scales: a row first by one and last by the other lands in the middle.
    const avg = rankAverage([0.1, 0.2, 0.3], [-100, -300, -200]);
    expect([...avg]).toEqual([0.5, 0.25, 0.75]);
    expect(() => rankAverage([1], [1, 2])).toThrow(/1 and 2 scores/);
  });

  it('ranks only the given rows and leaves the others at 0', () => {
    // Row 1 is held out with an extreme score; it must not shift the ranks of rows 0, 2, 3.
    const a = Float32Array.from([1, 100, 2, 3]);
    const b = Float32Array.from([3, -100, 2, 1]);
    const out = rankAverageOn(Int32Array.from([0, 2, 3]), a, b, 4);
    expect([...out]).toEqual([0.5, 0, 0.5, 0.5]);
    const c = Float32Array.from([1, 100, 2, 3]);
    expect([...rankAverageOn(Int32Array.from([0, 2, 3]), a, c, 4)]).toEqual([0, 0, 0.5, 1]);
  });
});

const VOCAB = 800;
const LEN = 16;

function bagDeps(): MethodDeps {
  return {
    createTam: (_kind, seed) => createBagTam({ vocabSize: VOCAB, numClasses: 2, maxLenTokens: LEN, seed }),
    train: (tam, d, rows, weights, signal) => trainEpochs(tam, d, rows, weights, { epochs: 1, batchSize: 32, learningRate: 0.01, seed: 1 }, signal),
  };
}

function dataset(count: number): EncodedDataset {
  const { texts, labels, labelNames } = loadRows(sharedPath('data/eval/sst2-validation.jsonl'), count);
  return encodeTexts(texts, labels, labelNames, LEN, VOCAB);
}

// sungenFromRows 0: SunGen stays a candidate on these 360-row sets (the default leaves it out below 1,500 rows).
const OPTS: MethodOptions = { model: 'fast', seed: 5, keepFraction: 0.75, sungenFromRows: 0, sungen: { outerIterations: 2, outerSetSize: 100, evalBatchSize: 128 } };

/** Σ p_y of `tam` over `rows`. */
function sumPy(tam: Tam, data: EncodedDataset, rows: Int32Array): number {
  const p = perSampleProbabilities(tam, data, rows, 128);
  return [...rows].reduce((s, r, k) => s + p[k * 2 + data.labels[r]], 0);
}

describe('cross-fitted selection of the default method', () => {
  it('scores every synthetic row once, by a model that never trained on it (checked by hand for the unweighted candidate)', async () => {
    const data = dataset(360);
    const deps = bagDeps();
    const before = tf.memory().numTensors;
    const session = new CleaningSession(data, deps, { ...OPTS, selectionFolds: 3 });
    let expectedNone = 0;
    try {
      expect(session.crossFitFolds()).toBe(3);
      const run = await session.run('sungen-safe');
      const sel = run.diagnostics.selection!;
      expect(sel.candidates.map((c) => c.method)).toEqual(['sungen-fast', 'filter', 'none']);
      expect(sel.reason).toMatch(/all 360 synthetic rows, each scored by a model that never trained on it: held-out split and 3-fold cross-fit/);

      // By hand: the unweighted model on the training rows scores the held-out split; for each fold of the training
      // rows, an unweighted model trained on every other row (held-out split included) scores the fold.
      const all = Int32Array.from({ length: 360 }, (_, i) => i);
      const full = deps.createTam('fast', OPTS.seed, 'final');
      await deps.train(full, data, session.trainRows, new Float32Array(360).fill(1));
      expectedNone += sumPy(full, data, session.validationRows);
      full.dispose();
      const fold = stratifiedFolds(Int32Array.from(session.trainRows, (r) => data.labels[r]), 2, 3, mixSeed(OPTS.seed, 0xc0f1));
      let scored = session.validationRows.length;
      for (let k = 0; k < 3; k++) {
        const held = session.trainRows.filter((_, j) => fold[j] === k);
        const heldSet = new Set(held);
        const rest = all.filter((r) => !heldSet.has(r));
        const tam = deps.createTam('fast', OPTS.seed, 'final');
        await deps.train(tam, data, rest, new Float32Array(360).fill(1));
        expectedNone += sumPy(tam, data, held);
        tam.dispose();
        scored += held.length;
      }
      expect(scored).toBe(360);
      expect(sel.candidates.find((c) => c.method === 'none')!.score).toBeCloseTo(expectedNone / 360, 5);
      // Cross-fitting is part of the default's cost.
      expect(run.reweightSeconds).toBeGreaterThan(0);
      run.tam.dispose();
    } finally {
      session.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('cross-fits by default only where SunGen is a candidate and the set is under the limit; held-out split otherwise', async () => {
    const data = dataset(360); // 324 training rows
    const session = (o: Partial<MethodOptions>) => new CleaningSession(data, bagDeps(), { ...OPTS, ...o });
    const made = [
      session({}), // SunGen a candidate (sungenFromRows 0): cross-fit by default
      session({ sungenFromRows: undefined }), // below SUNGEN_FROM_ROWS: filter against none, held-out split
      session({ sungenFromRows: undefined, selectionFolds: 3 }), // an explicit value applies to any set under the limit
      session({ selectionFolds: 0 }), // turned off
      session({ selectionFolds: 3, crossFitBelowRows: 300 }), // large set
    ];
    const off = made[3];
    try {
      expect(SELECTION_FOLDS).toBe(3);
      expect(made.map((m) => m.crossFitFolds())).toEqual([3, 0, 3, 0, 0]);
      const run = await off.run('sungen-safe');
      const sel = run.diagnostics.selection!;
      expect(sel.reason).toMatch(/held-out synthetic split/);
      // Without cross-fitting the score of the kept model is its own held-out mean label probability.
      expect(sel.candidates.find((c) => c.method === run.selected)!.score).toBeCloseTo(run.diagnostics.validation.meanLabelProbability, 6);
      run.tam.dispose();
      expect(() => session({ selectionFolds: 1.5 }).crossFitFolds()).toThrow(/selectionFolds must be a whole number/);
    } finally {
      for (const m of made) m.dispose();
    }
  });
});

describe('the default on small sets', () => {
  it('leaves SunGen out of the label-free choice below SUNGEN_FROM_ROWS, without computing it, and says why', async () => {
    expect(SUNGEN_FROM_ROWS).toBe(1500);
    const data = dataset(360);
    const before = tf.memory().numTensors;
    let sungenRounds = 0;
    const small = new CleaningSession(data, bagDeps(), { ...OPTS, sungenFromRows: undefined, onSungenProgress: () => (sungenRounds += 1) });
    const large = new CleaningSession(data, bagDeps(), { ...OPTS, sungenFromRows: 300 });
    try {
      const run = await small.run('sungen-safe');
      const sel = run.diagnostics.selection!;
      expect(sel.candidates.map((c) => c.method)).toEqual(['filter', 'none']);
      expect(['filter', 'none']).toContain(run.selected);
      expect(sel.reason).toMatch(/^SunGen was not a candidate: with 324 training samples \(fewer than 1,500\)/);
      expect(run.theta).toBeUndefined();
      expect(sungenRounds).toBe(0); // SunGen never ran
      // The kept model is the chosen candidate's: its score is its own held-out mean label probability.
      expect(sel.candidates.find((c) => c.method === run.selected)!.score).toBeCloseTo(run.diagnostics.validation.meanLabelProbability, 6);
      run.tam.dispose();
      // From the threshold up (here lowered to 300) SunGen is a candidate again.
      const withSungen = await large.run('sungen-safe');
      expect(withSungen.diagnostics.selection!.candidates.map((c) => c.method)).toEqual(['sungen-fast', 'filter', 'none']);
      expect(withSungen.theta).toBeDefined();
      withSungen.tam.dispose();
    } finally {
      small.dispose();
      large.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('SunGen ranking by θ and inner loss', () => {
  it('keeps the top of each class by the mean of θ\'s rank and the inner loss\'s rank, weighting by θ', async () => {
    const data = dataset(200);
    const session = new CleaningSession(data, bagDeps(), { ...OPTS, sungenRanking: 'theta+loss' });
    try {
      const run = await session.run('sungen-fast');
      const theta = run.theta!;
      const negLoss = run.innerLossScores!;
      const combined = rankAverage(Float32Array.from(session.trainRows, (r) => theta[r]), Float32Array.from(session.trainRows, (r) => negLoss[r]));
      const kept = perClassTopK(combined, Int32Array.from(session.trainRows, (r) => data.labels[r]), 2, 0.75);
      expect([...run.keptRows]).toEqual([...kept].map((k) => session.trainRows[k]));
      // θ alone would keep a different set (the inner loss changes the ranking).
      const byTheta = perClassTopK(Float32Array.from(session.trainRows, (r) => theta[r]), Int32Array.from(session.trainRows, (r) => data.labels[r]), 2, 0.75);
      expect([...byTheta]).not.toEqual([...kept]);
      // Weights are sigmoid(θ), normalised to mean 1 per class over the kept rows.
      const sameClass = [...run.keptRows].filter((r) => data.labels[r] === 0);
      const [a, b] = [sameClass[0], sameClass[sameClass.length - 1]];
      const sig = (x: number) => 1 / (1 + Math.exp(-x));
      expect(run.weights[a] / run.weights[b]).toBeCloseTo(sig(theta[a]) / sig(theta[b]), 4);
      run.tam.dispose();
    } finally {
      session.dispose();
    }
  });
});
