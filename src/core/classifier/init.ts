// Seeded parameter initialisers computed in plain JS (tfjs's Orthogonal initializer ignores seeds), so the same
// config seed gives the same model on every backend.
import * as tf from '@tensorflow/tfjs';
import { mixSeed, mulberry32 } from '../generation/prng.ts';

/** Standard normal samples from a seeded generator (Box–Muller). */
export function seededNormal(count: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(count);
  for (let k = 0; k < count; k += 2) {
    const u1 = Math.max(rand(), 1e-12);
    const u2 = rand();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[k] = r * Math.cos(2 * Math.PI * u2);
    if (k + 1 < count) out[k + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Glorot/Xavier uniform values for a [fanIn, fanOut] matrix. */
export function glorotUniformValues(fanIn: number, fanOut: number, seed: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const rand = mulberry32(seed);
  const out = new Float32Array(fanIn * fanOut);
  for (let k = 0; k < out.length; k++) out[k] = (2 * rand() - 1) * limit;
  return out;
}

/**
 * A [rows, cols] matrix with orthonormal rows (rows ≤ cols) or orthonormal columns (rows > cols): modified
 * Gram–Schmidt on a seeded normal matrix, in float64. Same role as Keras' Orthogonal initializer (gain 1).
 */
export function orthogonalValues(rows: number, cols: number, seed: number): Float32Array {
  const n = Math.min(rows, cols); // number of orthonormal vectors
  const len = Math.max(rows, cols); // their length
  const g = seededNormal(n * len, seed);
  const vecs: Float64Array[] = [];
  for (let v = 0; v < n; v++) {
    const x = Float64Array.from(g.subarray(v * len, (v + 1) * len));
    for (let pass = 0; pass < 2; pass++) {
      for (const q of vecs) {
        let dot = 0;
        for (let k = 0; k < len; k++) dot += x[k] * q[k];
        for (let k = 0; k < len; k++) x[k] -= dot * q[k];
      }
    }
    let norm = 0;
    for (let k = 0; k < len; k++) norm += x[k] * x[k];
    norm = Math.sqrt(norm);
    for (let k = 0; k < len; k++) x[k] /= norm;
    vecs.push(x);
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = rows <= cols ? vecs[r][c] : vecs[c][r];
  }
  return out;
}

/** Hands out distinct seeds for the parameters of one model and names its variables uniquely. */
export class ParamFactory {
  private counter = 0;
  private static instance = 0;
  private readonly prefix: string;
  readonly variables: tf.Variable[] = [];

  constructor(private readonly seed: number, kind: string) {
    ParamFactory.instance += 1;
    this.prefix = `tam_${kind}_${ParamFactory.instance}`;
  }

  nextSeed(): number {
    this.counter += 1;
    return mixSeed(this.seed, this.counter);
  }

  /** A trainable variable with the given values (no intermediate tensor is left behind). */
  make(name: string, shape: number[], values: Float32Array): tf.Variable {
    const v = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), true, `${this.prefix}_${name}`));
    this.variables.push(v);
    return v;
  }

  glorot(name: string, fanIn: number, fanOut: number): tf.Variable {
    return this.make(name, [fanIn, fanOut], glorotUniformValues(fanIn, fanOut, this.nextSeed()));
  }

  normal(name: string, shape: number[], std: number): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    const vals = seededNormal(n, this.nextSeed());
    for (let k = 0; k < n; k++) vals[k] *= std;
    return this.make(name, shape, vals);
  }

  uniform(name: string, shape: number[], limit: number): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    const rand = mulberry32(this.nextSeed());
    const vals = new Float32Array(n);
    for (let k = 0; k < n; k++) vals[k] = (2 * rand() - 1) * limit;
    return this.make(name, shape, vals);
  }

  constant(name: string, shape: number[], value: number): tf.Variable {
    return this.make(name, shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value));
  }
}
