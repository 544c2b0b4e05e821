// Plain-array math of the SunGen weight update: sigmoid weights, the top-fraction mask of the outer loss, the
// one-step look-ahead hypergradient, L2 clipping, a small Adam for the per-sample scores θ, and weight statistics. Kept free of tfjs so it is cheap (N floats) and exactly testable.

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** w = sigmoid(θ), element-wise. */
export function weightsFromScores(theta: Float32Array): Float32Array {
  const w = new Float32Array(theta.length);
  for (let i = 0; i < theta.length; i++) w[i] = sigmoid(theta[i]);
  return w;
}

/**
 * 1 for samples whose weight is in the top `fraction` of all weights, else 0 (official code: threshold at the
 * ⌈fraction·N⌉-th largest weight, ties kept, so equal weights — e.g. at the start — keep everything).
 */
export function topFractionMask(weights: Float32Array, fraction: number): Uint8Array {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`Mask fraction must be in (0, 1] (got ${fraction}).`);
  const n = weights.length;
  const mask = new Uint8Array(n);
  if (n === 0) return mask;
  const sorted = Float32Array.from(weights).sort(); // ascending
  const keepCount = Math.max(1, Math.ceil(fraction * n));
  const threshold = sorted[n - keepCount];
  for (let i = 0; i < n; i++) mask[i] = weights[i] >= threshold ? 1 : 0;
  return mask;
}

/**
 * Hypergradient of the outer loss w.r.t. θ under a one-step look-ahead.
 * Inner step: φ' = φ* − η·∇φ L_in, L_in = (1/S)·Σᵢ wᵢ·CEᵢ(φ), S = Σw (S held constant).
 * Chain rule: ∂L_out(φ')/∂wᵢ = ⟨∇L_out(φ'), ∂φ'/∂wᵢ⟩ ≈ ⟨g, −(η/S)·∇CEᵢ(φ*)⟩ with g = ∇L_out at φ*,
 * and ∂wᵢ/∂θᵢ = wᵢ(1 − wᵢ), so hᵢ = −(η/S)·wᵢ(1 − wᵢ)·⟨g, ∇CEᵢ⟩.
 * Sign: h is the gradient of the outer loss, so θ ← θ − lr·Adam(h) descends it. A sample whose CE gradient is
 * aligned with g (⟨g, ∇CEᵢ⟩ > 0: a step on it lowers the outer loss) gets hᵢ < 0 and its θᵢ rises.
 * dots: ⟨g, ∇CEᵢ⟩ per sample; weights: wᵢ; innerLr: η.
 */
export function hypergradient(dots: Float32Array, weights: Float32Array, innerLr: number): Float32Array {
  if (dots.length !== weights.length) throw new Error(`hypergradient: ${dots.length} dot products for ${weights.length} weights.`);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i];
  if (!(sum > 0)) throw new Error('hypergradient: the weights sum to zero.');
  const h = new Float32Array(dots.length);
  const scale = -innerLr / sum;
  for (let i = 0; i < dots.length; i++) h[i] = scale * weights[i] * (1 - weights[i]) * dots[i];
  return h;
}

/**
 * Subtracts, in place, each class's mean of v[r] over `rows` from v[r] for r in `rows` (labels indexed by row id);
 * other entries are left alone.
 */
export function centerPerClassOn(v: Float32Array, rows: ArrayLike<number>, labels: Int32Array, numClasses: number): void {
  const sum = new Float64Array(numClasses);
  const count = new Float64Array(numClasses);
  for (let k = 0; k < rows.length; k++) {
    sum[labels[rows[k]]] += v[rows[k]];
    count[labels[rows[k]]] += 1;
  }
  for (let k = 0; k < rows.length; k++) v[rows[k]] -= sum[labels[rows[k]]] / count[labels[rows[k]]];
}

/** Scales v in place so that ‖v‖₂ ≤ maxNorm. Returns the norm before clipping. */
export function clipL2InPlace(v: Float32Array, maxNorm: number): number {
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += v[i] * v[i];
  const norm = Math.sqrt(sq);
  if (norm > maxNorm && norm > 0) {
    const s = maxNorm / norm;
    for (let i = 0; i < v.length; i++) v[i] *= s;
  }
  return norm;
}

/** Adam on a plain Float32Array of parameters; its moment state lives across calls (SunGen keeps it across iterations). */
export class ArrayAdam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  constructor(
    size: number,
    private readonly lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    if (!(lr > 0)) throw new Error(`Adam learning rate must be > 0 (got ${lr}).`);
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** params ← params − lr·m̂/(√v̂ + ε). */
  step(params: Float32Array, grad: Float32Array): void {
    if (params.length !== this.m.length) throw new Error(`Adam: expected ${this.m.length} values, got params ${params.length}.`);
    const delta = this.update(grad);
    for (let i = 0; i < params.length; i++) params[i] += delta[i];
  }

  /** Advances the moments with `grad` and returns the step −lr·m̂/(√v̂ + ε) without applying it. */
  update(grad: Float32Array): Float32Array {
    if (grad.length !== this.m.length) throw new Error(`Adam: expected ${this.m.length} values, got grad ${grad.length}.`);
    this.t += 1;
    const c1 = 1 - Math.pow(this.beta1, this.t);
    const c2 = 1 - Math.pow(this.beta2, this.t);
    const delta = new Float32Array(grad.length);
    for (let i = 0; i < grad.length; i++) {
      const g = grad[i];
      this.m[i] = this.beta1 * this.m[i] + (1 - this.beta1) * g;
      this.v[i] = this.beta2 * this.v[i] + (1 - this.beta2) * g * g;
      delta[i] = -(this.lr * (this.m[i] / c1)) / (Math.sqrt(this.v[i] / c2) + this.epsilon);
    }
    return delta;
  }
}

/** Summary statistics of a weight vector for progress reports. */
export interface WeightStats {
  mean: number;
  std: number;
  min: number;
  max: number;
}

export function weightStats(w: Float32Array): WeightStats {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of w) {
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = w.length ? sum / w.length : 0;
  let sq = 0;
  for (const x of w) sq += (x - mean) * (x - mean);
  return { mean, std: w.length ? Math.sqrt(sq / w.length) : 0, min: w.length ? min : 0, max: w.length ? max : 0 };
}
