// Combining two per-sample cleanliness scores that live on different scales (SunGen's θ and its per-sample inner
// loss): each is turned into ranks among the rows that are scored, and the ranks are averaged. Used by the SunGen
// methods' `theta+loss` ranking and by bench:sungen's noise-AUC report, so both mean the same thing.

/** Ranks of `x` scaled to 0…1 (lowest 0, highest 1; ties get the mean of their ranks). */
export function scaledRanks(x: ArrayLike<number>): Float32Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => x[i] - x[j]);
  const r = new Float32Array(n);
  const denom = Math.max(1, n - 1);
  for (let k = 0; k < n; ) {
    let end = k + 1;
    while (end < n && x[order[end]] === x[order[k]]) end += 1;
    const mid = (k + end - 1) / 2 / denom;
    for (let j = k; j < end; j++) r[order[j]] = mid;
    k = end;
  }
  return r;
}

/** Per position, the mean of the scaled ranks of `a` and `b` (same length), each among its own values. */
export function rankAverage(a: ArrayLike<number>, b: ArrayLike<number>): Float32Array {
  if (a.length !== b.length) throw new Error(`rankAverage: ${a.length} and ${b.length} scores.`);
  const ra = scaledRanks(a);
  const rb = scaledRanks(b);
  return ra.map((x, i) => (x + rb[i]) / 2);
}

/**
 * `rankAverage` of `a` and `b` over `rows` only, written back by row id into an array of `size` (other rows 0):
 * rows outside the set (held out, never weighted) must not shift the ranks of those that are.
 */
export function rankAverageOn(rows: Int32Array, a: ArrayLike<number>, b: ArrayLike<number>, size: number): Float32Array {
  const local = rankAverage(Float32Array.from(rows, (r) => a[r]), Float32Array.from(rows, (r) => b[r]));
  const out = new Float32Array(size);
  rows.forEach((r, k) => (out[r] = local[k]));
  return out;
}
