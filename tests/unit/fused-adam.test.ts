// FusedAdam (one fused loop per parameter on the CPU backends) must follow tfjs's Adam: same parameters after many
// steps of a real model on real data, on wasm and on cpu, without leaking tensors or touching snapshots.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../src/core/tfjs/node-wasm-paths';
import { useBackend } from '../../src/core/tfjs/backend';
import { loadTrainingJsonl } from '../../src/core/data/load';
import { createTam } from '../../src/core/classifier/create';
import { perSampleCrossEntropy } from '../../src/core/train/loss';
import { gatherIds, gatherLabels } from '../../src/core/train/rows';
import { createAdam, FusedAdam } from '../../src/core/tfjs/fused-adam';
import { sharedPath } from '../shared-path.ts';

const train = loadTrainingJsonl(readFileSync(sharedPath('data/synthetic/imdb-gpt2-xl-small.jsonl'), 'utf8'), { labelNames: ['negative', 'positive'], minCount: 2 });

/** Parameters of a fast TAM after `steps` weighted-CE steps with `optimizer`, plus a snapshot taken before training. */
function trainWith(optimizer: tf.Optimizer, kind: 'fast' | 'lstm', steps: number): { params: Float32Array[]; snapshotIntact: boolean } {
  const tam = createTam({ kind, vocabSize: train.vocab.tokens.length, numClasses: 2, maxLenTokens: 64, seed: 3, dropout: 0.2, embeddingDim: 16, hiddenSize: 8 });
  const snapshot = tam.snapshot();
  const before = snapshot.map((t) => Float32Array.from(t.dataSync() as Float32Array));
  const n = train.data.labels.length;
  for (let s = 0; s < steps; s++) {
    const batch = Int32Array.from({ length: 32 }, (_, k) => (s * 32 + k) % n);
    const ids = gatherIds(train.data, batch);
    const labels = gatherLabels(train.data, batch);
    optimizer.minimize(() => tf.mean(perSampleCrossEntropy(tam.logits(ids, true), labels)) as tf.Scalar, false, tam.variables);
    tf.dispose([ids, labels]);
  }
  const params = tam.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  const snapshotIntact = snapshot.every((t, k) => (t.dataSync() as Float32Array).every((x, i) => x === before[k][i]));
  tam.restore(snapshot);
  const restored = tam.variables.every((v, k) => (v.dataSync() as Float32Array).every((x, i) => x === before[k][i]));
  tf.dispose(snapshot);
  tam.dispose();
  optimizer.dispose();
  return { params, snapshotIntact: snapshotIntact && restored };
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((x, k) => x.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[k][i])))));
  return worst;
}

describe('FusedAdam', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    const kinds = backend === 'wasm' ? (['fast', 'lstm'] as const) : (['fast'] as const);
    it(`follows tf.train.adam on ${backend} (${kinds.join(', ')} TAM, 60 steps) and leaks nothing`, async () => {
      if (backend === 'wasm') await initNodeBackend('wasm');
      else await useBackend('cpu');
      expect(createAdam(1e-2)).toBeInstanceOf(FusedAdam);
      for (const kind of kinds) {
        const start = tf.memory().numTensors;
        const reference = trainWith(tf.train.adam(1e-2), kind, 60);
        const fused = trainWith(new FusedAdam(1e-2), kind, 60);
        expect(tf.memory().numTensors).toBe(start);
        expect(fused.snapshotIntact).toBe(true);
        // Different float rounding only; a wrong moment, bias correction or ε would be off by far more.
        const diff = maxAbsDiff(fused.params, reference.params);
        const moved = maxAbsDiff(reference.params, trainWith(tf.train.adam(1e-2), kind, 1).params);
        const offEps = maxAbsDiff(trainWith(new FusedAdam(1e-2, 0.9, 0.99), kind, 60).params, reference.params);
        console.log(`${backend} ${kind}: |fused − tf.adam| ≤ ${diff.toExponential(2)}; β2 = 0.99 instead: ${offEps.toExponential(2)}; 60 steps moved ${moved.toExponential(2)}`);
        expect(diff).toBeLessThan(1e-3);
        expect(offEps).toBeGreaterThan(100 * diff);
        expect(moved).toBeGreaterThan(1000 * diff);
      }
    }, 120_000);
  }
});
