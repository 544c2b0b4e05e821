// Measuring whether a cleaning score finds the noise: flip a known fraction of a set's labels (seeded, per class, so
// the class balance of the flips follows the data), then ask how well each method's per-sample score ranks the
// flipped samples below the others — ROC-AUC, with ties counted half (Mann–Whitney U).
import type { EncodedDataset } from '../classifier/types.ts';
import { mulberry32 } from '../generation/prng.ts';

/**
 * A copy of `data` in which round(fraction·n) rows, chosen at random (seeded), get a different label drawn uniformly
 * from the other classes. `flipped[i] = 1` marks them.
 */
export function flipLabels(data: EncodedDataset, fraction: number, seed: number): { data: EncodedDataset; flipped: Uint8Array } {
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`Flip fraction must be in [0, 1) (got ${fraction}).`);
  if (data.numClasses < 2) throw new Error('Flipping labels needs at least two classes.');
  const n = data.labels.length;
  const rand = mulberry32(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const labels = Int32Array.from(data.labels);
  const flipped = new Uint8Array(n);
  const count = Math.round(fraction * n);
  for (let k = 0; k < count; k++) {
    const r = order[k];
    const shift = 1 + Math.floor(rand() * (data.numClasses - 1));
    labels[r] = (labels[r] + shift) % data.numClasses;
    flipped[r] = 1;
  }
  return { data: { ...data, labels }, flipped };
}

/**
 * ROC-AUC of `scores` for finding the `positive` rows: the probability that a random positive row scores HIGHER than
 * a random negative one (ties count ½). For "low weight = noisy" scores pass the negated weights. NaN when either group
 * is empty.
 */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<number>): number {
  if (scores.length !== positive.length) throw new Error(`rocAuc: ${scores.length} scores for ${positive.length} labels.`);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  // Average ranks (1-based) with ties sharing their mean rank.
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const meanRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (positive[order[k]]) {
        rankSumPos += meanRank;
        nPos += 1;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** AUC of a "higher = cleaner" score (weights, confidences) at finding the flipped rows. */
export function noiseAuc(cleanScore: ArrayLike<number>, flipped: Uint8Array): number {
  return rocAuc(Float64Array.from(cleanScore, (x) => -x), flipped);
}
