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
  /** Bit patterns of `probs` (same buffer): a positive float32's exponent is bits >>> 23. [V] */
  probBits: Uint32Array;
  /** Probability mass per float32 exponent (256 buckets, each a factor of 2). */
  massByExponent: Float64Array;
}

export function createScratch(vocabSize: number): SamplerScratch {
  if (!Number.isInteger(vocabSize) || vocabSize < 1 || vocabSize >= 2 ** 22) {
    throw new Error(`Vocabulary size must be an integer in [1, 2^22) for the sampler (got ${vocabSize}).`);
  }
  const keyBuffer = new ArrayBuffer(4);
  const probs = new Float32Array(vocabSize);
  return {
    probs,
    probBits: new Uint32Array(probs.buffer),
    massByExponent: new Float64Array(256),
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

/**
 * Finds the nucleus (smallest set of most likely tokens whose mass reaches topP of the total) of `scratch.probs` and
 * leaves its token ids in `scratch.order[0..n)`, ascending; returns n. `scratch.massByExponent` must hold the mass per
 * float32 exponent and `total` the sum of all probabilities (pickToken's pass). Tokens in a higher exponent bucket are
 * all more likely than tokens in a lower one, so the nucleus lies in the buckets whose mass, from the top, first
 * reaches the target; only those tokens (plus one more bucket, a margin for the different summation order) are
 * sorted. Exact — the same set as sorting the whole vocabulary — and cheap even when the distribution is flat, where
 * sorting every token above a fixed relative threshold cost tens of thousands of keys on SmolLM2's 49,152 tokens.
 */
function topPNucleus(topP: number, total: number, scratch: SamplerScratch): number {
  const { order, probs, probBits, massByExponent } = scratch;
  const V = probs.length;
  const keepMass = topP * total;
  let cut = 0; // lowest exponent bucket needed
  let cum = 0;
  for (let e = 255; e >= 0; e--) {
    cum += massByExponent[e];
    if (cum >= keepMass) {
      cut = e;
      break;
    }
  }
  for (let lowest = Math.max(0, cut - 1); ; lowest = 0) {
    let n = 0;
    for (let i = 0; i < V; i++) {
      const b = probBits[i];
      if (b !== 0 && b >>> 23 >= lowest) order[n++] = i; // positive probabilities only (probs are never negative)
    }
    const candidates = order.subarray(0, n);
    sortByProbDesc(probs, candidates, scratch);
    let run = 0;
    let size = 0;
    for (let r = 0; r < n; r++) {
      run += probs[candidates[r]];
      if (run >= keepMass) {
        size = r + 1;
        break;
      }
    }
    // Every positive token is a candidate when lowest = 0: then the nucleus is all of them if rounding kept the running
    // sum just below the target, as in the definition.
    if (size === 0 && lowest > 0) continue;
    if (size === 0) size = n;
    order.subarray(0, size).sort();
    return size;
  }
}

/** Draws from the nucleus left in `scratch.order[0..n)` (ascending ids), proportionally to `scratch.probs`. */
function drawFromNucleus(n: number, rng: () => number, scratch: SamplerScratch): number {
  const { order: ids, probs } = scratch;
  let sum = 0;
  for (let r = 0; r < n; r++) sum += probs[ids[r]];
  let u = rng() * sum;
  for (let r = 0; r < n; r++) {
    u -= probs[ids[r]];
    if (u < 0) return ids[r];
  }
  return ids[n - 1];
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
  for (let i = 0; i < V; i++) probs[i] = Math.exp((logits[i] - max) * invTemp); // max token has 1
  if (cfg.topK > 0 && cfg.topK < V) {
    const threshold = kthLargest(probs, cfg.topK, scratch.work);
    for (let i = 0; i < V; i++) if (probs[i] < threshold) probs[i] = 0;
  }
  if (cfg.topP < 1) {
    const hist = scratch.massByExponent;
    const bits = scratch.probBits;
    hist.fill(0);
    let total = 0;
    for (let i = 0; i < V; i++) {
      total += probs[i];
      hist[bits[i] >>> 23] += probs[i];
    }
    return drawFromNucleus(topPNucleus(cfg.topP, total, scratch), rng, scratch);
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
