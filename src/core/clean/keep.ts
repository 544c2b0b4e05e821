// Turning per-sample scores into a final training set, shared by every cleaning method: keep the top fraction of each
// class by score, and rescale the kept rows' weights to mean 1 within each class. Per class, so that a method that
// sinks a whole class cannot silently unbalance (or empty) the final training set.

/**
 * Indices (ascending) of the top ⌈keepFraction·n_c⌉ samples of each class c by score. Selecting per class keeps every
 * class in the final training set even when SunGen sinks a whole class (a failure of global top-K selection).
 */
export function perClassTopK(scores: Float32Array, labels: Int32Array, numClasses: number, keepFraction: number): Int32Array {
  if (scores.length !== labels.length) throw new Error(`perClassTopK: ${scores.length} scores for ${labels.length} labels.`);
  if (!(keepFraction > 0 && keepFraction <= 1)) throw new Error(`keepFraction must be in (0, 1] (got ${keepFraction}).`);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c < 0 || c >= numClasses) throw new Error(`perClassTopK: label ${c} at row ${i} is outside 0..${numClasses - 1}.`);
    byClass[c].push(i);
  }
  const kept: number[] = [];
  for (const rows of byClass) {
    if (rows.length === 0) continue;
    rows.sort((a, b) => scores[b] - scores[a] || a - b);
    kept.push(...rows.slice(0, Math.max(1, Math.ceil(keepFraction * rows.length))));
  }
  return Int32Array.from(kept.sort((a, b) => a - b));
}

/**
 * Weights of the kept rows rescaled to mean 1 within each class (0 elsewhere). Per class, so that SunGen sinking a
 * whole class cannot silently unbalance the final training (seen on real data: one class at w≈0.1, the other ≈0.9,
 * and the model predicting a single class); mean 1 so weighting does not lower the effective learning rate.
 */
export function normaliseKeptWeights(raw: Float32Array, kept: Int32Array, labels: Int32Array, numClasses: number): Float32Array {
  const out = new Float32Array(raw.length);
  const sum = new Float64Array(numClasses);
  const count = new Float64Array(numClasses);
  for (const r of kept) {
    sum[labels[r]] += raw[r];
    count[labels[r]] += 1;
  }
  for (const r of kept) {
    const c = labels[r];
    if (!(sum[c] > 0)) throw new Error(`All kept samples of class ${c} have zero weight.`);
    out[r] = (raw[r] * count[c]) / sum[c];
  }
  return out;
}
