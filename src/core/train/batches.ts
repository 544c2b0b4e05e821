// Mini-batches over an EncodedDataset: seeded shuffling, optional per-sample weights, and each batch trimmed to its
// longest real row (fewer time steps for the recurrent model, fewer positions for the others).
import * as tf from '@tensorflow/tfjs';
import type { EncodedDataset } from '../classifier/types.ts';
import { mulberry32 } from '../generation/prng.ts';

export interface Batch {
  /** int32 [b, T] with T = longest real length in the batch (≥ 1) when trimming, else maxLenTokens. */
  ids: tf.Tensor2D;
  /** int32 [b] */
  labels: tf.Tensor1D;
  /** float32 [b], only when weights were given. */
  weights: tf.Tensor1D | null;
  /** Dataset row indices of this batch. */
  rows: Int32Array;
}

export interface BatchOptions {
  batchSize: number;
  /** Subset of rows (default all, in order). */
  rows?: ArrayLike<number>;
  /** Shuffle the rows with this seed (omit for the given order). */
  shuffleSeed?: number;
  /** Per-sample weights indexed by dataset row. */
  weights?: Float32Array;
  /** Trim each batch to its longest real row (default true). */
  trim?: boolean;
}

/** Number of rows, with a consistency check of the encoded arrays. */
export function datasetSize(data: EncodedDataset): number {
  if (!(data.maxLenTokens > 0) || data.ids.length !== data.labels.length * data.maxLenTokens) {
    throw new Error(`Encoded dataset is inconsistent: ${data.ids.length} ids for ${data.labels.length} rows × ${data.maxLenTokens} tokens.`);
  }
  return data.labels.length;
}

/** Seeded Fisher–Yates shuffle of a copy. */
export function shuffleRows(rows: ArrayLike<number>, seed: number): Int32Array {
  const out = Int32Array.from(rows);
  const rand = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
  return out;
}

/** Real length of row r (last non-pad position + 1). */
export function rowLength(data: EncodedDataset, r: number): number {
  const T = data.maxLenTokens;
  for (let t = T - 1; t >= 0; t--) if (data.ids[r * T + t] !== 0) return t + 1;
  return 0;
}

/** Builds one batch's tensors for the given rows (caller disposes them). */
export function makeBatch(data: EncodedDataset, rows: Int32Array, weights?: Float32Array, trim = true): Batch {
  const T = data.maxLenTokens;
  let width = T;
  if (trim) {
    width = 1;
    for (const r of rows) width = Math.max(width, rowLength(data, r));
  }
  const ids = new Int32Array(rows.length * width);
  const labels = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    ids.set(data.ids.subarray(rows[k] * T, rows[k] * T + width), k * width);
    labels[k] = data.labels[rows[k]];
  }
  let w: tf.Tensor1D | null = null;
  if (weights) {
    const wv = new Float32Array(rows.length);
    for (let k = 0; k < rows.length; k++) wv[k] = weights[rows[k]];
    w = tf.tensor1d(wv, 'float32');
  }
  return { ids: tf.tensor2d(ids, [rows.length, width], 'int32'), labels: tf.tensor1d(labels, 'int32'), weights: w, rows };
}

/** Yields batches; the caller must dispose each batch's tensors (see disposeBatch). */
export function* iterateBatches(data: EncodedDataset, opts: BatchOptions): Generator<Batch> {
  const n = datasetSize(data);
  if (!(Number.isInteger(opts.batchSize) && opts.batchSize > 0)) throw new Error(`Batch size must be a positive integer (got ${opts.batchSize}).`);
  if (opts.weights && opts.weights.length !== n) throw new Error(`Got ${opts.weights.length} weights for ${n} rows.`);
  let order: Int32Array = opts.rows ? Int32Array.from(opts.rows) : Int32Array.from({ length: n }, (_, k) => k);
  if (opts.shuffleSeed !== undefined) order = shuffleRows(order, opts.shuffleSeed);
  for (let s = 0; s < order.length; s += opts.batchSize) {
    yield makeBatch(data, order.subarray(s, Math.min(order.length, s + opts.batchSize)), opts.weights, opts.trim ?? true);
  }
}

export function disposeBatch(b: Batch): void {
  b.ids.dispose();
  b.labels.dispose();
  b.weights?.dispose();
}
