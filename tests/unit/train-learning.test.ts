// Learning on real data with the wasm backend in Node: train the fast TAM on 1,379 GPT2-XL-generated IMDb reviews,
// evaluate on the real SST-2 test set; also a tiny BiLSTM training run and a tiny throughput measurement on wasm.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../src/core/tfjs/node-wasm-paths';
import { loadTestJsonl, loadTrainingJsonl } from '../../src/core/data/load';
import { createTam } from '../../src/core/classifier/create';
import { trainTam } from '../../src/core/train/train';
import { evaluateTam } from '../../src/core/evaluate/evaluate';
import { measureLstmThroughput } from '../../src/core/classifier/throughput';
import { sharedPath } from '../shared-path.ts';

const labels = ['negative', 'positive'];

beforeAll(async () => {
  await initNodeBackend('wasm');
  expect(tf.getBackend()).toBe('wasm');
});

describe('learning on real data (wasm)', () => {
  const train = loadTrainingJsonl(readFileSync(sharedPath('data/synthetic/imdb-gpt2-xl-small.jsonl'), 'utf8'), { labelNames: labels, minCount: 2 });
  const test = loadTestJsonl(readFileSync(sharedPath('data/eval/sst2-test.jsonl'), 'utf8'), train.vocab, { labelNames: labels, source: 'sst2-test.jsonl' });

  it('fast TAM trained on synthetic IMDb beats chance on SST-2 test', async () => {
    const before = tf.memory().numTensors;
    const tam = createTam({ kind: 'fast', vocabSize: train.vocab.tokens.length, numClasses: 2, maxLenTokens: 64, seed: 1, dropout: 0.3, embeddingDim: 32 });
    const result = await trainTam(tam, train.data, { epochs: 20, batchSize: 32, learningRate: 5e-3, patience: 4, seed: 1, monitor: 'accuracy' });
    const r = evaluateTam(tam, test, labels);
    tam.dispose();
    expect(tf.memory().numTensors).toBe(before);
    console.log(`fast TAM: ${result.history.length} epochs in ${result.seconds.toFixed(1)} s, SST-2 test accuracy ${r.accuracy.toFixed(3)}, macro-F1 ${r.macroF1.toFixed(3)}`);
    expect(train.data.labels.length).toBe(1379);
    expect(r.count).toBe(1821);
    expect(r.accuracy).toBeGreaterThan(0.6);
  });

  it('a small BiLSTM trains on wasm (loss falls) without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const tam = createTam({ kind: 'lstm', vocabSize: train.vocab.tokens.length, numClasses: 2, maxLenTokens: 64, seed: 1, dropout: 0.5, embeddingDim: 16, hiddenSize: 16 });
    const sub = { ...train.data, ids: train.data.ids.subarray(0, 256 * 64), labels: train.data.labels.subarray(0, 256) };
    const result = await trainTam(tam, sub, { epochs: 3, batchSize: 32, learningRate: 1e-2, validationFraction: 0, seed: 1 });
    tam.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(result.history[2].trainLoss).toBeLessThan(result.history[0].trainLoss);
  });

  it('measureLstmThroughput reports both models (tiny sizes)', async () => {
    const r = await measureLstmThroughput({ batch: 4, maxLenTokens: 8, steps: 2, vocabSize: 50, embeddingDim: 8, hiddenSize: 8 });
    expect(r.backend).toBe('wasm');
    expect(r.ours.samplesPerSecond).toBeGreaterThan(0);
    expect(r.baseline.samplesPerSecond).toBeGreaterThan(0);
    expect(r.speedup).toBeCloseTo(r.ours.samplesPerSecond / r.baseline.samplesPerSecond, 6);
  });
});
