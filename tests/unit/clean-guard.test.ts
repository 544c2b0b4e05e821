// The pieces around the cleaning methods, on constructed inputs with known answers: ROC-AUC and label flipping, the
// per-class centring of SunGen's θ step, the collapse detector, the label-free selection, cleanlab-style scores,
// stratified splits and the training-set inspection (tiny set, rare class, duplicates, identical class).
import { describe, expect, it } from 'vitest';
import { flipLabels, noiseAuc, rocAuc } from '../../src/core/clean/noise';
import { centerPerClassOn } from '../../src/core/clean/sungen/weight-math';
import { classDistribution, classWeightStats, detectCollapse, minPredictedRatio } from '../../src/core/clean/guard';
import { selectMethod } from '../../src/core/clean/select';
import { confidentLearningScores, stratifiedFolds } from '../../src/core/clean/confident';
import { inspectTrainingSet } from '../../src/core/clean/inspect';
import { parseMethods, stratifiedHoldOut, truncateTokens, DEFAULT_METHOD } from '../../src/core/clean/methods';
import type { EncodedDataset } from '../../src/core/classifier/types';

function dataset(rows: number[][], labels: number[], maxLen = 4): EncodedDataset {
  const ids = new Int32Array(rows.length * maxLen);
  rows.forEach((r, k) => ids.set(r.slice(0, maxLen), k * maxLen));
  return { ids, labels: Int32Array.from(labels), maxLenTokens: maxLen, numClasses: 2, labelNames: ['neg', 'pos'] };
}

describe('ROC-AUC and label flips', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 for ties, and counts ties half', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    // positives {0.3, 0.7}, negatives {0.1, 0.3, 0.5}: 0.3 wins 1 + ties ½ + loses 0, 0.7 wins 3 → 4.5 of 6 pairs
    expect(rocAuc([0.3, 0.7, 0.1, 0.3, 0.5], [1, 1, 0, 0, 0])).toBeCloseTo(4.5 / 6, 12);
    expect(rocAuc([1, 2], [1, 1])).toBeNaN();
    // Low weight = noisy: weights that sink exactly the flipped rows give AUC 1.
    expect(noiseAuc([0.9, 0.1, 0.8, 0.2], Uint8Array.from([0, 1, 0, 1]))).toBe(1);
  });

  it('flips exactly the requested fraction, seeded, each to another class', () => {
    const data = dataset(Array.from({ length: 50 }, (_, i) => [i + 1]), Array.from({ length: 50 }, (_, i) => i % 2));
    const a = flipLabels(data, 0.2, 3);
    const b = flipLabels(data, 0.2, 3);
    expect([...a.flipped].reduce((s, x) => s + x, 0)).toBe(10);
    expect([...a.data.labels]).toEqual([...b.data.labels]);
    for (let i = 0; i < 50; i++) expect(a.data.labels[i] !== data.labels[i]).toBe(a.flipped[i] === 1);
    expect([...data.labels]).toEqual(Array.from({ length: 50 }, (_, i) => i % 2)); // input untouched
    expect(() => flipLabels(data, 1, 1)).toThrow(/\[0, 1\)/);
  });
});

describe('class centring of the θ step', () => {
  it('removes each class mean over the given rows and leaves other rows alone', () => {
    const v = Float32Array.from([1, 3, 10, 20, 7]);
    const labels = Int32Array.from([0, 0, 1, 1, 0]);
    centerPerClassOn(v, [0, 1, 2, 3], labels, 2);
    expect([...v]).toEqual([-1, 1, -5, 5, 7]);
  });
});

describe('collapse guard', () => {
  it('flags a model that predicts one class, unless the unweighted model does the same', () => {
    const collapsed = classDistribution([0, 0, 0, 0, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1, 1, 0], 2);
    expect(collapsed.labelShare[0]).toBeCloseTo(0.4, 12);
    expect(collapsed.predictedShare[0]).toBeCloseTo(0.1, 12);
    expect(minPredictedRatio(collapsed)).toBeCloseTo(0.25, 12);
    const healthy = classDistribution([0, 0, 0, 0, 1, 1, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1, 1, 1, 1, 0], 2);
    const report = detectCollapse({ distribution: collapsed, reference: healthy, labelNames: ['neg', 'pos'] });
    expect(report.collapsed).toBe(true);
    expect(report.reasons[0]).toMatch(/predicts "neg" for 10\.0 %.*40\.0 %/);
    expect(detectCollapse({ distribution: healthy, labelNames: ['neg', 'pos'] }).collapsed).toBe(false);
    // The unweighted model is as one-sided: not the method's doing.
    expect(detectCollapse({ distribution: collapsed, reference: collapsed, labelNames: ['neg', 'pos'] }).collapsed).toBe(false);
  });

  it('flags a weight vector that tracks the class', () => {
    // Constructed collapse: every negative sample near 0.1, every positive near 0.9.
    const labels = Int32Array.from({ length: 20 }, (_, i) => i % 2);
    const weights = Float32Array.from(labels, (y, i) => (y === 0 ? 0.1 : 0.9) + (i % 3) * 0.01);
    const rows = Int32Array.from({ length: 20 }, (_, i) => i);
    const stats = classWeightStats(weights, labels, rows, rows, ['neg', 'pos']);
    expect(stats[0].count).toBe(10);
    expect(stats[0].mean).toBeLessThan(0.13);
    expect(stats[1].mean).toBeGreaterThan(0.89);
    const even = classDistribution([0, 1], [0, 1], 2);
    const report = detectCollapse({ distribution: even, classWeights: stats, labelNames: ['neg', 'pos'] });
    expect(report.collapsed).toBe(true);
    expect(report.reasons[0]).toMatch(/track the class.*"neg"/);
    const fair = classWeightStats(Float32Array.from(labels, (_, i) => 0.4 + (i % 5) * 0.05), labels, rows, rows, ['neg', 'pos']);
    expect(detectCollapse({ distribution: even, classWeights: fair, labelNames: ['neg', 'pos'] }).collapsed).toBe(false);
  });
});

describe('label-free selection', () => {
  it('picks the better of two candidates, prefers the first within the margin, and never a collapsed one', () => {
    const a = { method: 'sungen', score: 0.7, collapsed: false };
    const b = { method: 'none', score: 0.66, collapsed: false };
    expect(selectMethod([a, b], { safe: 'none', margin: 0.01 }).selected).toBe('sungen');
    expect(selectMethod([{ ...a, score: 0.6 }, b], { safe: 'none', margin: 0.01 }).selected).toBe('none');
    expect(selectMethod([{ ...a, score: 0.655 }, b], { safe: 'none', margin: 0.01 }).selected).toBe('sungen');
    const s = selectMethod([{ ...a, score: 0.9, collapsed: true, reasons: ['one class'] }, b], { safe: 'none', margin: 0.01 });
    expect(s.selected).toBe('none');
    expect(s.reason).toMatch(/sungen was rejected: one class/);
    expect(selectMethod([{ ...a, collapsed: true }], { safe: 'none', margin: 0 }).selected).toBe('none');
  });

  it('names the default method in method lists', () => {
    expect(parseMethods('none,default')).toEqual(['none', DEFAULT_METHOD]);
    expect(() => parseMethods('best')).toThrow(/default/);
  });
});

describe('confident learning scores and stratified splits', () => {
  it('ranks a sample whose out-of-fold probabilities contradict its label lowest, adjusting for class thresholds', () => {
    // Class 1 is predicted with lower confidence overall; row 3 (label 1) looks like class 0.
    const probs = Float32Array.from([0.9, 0.1, 0.8, 0.2, 0.4, 0.6, 0.85, 0.15, 0.35, 0.65, 0.45, 0.55]);
    const labels = Int32Array.from([0, 0, 1, 1, 1, 1]);
    const scores = confidentLearningScores(probs, labels, 2);
    const order = [...scores.keys()].sort((x, y) => scores[x] - scores[y]);
    expect(order[0]).toBe(3);
    for (const s of scores) expect(s).toBeGreaterThanOrEqual(0);
  });

  it('deals every class into every fold and holds out a stratified split', () => {
    const labels = Int32Array.from({ length: 40 }, (_, i) => (i < 30 ? 0 : 1));
    const folds = stratifiedFolds(labels, 2, 4, 1);
    for (let k = 0; k < 4; k++) for (const c of [0, 1]) expect([...labels].some((y, i) => y === c && folds[i] === k)).toBe(true);
    const split = stratifiedHoldOut(labels, 2, 0.1, 5);
    expect(split.validation.length).toBe(3 + 1);
    expect(split.train.length + split.validation.length).toBe(40);
    // A class with a single row keeps it for training.
    const lone = stratifiedHoldOut(Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), 2, 0.5, 1);
    expect([...lone.train]).toContain(10);
  });
});

describe('inner-model truncation', () => {
  it('cuts every row to its first tokens and leaves the dataset alone', () => {
    const data = dataset([[1, 2, 3, 4], [5, 6, 0, 0]], [0, 1]);
    const cut = truncateTokens(data, 2);
    expect(cut.maxLenTokens).toBe(2);
    expect([...cut.ids]).toEqual([1, 2, 5, 6]);
    expect([...data.ids]).toEqual([1, 2, 3, 4, 5, 6, 0, 0]);
    expect(truncateTokens(data, 8)).toBe(data);
    expect(() => truncateTokens(data, 0)).toThrow(/positive integer/);
  });
});

describe('training-set inspection', () => {
  it('warns about tiny sets, rare classes, duplicates and identical classes', () => {
    const tiny = inspectTrainingSet(dataset(Array.from({ length: 40 }, (_, i) => [i + 1, 2]), Array.from({ length: 40 }, (_, i) => i % 2)));
    expect(tiny.risky).toBe(true);
    expect(tiny.warnings.join(' ')).toMatch(/Only 40 training samples/);

    const labels = Array.from({ length: 400 }, (_, i) => (i % 20 === 0 ? 1 : 0)); // 95/5
    const rows = Array.from({ length: 400 }, (_, i) => [i + 1, (i % 7) + 1]);
    const rare = inspectTrainingSet(dataset(rows, labels));
    expect(rare.perClass).toEqual([380, 20]);
    expect(rare.warnings.join(' ')).toMatch(/"pos" is rare: 20 of 400 samples \(5\.0 %\)/);
    expect(rare.risky).toBe(false);

    const dup = inspectTrainingSet(dataset([...rows.slice(0, 300), ...rows.slice(0, 100)], labels));
    expect(dup.duplicates).toBe(100);
    expect(dup.warnings.join(' ')).toMatch(/100 of 400 samples \(25\.0 %\) repeat/);

    const same = inspectTrainingSet(dataset(rows.map((r, i) => (i % 2 === 1 ? [5, 6] : r)), Array.from({ length: 400 }, (_, i) => i % 2)));
    expect(same.identicalClasses).toEqual(['pos']);
    expect(same.risky).toBe(true);
    expect(same.warnings.join(' ')).toMatch(/All samples of "pos" are the same text/);
  });
});
