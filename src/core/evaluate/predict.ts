// Batched inference: logits for every row of an EncodedDataset (no dropout), returned as a plain array.
import * as tf from '@tensorflow/tfjs';
import type { EncodedDataset, Tam } from '../classifier/types.ts';
import { disposeBatch, iterateBatches } from '../train/batches.ts';

/** Logits [rows, C] row-major for the given rows (default all), in that order. */
export function predictLogits(tam: Tam, data: EncodedDataset, opts: { rows?: ArrayLike<number>; batchSize?: number } = {}): Float32Array {
  const count = opts.rows ? opts.rows.length : data.labels.length;
  const C = tam.config.numClasses;
  const out = new Float32Array(count * C);
  let offset = 0;
  for (const batch of iterateBatches(data, { rows: opts.rows, batchSize: opts.batchSize ?? 256 })) {
    const logits = tam.logits(batch.ids, false);
    out.set(logits.dataSync(), offset);
    offset += batch.rows.length * C;
    tf.dispose(logits);
    disposeBatch(batch);
  }
  return out;
}

/** argmax class per row. */
export function argmaxRows(logits: Float32Array, numClasses: number): Int32Array {
  const n = logits.length / numClasses;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (logits[r * numClasses + c] > logits[r * numClasses + best]) best = c;
    out[r] = best;
  }
  return out;
}
