// Per-sample inference passes over chosen rows (inference mode, batched by length for little padding, results put
// back in the given order): cross-entropy −log p_y and class probabilities. Used by the cleaning methods (confidence
// filter, SunGen's finite differences, out-of-fold confidence) and by the collapse guard.
import * as tf from '@tensorflow/tfjs';
import type { EncodedDataset, Tam } from '../classifier/types.ts';
import { perSampleCrossEntropy } from './loss.ts';
import { byLength, chunks, gatherIds, gatherLabels } from './rows.ts';

/** Per-sample CE −log p_y for the given rows in inference mode, out[k] for rows[k]. */
export function perSampleLosses(tam: Tam, data: EncodedDataset, rows: Int32Array, batchSize: number): Float32Array {
  const position = new Map<number, number>();
  rows.forEach((r, k) => position.set(r, k));
  const out = new Float32Array(rows.length);
  for (const chunk of chunks(byLength(data, rows), batchSize)) {
    const values = tf.tidy(() => perSampleCrossEntropy(tam.logits(gatherIds(data, chunk), false), gatherLabels(data, chunk)));
    const v = values.dataSync();
    values.dispose();
    chunk.forEach((r, k) => (out[position.get(r)!] = v[k]));
  }
  return out;
}

/** Softmax probabilities for the given rows in inference mode: [rows.length × C] row-major, out[k·C + c] for rows[k]. */
export function perSampleProbabilities(tam: Tam, data: EncodedDataset, rows: Int32Array, batchSize: number): Float32Array {
  const c = data.numClasses;
  const position = new Map<number, number>();
  rows.forEach((r, k) => position.set(r, k));
  const out = new Float32Array(rows.length * c);
  for (const chunk of chunks(byLength(data, rows), batchSize)) {
    const probs = tf.tidy(() => tf.softmax(tam.logits(gatherIds(data, chunk), false)));
    const v = probs.dataSync();
    probs.dispose();
    chunk.forEach((r, k) => out.set(v.subarray(k * c, (k + 1) * c), position.get(r)! * c));
  }
  return out;
}
