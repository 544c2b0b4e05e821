// Per-batch sequence bookkeeping for the recurrent model, computed in JS from the id rows: real lengths, the batch's
// longest length (the time steps actually run), time-major ids, and the per-row reversal used by the backward LSTM
// (each row reversed within its own length, so padding stays at the end for both directions).

export interface SequenceBatch {
  batch: number;
  /** Time steps to run: the longest real length in the batch (≥ 1). */
  steps: number;
  /** Real length per row (index of the last non-pad token + 1). */
  lengths: Int32Array;
  /** Shortest real length: steps before it need no masking. */
  minLength: number;
  /** ids in time-major order, [steps * batch]: row t*batch + b is token t of sequence b. */
  idsTimeMajor: Int32Array;
  /** Time-major row permutation reversing each sequence within its length (an involution; padding rows fixed). */
  reverseRows: Int32Array;
}

/** ids: [batch, width] row-major int32 with 0 = padding. */
export function describeSequences(ids: Int32Array, batch: number, width: number): SequenceBatch {
  const lengths = new Int32Array(batch);
  let steps = 1;
  let minLength = width;
  for (let b = 0; b < batch; b++) {
    let len = 0;
    for (let t = width - 1; t >= 0; t--) {
      if (ids[b * width + t] !== 0) {
        len = t + 1;
        break;
      }
    }
    lengths[b] = len;
    steps = Math.max(steps, len);
    minLength = Math.min(minLength, len);
  }
  const idsTimeMajor = new Int32Array(steps * batch);
  const reverseRows = new Int32Array(steps * batch);
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < batch; b++) {
      idsTimeMajor[t * batch + b] = ids[b * width + t];
      const len = lengths[b];
      const src = t < len ? len - 1 - t : t;
      reverseRows[t * batch + b] = src * batch + b;
    }
  }
  return { batch, steps, lengths, minLength: batch ? minLength : 0, idsTimeMajor, reverseRows };
}

/** Step mask [2 * batch] (forward rows, then backward rows): 1 where step t is a real token. */
export function stepMask(seq: SequenceBatch, t: number): Float32Array {
  const m = new Float32Array(2 * seq.batch);
  for (let b = 0; b < seq.batch; b++) m[b] = m[seq.batch + b] = t < seq.lengths[b] ? 1 : 0;
  return m;
}
