// Differentiable building blocks with gradients that are fast on the wasm backend:
// - an embedding lookup whose gradient is a scatterND (tfjs's default gather gradient uses UnsortedSegmentSum: very
//   slow on cpu and missing on wasm);
// - a 2-D matMul whose gradient transposes explicitly (on wasm, matMul with transposeA/B leaves the fast XNNPACK path
//   and is ~10× slower, and tfjs's default matMul gradient uses exactly those).
import * as tf from '@tensorflow/tfjs';

type CustomGradFn = Parameters<typeof tf.customGrad>[0];

const embedLookupImpl = tf.customGrad(((table: tf.Tensor, ids: tf.Tensor, save: tf.GradSaveFunc) => {
  save([ids]);
  return {
    value: tf.gather(table, ids),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.scatterND(tf.expandDims(saved[0], 1), dy, table.shape), tf.zerosLike(saved[0])],
  };
}) as unknown as CustomGradFn);

/** Rows of `table` [V, D] for int32 `ids1d` [N] → [N, D]; gradient w.r.t. the table via scatterND. */
export function embedLookup(table: tf.Tensor2D, ids1d: tf.Tensor1D): tf.Tensor2D {
  return embedLookupImpl(table, ids1d) as tf.Tensor2D;
}

const matMulImpl = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1] as tf.Tensor2D)),
      tf.matMul(tf.transpose(saved[0] as tf.Tensor2D), dy as tf.Tensor2D),
    ],
  };
}) as unknown as CustomGradFn);

/** a [M, K] @ b [K, N] → [M, N], with a transpose-free gradient. */
export function fastMatMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return matMulImpl(a, b) as tf.Tensor2D;
}

/** x [..., K] @ w [K, N] + bias [N] → [..., N] (any leading shape). */
export function dense(x: tf.Tensor, w: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor {
  const k = x.shape[x.shape.length - 1];
  const y = fastMatMul(tf.reshape(x, [-1, k]) as tf.Tensor2D, w);
  const out = bias ? tf.add(y, bias) : y;
  return tf.reshape(out, [...x.shape.slice(0, -1), w.shape[1]]);
}
