// The two tfjs-heavy pieces of the hypergradient: the outer-loss gradient g = ∇φ RCE over the outer set, and the
// per-sample directional derivatives ⟨g, ∇φ CEᵢ(φ*)⟩ for every training sample. The latter uses a central
// difference along ĝ = g/‖g‖ (two forward passes over all samples) instead of one backward pass per sample or
// double back-prop, which tfjs cannot do cheaply.
import * as tf from '@tensorflow/tfjs';
import type { EncodedDataset, Tam } from '../../classifier/types.ts';
import { perSampleLosses } from '../../train/per-sample.ts';
import { byLength, chunks, gatherIds, gatherLabels } from '../../train/rows.ts';
import { reversedCrossEntropy } from './rce.ts';

/**
 * g = ∇φ [ (1/M)·Σ_{i ∈ outerRows, mask[i]=1} RCEᵢ(φ) ], M = number of counted samples (or, `balanced`, the mean
 * over classes of each class's mean RCE), evaluated in inference mode and accumulated batch by batch. Returns one gradient tensor per tam.variables entry (caller disposes) and the loss.
 */
export function outerLossGradient(
  tam: Tam,
  data: EncodedDataset,
  outerRows: Int32Array,
  mask: Uint8Array,
  batchSize: number,
  balanced = false,
): { grads: tf.Tensor[]; loss: number } {
  const counted = outerRows.filter((r) => mask[r] === 1);
  if (counted.length === 0) throw new Error('Outer loss: no outer-set sample passes the weight mask.');
  // Per-row factor: 1/M, or 1/(K·M_c) for the class-balanced mean over the K classes present among counted rows.
  const perClass = new Float64Array(data.numClasses);
  for (const r of counted) perClass[data.labels[r]] += 1;
  const present = perClass.filter((m) => m > 0).length;
  const factor = (r: number) => (balanced ? 1 / (present * perClass[data.labels[r]]) : 1 / counted.length);
  const varList = tam.variables;
  let acc: tf.Tensor[] = varList.map((v) => tf.zerosLike(v));
  let lossSum = 0;
  for (const rows of chunks(byLength(data, counted), batchSize)) {
    const ids = gatherIds(data, rows);
    const labels = gatherLabels(data, rows);
    const scale = tf.tensor1d(Float32Array.from(rows, factor));
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(reversedCrossEntropy(tam.logits(ids, false), labels), scale)) as tf.Scalar,
      varList,
    );
    scale.dispose();
    lossSum += value.dataSync()[0];
    const next = varList.map((v, k) => {
      const g = grads[v.name];
      return g ? tf.add(acc[k], g) : acc[k].clone();
    });
    tf.dispose([value, ids, labels, ...Object.values(grads), ...acc]);
    acc = next;
  }
  return { grads: acc, loss: lossSum };
}

/** Global L2 norm of a list of tensors. */
export function globalNorm(tensors: tf.Tensor[]): number {
  return tf.tidy(() => Math.sqrt(tf.addN(tensors.map((t) => tf.sum(tf.square(t)))).dataSync()[0]));
}

/**
 * ⟨g, ∇φ CEᵢ(φ)⟩ for each of `rows`, by central difference along ĝ:
 *   (CEᵢ(φ + ε·ĝ) − CEᵢ(φ − ε·ĝ)) / (2ε) · ‖g‖.
 * ε is a step in parameter space along the unit vector ĝ (error O(ε²) plus float32 rounding ~1e-7·CE/ε).
 * The TAM's parameters are restored exactly afterwards. With `lossesOut` (length rows.length) it also receives
 * (CEᵢ(φ + ε·ĝ) + CEᵢ(φ − ε·ĝ)) / 2 = CEᵢ(φ) + O(ε²), each sample's loss at φ, for free.
 */
export function directionalDerivatives(
  tam: Tam,
  data: EncodedDataset,
  rows: Int32Array,
  direction: tf.Tensor[],
  opts: { epsilon: number; batchSize: number; lossesOut?: Float32Array },
): Float32Array {
  const varList = tam.variables;
  if (direction.length !== varList.length) throw new Error(`Direction has ${direction.length} tensors for ${varList.length} variables.`);
  if (!(opts.epsilon > 0)) throw new Error(`Finite-difference epsilon must be > 0 (got ${opts.epsilon}).`);
  const norm = globalNorm(direction);
  const dots = new Float32Array(rows.length);
  if (norm === 0) {
    if (opts.lossesOut) opts.lossesOut.set(perSampleLosses(tam, data, rows, opts.batchSize));
    return dots;
  }
  const base = tam.snapshot();
  try {
    const shiftTo = (sign: number) => {
      tf.tidy(() => {
        const step = (sign * opts.epsilon) / norm;
        varList.forEach((v, k) => v.assign(tf.add(base[k], tf.mul(direction[k], step))));
      });
    };
    shiftTo(+1);
    const plus = perSampleLosses(tam, data, rows, opts.batchSize);
    shiftTo(-1);
    const minus = perSampleLosses(tam, data, rows, opts.batchSize);
    const scale = norm / (2 * opts.epsilon);
    for (let i = 0; i < rows.length; i++) dots[i] = (plus[i] - minus[i]) * scale;
    if (opts.lossesOut) for (let i = 0; i < rows.length; i++) opts.lossesOut[i] = (plus[i] + minus[i]) / 2;
  } finally {
    tam.restore(base);
    tf.dispose(base);
  }
  return dots;
}
