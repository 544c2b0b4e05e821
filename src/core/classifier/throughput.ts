// Measures BiLSTM training speed: our fused BiLSTM (lstm-scan.ts) against a tf.layers.bidirectional(tf.layers.lstm)
// baseline of the same sizes, on the same batches and backend. Both use the scatterND embedding (the default one does
// not run on wasm), Adam and the same loss; the baseline sees every batch at full maxLenTokens with a padding mask, as
// a Keras model would, while ours trims each batch to its longest row.
import * as tf from '@tensorflow/tfjs';
import type { EncodedDataset } from './types.ts';
import { BiLstmTam, BILSTM_DEFAULTS } from './bilstm.ts';
import { embedLookup } from './ops.ts';
import { useBackend, type TfBackendName } from '../tfjs/backend.ts';
import { makeBatch, disposeBatch, datasetSize } from '../train/batches.ts';
import { weightedCrossEntropy } from '../train/loss.ts';
import { mulberry32 } from '../generation/prng.ts';

export interface LstmThroughputOptions {
  /** Backend to switch to first (omit to use the current one). */
  backend?: TfBackendName;
  batch: number;
  maxLenTokens: number;
  /** Timed steps per model (after one warm-up step). */
  steps: number;
  /** Real data to draw batches from; default: random ids, every row full length (no trimming advantage). */
  data?: EncodedDataset;
  vocabSize?: number;
  embeddingDim?: number;
  hiddenSize?: number;
  seed?: number;
}

export interface ModelThroughput {
  msPerStep: number;
  samplesPerSecond: number;
  firstStepMs: number;
  lastLoss: number;
}

export interface LstmThroughputResult {
  backend: string;
  batch: number;
  maxLenTokens: number;
  steps: number;
  ours: ModelThroughput;
  baseline: ModelThroughput;
  /** ours.samplesPerSecond / baseline.samplesPerSecond */
  speedup: number;
}

function syntheticData(rows: number, maxLenTokens: number, vocabSize: number, seed: number): EncodedDataset {
  const rand = mulberry32(seed);
  const ids = new Int32Array(rows * maxLenTokens);
  for (let k = 0; k < ids.length; k++) ids[k] = 2 + Math.floor(rand() * (vocabSize - 2));
  const labels = Int32Array.from({ length: rows }, (_, k) => k % 2);
  return { ids, labels, maxLenTokens, numClasses: 2, labelNames: ['a', 'b'] };
}

async function timeSteps(steps: number, batches: number, step: (k: number) => tf.Scalar): Promise<ModelThroughput> {
  const run = (k: number) => {
    const t0 = performance.now();
    const loss = step(k % batches);
    const value = loss.dataSync()[0];
    loss.dispose();
    return { ms: performance.now() - t0, value };
  };
  const first = run(0);
  let total = 0;
  let last = first.value;
  for (let k = 1; k <= steps; k++) {
    const r = run(k);
    total += r.ms;
    last = r.value;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const msPerStep = total / steps;
  return { msPerStep, samplesPerSecond: 0, firstStepMs: first.ms, lastLoss: last };
}

/** Times training steps of our BiLSTM and of the tf.layers baseline; returns samples/s for both. */
export async function measureLstmThroughput(opts: LstmThroughputOptions): Promise<LstmThroughputResult> {
  if (opts.backend) await useBackend(opts.backend);
  const seed = opts.seed ?? 1;
  const D = opts.embeddingDim ?? BILSTM_DEFAULTS.embeddingDim;
  const H = opts.hiddenSize ?? BILSTM_DEFAULTS.hiddenSize;
  const data = opts.data ?? syntheticData(opts.batch * 4, opts.maxLenTokens, opts.vocabSize ?? 20_000, seed);
  if (data.maxLenTokens !== opts.maxLenTokens) throw new Error(`Data has maxLenTokens ${data.maxLenTokens}, expected ${opts.maxLenTokens}.`);
  const vocabSize = opts.vocabSize ?? Math.max(...data.ids) + 1;
  const n = datasetSize(data);
  const batchCount = Math.max(1, Math.floor(n / opts.batch));
  const rowsOf = (k: number) => Int32Array.from({ length: opts.batch }, (_, r) => (k * opts.batch + r) % n);
  const config = { kind: 'lstm' as const, vocabSize, numClasses: data.numClasses, maxLenTokens: opts.maxLenTokens, seed, dropout: 0, embeddingDim: D, hiddenSize: H };

  // Ours: trimmed batches.
  const tam = new BiLstmTam(config);
  const optOurs = tf.train.adam(1e-3);
  const oursBatches = Array.from({ length: batchCount }, (_, k) => makeBatch(data, rowsOf(k), undefined, true));
  const ours = await timeSteps(opts.steps, batchCount, (k) => {
    const b = oursBatches[k];
    return optOurs.minimize(() => weightedCrossEntropy(tam.logits(b.ids, true), b.labels), true, tam.variables) as tf.Scalar;
  });
  oursBatches.forEach(disposeBatch);
  optOurs.dispose();
  tam.dispose();

  // Baseline: full-width batches, padding mask, tf.layers Bidirectional LSTM.
  const embedding = tf.tidy(() => tf.variable(tf.randomUniform([vocabSize, D], -0.05, 0.05, 'float32', seed)));
  const bidi = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: H, recurrentActivation: 'sigmoid' }) as tf.RNN, mergeMode: 'concat' });
  const head = tf.layers.dense({ units: data.numClasses });
  const fullBatches = Array.from({ length: batchCount }, (_, k) => makeBatch(data, rowsOf(k), undefined, false));
  const baselineLogits = (ids: tf.Tensor2D) => {
    const [B, T] = ids.shape;
    const x = tf.reshape(embedLookup(embedding as tf.Tensor2D, tf.reshape(ids, [-1]) as tf.Tensor1D), [B, T, D]);
    const mask = tf.greater(ids, 0);
    return head.apply(bidi.apply(x, { mask }) as tf.Tensor) as tf.Tensor2D;
  };
  tf.tidy(() => baselineLogits(fullBatches[0].ids)); // builds the layers
  const baseVars = [embedding, ...bidi.trainableWeights.map((w) => w.read()), ...head.trainableWeights.map((w) => w.read())] as tf.Variable[];
  const optBase = tf.train.adam(1e-3);
  const baseline = await timeSteps(opts.steps, batchCount, (k) => {
    const b = fullBatches[k];
    return optBase.minimize(() => weightedCrossEntropy(baselineLogits(b.ids), b.labels), true, baseVars) as tf.Scalar;
  });
  fullBatches.forEach(disposeBatch);
  optBase.dispose();
  bidi.dispose();
  head.dispose();
  embedding.dispose();

  ours.samplesPerSecond = (opts.batch * 1000) / ours.msPerStep;
  baseline.samplesPerSecond = (opts.batch * 1000) / baseline.msPerStep;
  return {
    backend: tf.getBackend(),
    batch: opts.batch,
    maxLenTokens: opts.maxLenTokens,
    steps: opts.steps,
    ours,
    baseline,
    speedup: ours.samplesPerSecond / baseline.samplesPerSecond,
  };
}
