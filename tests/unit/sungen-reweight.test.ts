// SunGen on real tfjs (cpu backend): finite-difference ⟨g, ∇CEᵢ⟩ against tf.grad, determinism, no tensor leaks,
// interruption, and a small end-to-end run on real reviews where deliberately flipped labels must sink.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { directionalDerivatives } from '../../src/core/clean/sungen/directional';
import { perSampleCrossEntropy as crossEntropyPerSample } from '../../src/core/train/loss';
import { gatherIds, gatherLabels } from '../../src/core/train/rows';
import { sungenReweight } from '../../src/core/clean/sungen/reweight';
import { createBagTam, encodeTexts, loadRows } from './sungen-fixture';
import { sharedPath } from '../shared-path.ts';

const SST2_VALIDATION = sharedPath('data/eval/sst2-validation.jsonl');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function tinyData(n: number) {
  const ids = new Int32Array(n * 6);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let k = 0; k < 6; k++) ids[i * 6 + k] = k < 3 + (i % 4) ? 2 + ((i * 7 + k * 3 + labels[i] * 5) % 30) : 0;
  }
  return { ids, labels, maxLenTokens: 6, numClasses: 2, labelNames: ['a', 'b'] };
}

describe('directional derivatives', () => {
  it('central difference ⟨g, ∇CEᵢ⟩ matches tf.grad per sample', () => {
    const data = tinyData(12);
    const tam = createBagTam({ vocabSize: 40, numClasses: 2, maxLenTokens: 6, seed: 3 });
    const direction = tam.variables.map((v, k) => tf.randomNormal(v.shape, 0, 1, 'float32', 100 + k));
    const rows = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const before = tam.variables.map((v) => v.dataSync().slice());
    const approx = directionalDerivatives(tam, data, rows, direction, { epsilon: 1e-2, batchSize: 5 });
    for (let r = 0; r < rows.length; r++) {
      const ids = gatherIds(data, [r]);
      const labels = gatherLabels(data, [r]);
      const { grads } = tf.variableGrads(() => tf.sum(crossEntropyPerSample(tam.logits(ids, false), labels)) as tf.Scalar, tam.variables);
      const exact = tam.variables.reduce((acc, v, k) => acc + tf.sum(tf.mul(grads[v.name], direction[k])).dataSync()[0], 0);
      expect(approx[r]).toBeCloseTo(exact, 2);
      expect(Math.abs(approx[r] - exact)).toBeLessThan(1e-3 * Math.max(1, Math.abs(exact)));
      tf.dispose([ids, labels, ...Object.values(grads)]);
    }
    // Parameters restored exactly.
    tam.variables.forEach((v, k) => expect(Array.from(v.dataSync())).toEqual(Array.from(before[k])));
    tf.dispose(direction);
    tam.dispose();
  });
});

describe('sungenReweight', () => {
  const opts = { outerIterations: 3, outerSetSize: 20, innerBatchSize: 8, evalBatchSize: 16, seed: 5 };

  it('is deterministic for a seed, leaks no tensors and restores the initial TAM', async () => {
    const data = tinyData(40);
    const tam = createBagTam({ vocabSize: 40, numClasses: 2, maxLenTokens: 6, seed: 9 });
    const init = tam.variables.map((v) => Array.from(v.dataSync()));
    const tensorsBefore = tf.memory().numTensors;
    const a = await sungenReweight(tam, data, opts);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const b = await sungenReweight(tam, data, opts);
    expect(Array.from(a.theta)).toEqual(Array.from(b.theta));
    expect(a.history).toHaveLength(3);
    expect(a.weights.length).toBe(40);
    tam.variables.forEach((v, k) => expect(Array.from(v.dataSync())).toEqual(init[k]));
    tam.dispose();
  });

  it('with a held-out outer set, leaves the outer rows at θ = 0 and weights the rest; runs several inner epochs', async () => {
    const data = tinyData(40);
    const tam = createBagTam({ vocabSize: 40, numClasses: 2, maxLenTokens: 6, seed: 9 });
    const result = await sungenReweight(tam, data, { ...opts, outerHeldOut: true, innerEpochs: 2 });
    const zero = [...result.theta].filter((t) => t === 0).length;
    expect(zero).toBe(20); // exactly the outer subset
    expect([...result.theta].filter((t) => t !== 0).length).toBe(20);
    await expect(sungenReweight(tam, data, { ...opts, innerEpochs: 0 })).rejects.toThrow(/innerEpochs/);
    await expect(sungenReweight(tam, data, { ...opts, outerHeldOut: true, outerSetSize: 40 })).rejects.toThrow(/held-out/);
    tam.dispose();
  });

  it('reports progress and stops on abort', async () => {
    const data = tinyData(40);
    const tam = createBagTam({ vocabSize: 40, numClasses: 2, maxLenTokens: 6, seed: 9 });
    const controller = new AbortController();
    const phases: string[] = [];
    const run = sungenReweight(tam, data, { ...opts, outerIterations: 50 }, {
      signal: controller.signal,
      onProgress: (p) => {
        phases.push(p.phase);
        if (p.phase === 'hypergradient' && p.iteration === 2) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(/interrupted/);
    expect(phases).toContain('inner');
    expect(phases).toContain('outer');
    expect(phases.filter((p) => p === 'hypergradient')).toHaveLength(2);
    tam.dispose();
  });

  it('on real reviews, gives deliberately flipped labels lower weights than clean ones', async () => {
    const { texts, labels, labelNames } = loadRows(SST2_VALIDATION, 400);
    const flipped = labels.map((_, i) => i % 5 === 0); // 20 % noise
    const noisy = labels.map((y, i) => (flipped[i] ? 1 - y : y));
    const data = encodeTexts(texts, noisy, labelNames, 24, 2000);
    const tam = createBagTam({ vocabSize: 2000, numClasses: 2, maxLenTokens: 24, seed: 1, dim: 16 });
    const result = await sungenReweight(tam, data, {
      outerIterations: 8,
      outerSetSize: 400,
      innerBatchSize: 32,
      innerLearningRate: 0.05,
      evalBatchSize: 200,
      seed: 2,
    });
    const clean = [...result.weights].filter((_, i) => !flipped[i]);
    const noisyW = [...result.weights].filter((_, i) => flipped[i]);
    const mean = (ws: number[]) => ws.reduce((s, x) => s + x, 0) / ws.length;
    // AUC: chance that a clean sample outweighs a flipped one (0.5 = no signal; null-hypothesis std ≈ 0.036 here;
    // measured 0.62 with these settings).
    let auc = 0;
    for (const a of clean) for (const b of noisyW) auc += a > b ? 1 : a === b ? 0.5 : 0;
    auc /= clean.length * noisyW.length;
    expect(result.history[result.history.length - 1].weightStats.std).toBeGreaterThan(0.05); // the weights moved
    expect(mean(noisyW)).toBeLessThan(mean(clean) - 0.04);
    expect(auc).toBeGreaterThan(0.58);
    // The mean inner loss at φ* (a by-product of the finite differences) is higher for the flipped samples.
    const lossAuc = (() => {
      const lc = [...result.meanInnerLoss].filter((_, i) => !flipped[i]);
      const ln = [...result.meanInnerLoss].filter((_, i) => flipped[i]);
      let u = 0;
      for (const a of lc) for (const b of ln) u += a < b ? 1 : a === b ? 0.5 : 0;
      return u / (lc.length * ln.length);
    })();
    console.log(`flipped-label AUC: θ ${auc.toFixed(3)}, mean inner loss ${lossAuc.toFixed(3)}`);
    expect(result.meanInnerLoss.every((x) => Number.isFinite(x) && x > 0)).toBe(true);
    expect(lossAuc).toBeGreaterThan(0.58);
    tam.dispose();
  });
});
