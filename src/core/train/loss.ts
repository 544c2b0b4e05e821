// Per-sample losses for custom training loops: tfjs's model.fit has no per-sample weights, and SunGen needs the
// unreduced cross-entropy vector.
import * as tf from '@tensorflow/tfjs';

/** Cross-entropy per sample: logits [B, C], int32 labels [B] → [B] (natural log). */
export function perSampleCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const numClasses = logits.shape[1];
    const logProbs = tf.logSoftmax(logits);
    return tf.neg(tf.sum(tf.mul(tf.oneHot(labels, numClasses), logProbs), 1)) as tf.Tensor1D;
  });
}

/** mean over the batch of wᵢ·CEᵢ (weights default to 1, i.e. the plain mean cross-entropy). */
export function weightedCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, weights?: tf.Tensor1D | null): tf.Scalar {
  return tf.tidy(() => {
    const ce = perSampleCrossEntropy(logits, labels);
    return tf.mean(weights ? tf.mul(ce, weights) : ce) as tf.Scalar;
  });
}
