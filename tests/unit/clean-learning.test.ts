// Cleaning methods learning on real generated reviews (tiny real tfjs bag-of-embeddings model, cpu backend):
// SunGen sinks deliberately flipped labels, its class-centred θ step keeps every class's mean weight equal (the
// official update lets whole classes drift), and the default method survives bad training sets — 95/5 imbalance,
// exact duplicates, a class of identical samples, fewer than 100 rows — with a clear warning and no collapse.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { runMethod, type MethodDeps } from '../../src/core/clean/methods';
import { sungenReweight } from '../../src/core/clean/sungen/reweight';
import { flipLabels, noiseAuc, rocAuc } from '../../src/core/clean/noise';
import { trainEpochs } from '../../src/core/train/epochs';
import type { EncodedDataset } from '../../src/core/classifier/types';
import { createBagTam, encodeTexts, loadRows } from './sungen-fixture';
import { sharedPath } from '../shared-path.ts';

const SYNTHETIC = sharedPath('data/synthetic/imdb-gpt2-xl-small.jsonl');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function deps(vocabSize: number, maxLen: number): MethodDeps {
  return {
    createTam: (_kind, seed) => createBagTam({ vocabSize, numClasses: 2, maxLenTokens: maxLen, seed, dim: 16 }),
    train: (tam, d, rows, weights, signal) => trainEpochs(tam, d, rows, weights, { epochs: 2, batchSize: 32, learningRate: 0.02, seed: 1 }, signal),
  };
}

const classMean = (x: Float32Array, labels: Int32Array, c: number) => {
  let s = 0;
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    if (labels[i] === c) {
      s += x[i];
      k += 1;
    }
  }
  return s / k;
};

describe('SunGen on generated reviews with 20 % flipped labels', () => {
  it('gives the flipped samples lower weights than the others, with class-centred steps that keep class means equal', async () => {
    const { texts, labels, labelNames } = loadRows(SYNTHETIC, 500);
    const clean = encodeTexts(texts, labels, labelNames, 32, 3000);
    const { data, flipped } = flipLabels(clean, 0.2, 11);
    const opts = { outerIterations: 10, outerSetSize: 500, innerBatchSize: 32, innerLearningRate: 0.05, evalBatchSize: 250, seed: 2 };
    const tam = createBagTam({ vocabSize: 3000, numClasses: 2, maxLenTokens: 32, seed: 1, dim: 16 });
    const before = tf.memory().numTensors;
    const centred = await sungenReweight(tam, data, opts);
    const official = await sungenReweight(tam, data, { ...opts, classCentering: 'none', balancedOuterLoss: false });
    expect(tf.memory().numTensors).toBe(before);
    tam.dispose();

    const w = centred.weights;
    const mean = (pick: (i: number) => boolean) => {
      const xs = [...w].filter((_, i) => pick(i));
      return xs.reduce((s, x) => s + x, 0) / xs.length;
    };
    const auc = noiseAuc(w, flipped);
    // Measured: flipped 0.42 vs others 0.55, noise AUC 0.67 (chance 0.5; null std ≈ 0.03 at 100 vs 400 samples).
    // The official update reached noise AUC 0.61 while its θ predicted the class with AUC 0.92 (centred: 0.63).
    expect(mean((i) => flipped[i] === 1)).toBeLessThan(mean((i) => flipped[i] === 0) - 0.03);
    expect(auc).toBeGreaterThan(0.58);
    // Centred: each class's mean θ stays at 0; the official update lets the class means drift apart.
    for (const c of [0, 1]) expect(Math.abs(classMean(centred.theta, data.labels, c))).toBeLessThan(1e-4);
    const drift = Math.abs(classMean(official.theta, data.labels, 0) - classMean(official.theta, data.labels, 1));
    expect(drift).toBeGreaterThan(0.05);
    // How well the weights predict the class (0.5 = not at all) moves towards 0.5 with centring.
    const classAuc = (x: Float32Array) => Math.abs(rocAuc(x, Uint8Array.from(data.labels)) - 0.5);
    expect(classAuc(centred.theta)).toBeLessThan(classAuc(official.theta));
  });
});

/** Rows of the synthetic set as a dataset with the given per-class counts (class-balanced prefix, then trimmed). */
function subset(counts: [number, number], maxLen = 24): { data: EncodedDataset; texts: string[] } {
  const { texts, labels, labelNames } = loadRows(SYNTHETIC, 1300);
  const pick: number[] = [];
  const seen = [0, 0];
  labels.forEach((y, i) => {
    if (seen[y] < counts[y]) {
      seen[y] += 1;
      pick.push(i);
    }
  });
  const t = pick.map((i) => texts[i]);
  return { data: encodeTexts(t, pick.map((i) => labels[i]), labelNames, maxLen, 2000), texts: t };
}

describe('the default method on bad training sets', () => {
  // sungenFromRows 0: these sets are below the size where the default leaves SunGen out, and SunGen is what is tested.
  const opts = { model: 'fast' as const, seed: 3, keepFraction: 0.8, sungenFromRows: 0, sungen: { outerIterations: 3, outerSetSize: 300, evalBatchSize: 256, innerLearningRate: 0.05 } };

  it('95/5 imbalance: warns that the class is rare, keeps it, and does not collapse', async () => {
    const { data } = subset([570, 30]);
    const run = await runMethod('sungen-safe', data, deps(2000, 24), opts);
    try {
      expect(run.diagnostics.guard.warnings.join(' ')).toMatch(/"positive" is rare: 27 of 540 samples \(5\.0 %\)/);
      expect([...run.keptRows].filter((r) => data.labels[r] === 1).length).toBeGreaterThan(0);
      expect(run.diagnostics.selection?.candidates.map((c) => c.method)).toEqual(['sungen-fast', 'filter', 'none']);
      if (run.selected !== 'none') expect(run.diagnostics.guard.collapsed).toBe(false);
    } finally {
      run.tam.dispose();
    }
  });

  it('fewer than 100 rows, or a class whose samples are all identical: warns and trains without reweighting', async () => {
    const tiny = subset([40, 40]).data;
    const small = await runMethod('sungen-safe', tiny, deps(2000, 24), opts);
    expect(small.selected).toBe('none');
    expect(small.diagnostics.guard.warnings.join(' ')).toMatch(/Only 72 training samples/);
    expect(small.diagnostics.selection?.reason).toMatch(/not fit for reweighting/);
    small.tam.dispose();

    const { data } = subset([150, 150]);
    const same = { ...data, ids: Int32Array.from(data.ids) };
    const first = [...data.labels].indexOf(1);
    for (let r = 0; r < data.labels.length; r++) if (data.labels[r] === 1) same.ids.set(data.ids.subarray(first * 24, first * 24 + 24), r * 24);
    const run = await runMethod('sungen-safe', same, deps(2000, 24), opts);
    expect(run.selected).toBe('none');
    expect(run.diagnostics.guard.warnings.join(' ')).toMatch(/All samples of "positive" are the same text/);
    run.tam.dispose();
  });

  it('exact duplicates: counts them in a warning and still runs every method', async () => {
    const { data } = subset([100, 100]);
    const n = data.labels.length;
    const doubled: EncodedDataset = { ...data, ids: new Int32Array(2 * n * 24), labels: new Int32Array(2 * n) };
    doubled.ids.set(data.ids);
    doubled.ids.set(data.ids, n * 24);
    doubled.labels.set(data.labels);
    doubled.labels.set(data.labels, n);
    const run = await runMethod('sungen-safe', doubled, deps(2000, 24), opts);
    expect(run.diagnostics.guard.warnings.join(' ')).toMatch(/samples \(\d+\.\d %\) repeat an earlier sample exactly/);
    expect(run.diagnostics.inspection.duplicates).toBeGreaterThan(100);
    expect(['sungen-fast', 'filter', 'none']).toContain(run.selected);
    run.tam.dispose();
  });
});
