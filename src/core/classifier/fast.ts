// fastText-style TAM: token embeddings (+ optional hashed bigrams) averaged over real tokens → dropout → linear.
// Trains in milliseconds per batch; the quick model for tests and previews.
import * as tf from '@tensorflow/tfjs';
import type { TamConfig } from './types.ts';
import { TamBase, checkConfig } from './base.ts';
import { ParamFactory } from './init.ts';
import { dense, embedLookup } from './ops.ts';

export const FAST_DEFAULTS = { embeddingDim: 64 };

/** Bigram bucket id for ids a, b (both non-pad), offset past the vocabulary. */
export function bigramId(a: number, b: number, vocabSize: number, buckets: number): number {
  const h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x632be5ab, 0x85ebca6b)) >>> 0;
  return vocabSize + (h % buckets);
}

export class FastTam extends TamBase {
  readonly embeddingDim: number;
  readonly bigramBuckets: number;
  readonly embedding: tf.Variable;
  readonly outKernel: tf.Variable;
  readonly outBias: tf.Variable;

  constructor(config: TamConfig) {
    checkConfig(config);
    const D = config.embeddingDim ?? FAST_DEFAULTS.embeddingDim;
    const buckets = config.bigramBuckets ?? 0;
    if (!(Number.isInteger(buckets) && buckets >= 0)) throw new Error(`TAM config: bigramBuckets must be a non-negative integer (got ${buckets}).`);
    const p = new ParamFactory(config.seed, 'fast');
    const embedding = p.uniform('embedding', [config.vocabSize + buckets, D], 0.1);
    const outKernel = p.glorot('out_kernel', D, config.numClasses);
    const outBias = p.constant('out_bias', [config.numClasses], 0);
    super(config, p.variables);
    this.embeddingDim = D;
    this.bigramBuckets = buckets;
    this.embedding = embedding;
    this.outKernel = outKernel;
    this.outBias = outBias;
  }

  protected forward(ids: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const [B, T] = ids.shape;
    let tokens = ids;
    let width = T;
    if (this.bigramBuckets > 0) {
      // Each row: its T token ids followed by T-1 bigram ids (0 where either token is padding).
      const src = ids.dataSync() as Int32Array;
      width = 2 * T - 1;
      const all = new Int32Array(B * width);
      for (let b = 0; b < B; b++) {
        all.set(src.subarray(b * T, (b + 1) * T), b * width);
        for (let t = 0; t + 1 < T; t++) {
          const x = src[b * T + t];
          const y = src[b * T + t + 1];
          if (x !== 0 && y !== 0) all[b * width + T + t] = bigramId(x, y, this.config.vocabSize, this.bigramBuckets);
        }
      }
      tokens = tf.tensor2d(all, [B, width], 'int32');
    }
    const D = this.embeddingDim;
    const vecs = tf.reshape(embedLookup(this.embedding as tf.Tensor2D, tf.reshape(tokens, [-1]) as tf.Tensor1D), [B, width, D]);
    const present = tf.expandDims(tf.cast(tf.greater(tokens, 0), 'float32'), 2); // [B, W, 1]
    const pooled = tf.div(tf.sum(tf.mul(vecs, present), 1), tf.maximum(tf.sum(present, 1), 1)); // [B, D]
    return dense(this.dropout(pooled, training), this.outKernel as tf.Tensor2D, this.outBias as tf.Tensor1D) as tf.Tensor2D;
  }
}
