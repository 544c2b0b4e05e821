// Next-token choice on one row of logits (Float32Array, length = vocab size): greedy argmax or seeded sampling with
// temperature, top-k and top-p, plus ZeroGen / Schick et al. self-debiasing. Works in place on preallocated scratch
// buffers so the per-token cost is a few passes over the vocabulary and no allocation.

export interface TokenChoiceConfig {
  doSample: boolean;
  temperature: number;
  topK: number; // 0 = off
  topP: number; // 1 = off
}

/** Reusable buffers, one set per decoding loop. */
export interface SamplerScratch {
  probs: Float32Array; // [V]
  work: Float32Array; // [V]
  order: Uint32Array; // [V]
  /** Packed sort keys for top-p: float bits of the probability and the token id in one exact double. [V] */
  keys: Float64Array;
  /** Float32 view of `keyBits`, used to read a probability's bit pattern. [1] */
  keyFloat: Float32Array;
  keyBits: Uint32Array; // [1]
}

export function createScratch(vocabSize: number): SamplerScratch {
  if (!Number.isInteger(vocabSize) || vocabSize < 1 || vocabSize >= 2 ** 22) {
    throw new Error(`Vocabulary size must be an integer in [1, 2^22) for the sampler (got ${vocabSize}).`);
  }
  const keyBuffer = new ArrayBuffer(4);
  return {
    probs: new Float32Array(vocabSize),
    work: new Float32Array(vocabSize),
    order: new Uint32Array(vocabSize),
    keys: new Float64Array(vocabSize),
    keyFloat: new Float32Array(keyBuffer),
    keyBits: new Uint32Array(keyBuffer),
  };
}

export function argmax(row: Float32Array): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < row.length; i++) {
    if (row[i] > bestValue) {
      bestValue = row[i];
      best = i;
    }
  }
  return best;
}

/** Writes softmax(row) into `out` (same length). */
export function softmaxInto(row: Float32Array, out: Float32Array): void {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    const e = Math.exp(row[i] - max);
    out[i] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let i = 0; i < row.length; i++) out[i] *= inv;
}

/**
 * Self-debiasing (Schick et al. 2021, used by ZeroGen): p̃(w) = α(Δ(w))·p(w) with Δ(w) = p(w) − max_c p_c(w) and
 * α(Δ) = 1 if Δ ≥ 0 else exp(λ·Δ). Tokens that a counter-label prompt makes more likely than the label's own prompt
 * are pushed down. Writes log p̃ (unnormalised, −Infinity for zero) into `outLogits` so it can go through pickToken.
 */
export function selfDebiasInto(
  mainLogits: Float32Array,
  counterLogits: Float32Array[],
  decay: number,
  outLogits: Float32Array,
  scratch: SamplerScratch,
): void {
  const p = scratch.probs;
  const maxCounter = scratch.work;
  softmaxInto(mainLogits, p);
  maxCounter.fill(0);
  const tmp = outLogits; // used as scratch for each counter's probabilities before the final write
  for (const c of counterLogits) {
    softmaxInto(c, tmp);
    for (let i = 0; i < tmp.length; i++) if (tmp[i] > maxCounter[i]) maxCounter[i] = tmp[i];
  }
  for (let i = 0; i < p.length; i++) {
    const delta = p[i] - maxCounter[i];
    const alpha = delta >= 0 ? 1 : Math.exp(decay * delta);
    const q = alpha * p[i];
    outLogits[i] = q > 0 ? Math.log(q) : -Infinity;
  }
}

/** Value of the k-th largest element (1-based) of `values[0..n)`, found by quickselect on a copy in `work`. */
export function kthLargest(values: Float32Array, k: number, work: Float32Array): number {
  const n = values.length;
  work.set(values);
  const target = n - k; // index in ascending order
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // median of three as pivot
    const a = work[lo];
    const b = work[mid];
    const c = work[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (work[i] < pivot) i++;
      while (work[j] > pivot) j--;
      if (i <= j) {
        const t = work[i];
        work[i] = work[j];
        work[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return work[target];
  }
  return work[target];
}

/** Relative probability below which tokens are ignored by top-p (keeps the sort short on large vocabularies). */
const TOP_P_NEGLIGIBLE = 1e-9;

/** Relative probability of the first, cheap candidate set for top-p (most of the mass is usually above it). */
const TOP_P_FIRST_TIER = 1e-3;

/**
 * Sorts `ids` (token ids with positive probabilities) by probability descending, ties by id ascending, without a
 * comparator callback (the slow part of a typed-array sort). A positive float32's bit pattern orders like its value, so
 * key = bits · V + (V − 1 − id) is an exact double (bits < 2^31, V < 2^22) whose ascending order, read backwards, is
 * the wanted order.
 */
function sortByProbDesc(probs: Float32Array, ids: Uint32Array, scratch: SamplerScratch): void {
  const n = ids.length;
  const V = probs.length;
  const keys = scratch.keys.subarray(0, n);
  const f = scratch.keyFloat;
  const bits = scratch.keyBits;
  for (let r = 0; r < n; r++) {
    const id = ids[r];
    f[0] = probs[id];
    keys[r] = bits[0] * V + (V - 1 - id);
  }
  keys.sort();
  for (let r = 0; r < n; r++) ids[r] = V - 1 - (keys[n - 1 - r] % V);
}

/** Selection steps tried before falling back to a full sort of the top-p candidates (nuclei are usually small). */
const TOP_P_SELECT_STEPS = 24;

/**
 * Moves the next most likely candidate (ties: lower id first) of `ids[r..n)` to position r: one step of a selection
 * sort with the same order as sortByProbDesc, so a small nucleus costs O(n · nucleus) instead of a sort.
 */
function selectNext(probs: Float32Array, ids: Uint32Array, r: number, n: number): void {
  let best = r;
  let bestP = probs[ids[r]];
  let bestId = ids[r];
  for (let i = r + 1; i < n; i++) {
    const id = ids[i];
    const p = probs[id];
    if (p > bestP || (p === bestP && id < bestId)) {
      best = i;
      bestP = p;
      bestId = id;
    }
  }
  ids[best] = ids[r];
  ids[r] = bestId;
}

/**
 * The nucleus among `n` candidates in `scratch.order` (token ids, each with probability > 0): orders them by
 * probability descending (ties by id) until the running mass reaches keepMass, leaves the nucleus ids ascending in
 * `scratch.order[0..cut)` and returns cut. A few selection steps first; a full sort when the nucleus is larger.
 */
function cutNucleus(probs: Float32Array, n: number, keepMass: number, scratch: SamplerScratch): number {
  const { order } = scratch;
  const candidates = order.subarray(0, n);
  let cum = 0;
  let cut = -1;
  const steps = Math.min(n, TOP_P_SELECT_STEPS);
  for (let r = 0; r < steps; r++) {
    selectNext(probs, candidates, r, n);
    cum += probs[candidates[r]];
    if (cum >= keepMass) {
      cut = r + 1;
      break;
    }
  }
  if (cut < 0 && steps === n) cut = n;
  if (cut < 0) {
    sortByProbDesc(probs, candidates, scratch);
    cum = 0;
    cut = n;
    for (let r = 0; r < n; r++) {
      cum += probs[candidates[r]];
      if (cum >= keepMass) {
        cut = r + 1;
        break;
      }
    }
  }
  order.subarray(0, cut).sort();
  return cut;
}

/**
 * Finds the nucleus (smallest set of most likely tokens whose mass reaches topP of the total) and leaves its token ids
 * in `scratch.order[0..n)`, ascending; returns n. Sorts only the tokens above TOP_P_FIRST_TIER × max first, which is
 * exact whenever they already hold the nucleus mass (the usual case), and falls back to all tokens above
 * TOP_P_NEGLIGIBLE otherwise. Every nucleus probability is > 0 and `probs` is left unchanged.
 */
function topPNucleus(probs: Float32Array, topP: number, scratch: SamplerScratch): number {
  const { order } = scratch;
  const V = probs.length;
  let total = 0;
  let max = 0;
  for (let i = 0; i < V; i++) {
    total += probs[i];
    if (probs[i] > max) max = probs[i];
  }
  const keepMass = topP * total;
  for (const tier of [TOP_P_FIRST_TIER * max, TOP_P_NEGLIGIBLE * max]) {
    let n = 0;
    let tierMass = 0;
    for (let i = 0; i < V; i++) {
      if (probs[i] > tier) {
        order[n++] = i;
        tierMass += probs[i];
      }
    }
    if (tierMass < keepMass && tier > TOP_P_NEGLIGIBLE * max) continue;
    return cutNucleus(probs, n, keepMass, scratch);
  }
  return 0; // not reached: the last tier always returns
}

/** Draws one of the ids `ids[0..n)` (ascending) with weight probs[id]. */
function sampleAmong(probs: Float32Array, ids: Uint32Array, n: number, rng: () => number): number {
  let sum = 0;
  for (let r = 0; r < n; r++) sum += probs[ids[r]];
  let u = rng() * sum;
  for (let r = 0; r < n; r++) {
    u -= probs[ids[r]];
    if (u < 0) return ids[r];
  }
  return ids[n - 1];
}

/** Candidate tiers of the fast top-p path, relative to the largest probability; the last one is TOP_P_NEGLIGIBLE. */
const FAST_TIERS = [TOP_P_FIRST_TIER, 1e-4, 1e-5, 1e-6, 1e-7, TOP_P_NEGLIGIBLE];

/**
 * Top-p without top-k: one pass over the vocabulary writes the float32 probabilities exp((logit − max)/T) into
 * scratch.probs and adds up their total and the mass of each tier (FAST_TIERS), in the same arithmetic as the general
 * path. The nucleus lies among the tokens above the highest tier whose cumulative mass reaches topP · total (every
 * token above it is more likely than every token below), so only those are collected and ordered. Returns the nucleus
 * size, its ids ascending in scratch.order, or 0 when the maximum probability is not exactly 1 (non-finite logits or
 * temperature: the caller takes the general path).
 */
function fusedTopPNucleus(logits: Float32Array, max: number, invTemp: number, topP: number, scratch: SamplerScratch): number {
  const { probs, order } = scratch;
  const V = logits.length;
  const [t0, t1, t2, t3, t4, t5] = FAST_TIERS; // × max probability, which is exp(0) = 1
  let total = 0;
  let maxP = 0;
  let n = 0;
  let m0 = 0;
  let m1 = 0;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  let m5 = 0;
  for (let i = 0; i < V; i++) {
    const p = Math.fround(Math.exp((logits[i] - max) * invTemp));
    probs[i] = p;
    total += p;
    if (p > maxP) maxP = p;
    if (p > t0) {
      order[n++] = i;
      m0 += p;
    } else if (p > t2) {
      if (p > t1) m1 += p;
      else m2 += p;
    } else if (p > t3) m3 += p;
    else if (p > t4) m4 += p;
    else if (p > t5) m5 += p;
  }
  if (maxP !== 1) return 0;
  const keepMass = topP * total;
  let cum = m0;
  let tier = 0;
  for (const m of [m1, m2, m3, m4, m5]) {
    if (cum >= keepMass) break;
    cum += m;
    tier++;
  }
  if (tier > 0) {
    const threshold = FAST_TIERS[tier];
    n = 0;
    for (let i = 0; i < V; i++) if (probs[i] > threshold) order[n++] = i;
  }
  return cutNucleus(probs, n, keepMass, scratch);
}

/** Chooses the next token from one row of logits. `rng` returns floats in [0, 1). */
export function pickToken(
  logits: Float32Array,
  cfg: TokenChoiceConfig,
  rng: () => number,
  scratch: SamplerScratch,
): number {
  if (!cfg.doSample) return argmax(logits);
  const V = logits.length;
  const probs = scratch.probs;
  let max = -Infinity;
  for (let i = 0; i < V; i++) if (logits[i] > max) max = logits[i];
  if (max === -Infinity) return argmax(logits);
  const invTemp = 1 / cfg.temperature;
  if (cfg.topP < 1 && !(cfg.topK > 0 && cfg.topK < V)) {
    const n = fusedTopPNucleus(logits, max, invTemp, cfg.topP, scratch);
    if (n > 0) return sampleAmong(probs, scratch.order, n, rng);
  }
  for (let i = 0; i < V; i++) probs[i] = Math.exp((logits[i] - max) * invTemp); // max token has 1
  if (cfg.topK > 0 && cfg.topK < V) {
    const threshold = kthLargest(probs, cfg.topK, scratch.work);
    for (let i = 0; i < V; i++) if (probs[i] < threshold) probs[i] = 0;
  }
  if (cfg.topP < 1) {
    // Same arithmetic as the full pass below with the zeroed tokens skipped (adding or subtracting 0 changes nothing).
    return sampleAmong(probs, scratch.order, topPNucleus(probs, cfg.topP, scratch), rng);
  }
  let sum = 0;
  for (let i = 0; i < V; i++) sum += probs[i];
  let u = rng() * sum;
  let last = 0;
  for (let i = 0; i < V; i++) {
    const p = probs[i];
    if (p > 0) {
      last = i;
      u -= p;
      if (u < 0) return i;
    }
  }
  return last;
}
