// Reversed cross-entropy (RCE), SunGen's noise-robust outer loss. With soft target q = softmax(10·onehot(y)) the
// RCE −Σ_c p_c·log q_c collapses to a closed form that is linear in p_y, so it is bounded and gives wrongly labelled
// samples no more pull than clean ones (unlike CE, whose −log p_y explodes on them).
import * as tf from '@tensorflow/tfjs';

/** Sharpness of the soft target (the paper's and official code's value). */
export const RCE_TARGET_SCALE = 10;

/** log(e^A + C − 1) for A = RCE_TARGET_SCALE, computed stably: the RCE of a prediction with p_y = 0. */
export function rceConstant(numClasses: number): number {
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new Error(`RCE needs an integer numClasses ≥ 2 (got ${numClasses}).`);
  const a = RCE_TARGET_SCALE;
  return a + Math.log1p((numClasses - 1) * Math.exp(-a));
}

/**
 * Per-sample RCE ℓᵢ = log(e¹⁰ + C − 1) − 10·p_y(xᵢ).
 * Derivation: q_y = e¹⁰/Z, q_c≠y = 1/Z with Z = e¹⁰ + C − 1, so −Σ p_c log q_c = −p_y(10 − log Z) + (1 − p_y)·log Z
 * = log Z − 10·p_y.
 * logits: [B, C]; labels: int32 [B]. Returns [B].
 */
export function reversedCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const numClasses = logits.shape[1];
    const probs = tf.softmax(logits); // [B, C]
    const pY = tf.sum(tf.mul(probs, tf.oneHot(tf.cast(labels, 'int32'), numClasses)), 1); // [B]
    return tf.sub(tf.scalar(rceConstant(numClasses)), tf.mul(pY, RCE_TARGET_SCALE)) as tf.Tensor1D;
  });
}
