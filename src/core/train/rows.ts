// Row-level access to an encoded dataset for loops that pick their own rows (weighted epochs, per-sample inference
// passes, subsets for cleaning methods): gather rows into int32 tensors, order by length, chunk, subsets.
import * as tf from '@tensorflow/tfjs';
import type { EncodedDataset } from '../classifier/types.ts';
import { datasetSize, rowLength, shuffleRows } from './batches.ts';

/** Real length of row r (last non-padding position + 1); the batcher's own definition. */
export const realLength = rowLength;

/**
 * ids of the given rows as int32 [rows.length, width], width = the longest real row (≥ 1): trailing all-padding
 * columns are dropped, which the TAMs accept and which saves recurrent steps.
 */
export function gatherIds(data: EncodedDataset, rows: ArrayLike<number>): tf.Tensor2D {
  const t = data.maxLenTokens;
  let width = 1;
  for (let r = 0; r < rows.length; r++) width = Math.max(width, realLength(data, rows[r]));
  const out = new Int32Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) out.set(data.ids.subarray(rows[r] * t, rows[r] * t + width), r * width);
  return tf.tensor2d(out, [rows.length, width], 'int32');
}

/** `rows` reordered by real length (stable), so inference batches carry little padding. */
export function byLength(data: EncodedDataset, rows: Int32Array): Int32Array {
  const len = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) len[k] = realLength(data, rows[k]);
  const order = Array.from(rows.keys()).sort((a, b) => len[a] - len[b] || a - b);
  return Int32Array.from(order, (k) => rows[k]);
}

/** labels of the given rows as int32 [rows.length]. */
export function gatherLabels(data: EncodedDataset, rows: ArrayLike<number>): tf.Tensor1D {
  const out = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = data.labels[rows[r]];
  return tf.tensor1d(out, 'int32');
}

// Row count and seeded shuffle are the training loop's own (one implementation, same seeds → same orders).
export const rowCount = datasetSize;
export const shuffled = shuffleRows;

/** Consecutive chunks of `rows` of at most `batchSize` (the last one may be shorter). */
export function* chunks(rows: Int32Array, batchSize: number): Generator<Int32Array> {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new Error(`Batch size must be a positive integer (got ${batchSize}).`);
  for (let s = 0; s < rows.length; s += batchSize) yield rows.subarray(s, Math.min(rows.length, s + batchSize));
}

/** [0, 1, …, n − 1]. */
export function allRows(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** A seeded random subset of `size` distinct rows out of n (ascending), or all rows when size ≥ n. */
export function randomSubset(n: number, size: number, seed: number): Int32Array {
  if (size >= n) return allRows(n);
  return shuffled(allRows(n), seed).subarray(0, size).sort();
}
