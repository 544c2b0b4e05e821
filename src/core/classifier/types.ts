// Contract for the tiny task models (TAMs): what training, SunGen reweighting and evaluation rely on.
// Implementations: BiLSTM (paper parity), small transformer encoder, fast bag-of-embeddings.
import type * as tf from '@tensorflow/tfjs';

export type TamKind = 'lstm' | 'transformer' | 'fast';

export interface TamConfig {
  kind: TamKind;
  vocabSize: number;
  numClasses: number;
  maxLenTokens: number;
  seed: number;
  /** Dropout before the classifier (paper: 0.5 in final training, 0 in SunGen's inner loop). */
  dropout: number;
  /** Optional size overrides (defaults per kind: lstm 100-d embeddings / 150 units per direction; transformer
   *  d 128; fast 64-d embeddings). Used for small test models and benchmarks. */
  embeddingDim?: number;
  hiddenSize?: number;
  /** fast only: hashed bigram buckets added to the bag of words (0 = off). */
  bigramBuckets?: number;
}

/** A classifier whose parameters are plain tf.Variables, so custom loops can differentiate through them. */
export interface Tam {
  readonly config: TamConfig;
  /** Trainable parameters, in a fixed order. */
  readonly variables: tf.Variable[];
  /** ids: int32 [B, T] (0 = padding). Returns logits [B, C]. `training` enables dropout. */
  logits(ids: tf.Tensor2D, training: boolean): tf.Tensor2D;
  /** Copy of current parameter values (caller owns and disposes). */
  snapshot(): tf.Tensor[];
  /** Overwrite parameters from a snapshot (values copied; the snapshot stays owned by the caller). */
  restore(snapshot: tf.Tensor[]): void;
  dispose(): void;
}

/** A tokenised dataset: fixed-length id rows, label indices and optional per-sample weights. */
export interface EncodedDataset {
  ids: Int32Array; // [N * maxLenTokens], 0-padded
  labels: Int32Array; // [N]
  maxLenTokens: number;
  numClasses: number;
  labelNames: string[];
}
