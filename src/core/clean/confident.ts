// Out-of-fold confidence in the style of cleanlab's confident learning (Northcutt et al., JAIR 2021): split the set
// into K stratified folds, train a model on K−1 folds and predict the held-out one, so every sample's class
// probabilities come from a model that never saw its (possibly wrong) label. The label-quality score is cleanlab's
// "self_confidence" on threshold-adjusted probabilities: subtract each class's confident threshold t_c (the mean
// p_c over samples labelled c), shift to be non-negative, renormalise, and read p'_y. Low score = likely mislabelled.
import type { EncodedDataset, Tam, TamKind } from '../classifier/types.ts';
import { perSampleProbabilities } from '../train/per-sample.ts';
import { rowCount, shuffled } from '../train/rows.ts';
import { mixSeed } from '../generation/prng.ts';

export interface FoldDeps {
  createTam(kind: TamKind, seed: number, role: 'final' | 'inner'): Tam;
  train(tam: Tam, data: EncodedDataset, rows: Int32Array, weights: Float32Array, signal?: AbortSignal): Promise<void>;
}

/** Stratified fold index (0..folds−1) per row: each class's rows are shuffled (seeded) and dealt round-robin. */
export function stratifiedFolds(labels: Int32Array, numClasses: number, folds: number, seed: number): Int32Array {
  if (!(Number.isInteger(folds) && folds >= 2)) throw new Error(`Folds must be an integer ≥ 2 (got ${folds}).`);
  const fold = new Int32Array(labels.length);
  for (let c = 0; c < numClasses; c++) {
    const rows: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) rows.push(i);
    const order = shuffled(rows, mixSeed(seed, 0xf01d + c));
    order.forEach((r, k) => (fold[r] = (k + c) % folds));
  }
  return fold;
}

/** Out-of-fold class probabilities [n × C] (row-major): K models, each trained without its fold. */
export async function outOfFoldProbabilities(
  data: EncodedDataset,
  deps: FoldDeps,
  opts: { kind: TamKind; folds: number; seed: number; signal?: AbortSignal },
): Promise<Float32Array> {
  const n = rowCount(data);
  const c = data.numClasses;
  const fold = stratifiedFolds(data.labels, c, opts.folds, opts.seed);
  const probs = new Float32Array(n * c);
  const ones = new Float32Array(n).fill(1);
  for (let k = 0; k < opts.folds; k++) {
    const trainRows = Int32Array.from({ length: n }, (_, i) => i).filter((i) => fold[i] !== k);
    const heldOut = Int32Array.from({ length: n }, (_, i) => i).filter((i) => fold[i] === k);
    if (heldOut.length === 0 || trainRows.length === 0) continue;
    const tam = deps.createTam(opts.kind, mixSeed(opts.seed, 0xf0 + k), 'final');
    try {
      await deps.train(tam, data, trainRows, ones, opts.signal);
      const p = perSampleProbabilities(tam, data, heldOut, 256);
      heldOut.forEach((r, j) => probs.set(p.subarray(j * c, (j + 1) * c), r * c));
    } finally {
      tam.dispose();
    }
  }
  return probs;
}

/**
 * cleanlab's self-confidence label-quality score with adjusted probabilities (get_label_quality_scores,
 * method="self_confidence", adjust_pred_probs=True), per row. probs: [n × C] row-major.
 */
export function confidentLearningScores(probs: Float32Array, labels: Int32Array, numClasses: number): Float32Array {
  const n = labels.length;
  const c = numClasses;
  if (probs.length !== n * c) throw new Error(`confidentLearningScores: ${probs.length} probabilities for ${n} rows × ${c} classes.`);
  const thresholds = new Float64Array(c);
  const counts = new Float64Array(c);
  for (let i = 0; i < n; i++) {
    thresholds[labels[i]] += probs[i * c + labels[i]];
    counts[labels[i]] += 1;
  }
  for (let k = 0; k < c; k++) thresholds[k] = counts[k] > 0 ? thresholds[k] / counts[k] : 0;
  let min = Infinity;
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) min = Math.min(min, probs[i * c + k] - thresholds[k]);
  const shift = min < 0 ? -min : 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = 0; k < c; k++) sum += probs[i * c + k] - thresholds[k] + shift;
    out[i] = sum > 0 ? (probs[i * c + labels[i]] - thresholds[labels[i]] + shift) / sum : 1 / c;
  }
  return out;
}
