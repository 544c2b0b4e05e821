// The paper's TAM: word embeddings trained from scratch (100-d) → one bidirectional LSTM layer (2 × 150) → final
// states of both directions concatenated → dropout → linear classifier. Fast on wasm: see lstm-scan.ts.
import * as tf from '@tensorflow/tfjs';
import type { TamConfig } from './types.ts';
import { TamBase, checkConfig } from './base.ts';
import { ParamFactory, orthogonalValues } from './init.ts';
import { dense, embedLookup } from './ops.ts';
import { describeSequences } from './sequence.ts';
import { bilstmFinalStates } from './lstm-scan.ts';

export const BILSTM_DEFAULTS = { embeddingDim: 100, hiddenSize: 150 };

export class BiLstmTam extends TamBase {
  readonly embeddingDim: number;
  readonly hiddenSize: number;
  /** [V, D] */
  readonly embedding: tf.Variable;
  /** [D, 4H] input kernels and [4H] biases per direction (Keras gate order i, f, g, o). */
  readonly kernelFwd: tf.Variable;
  readonly kernelBwd: tf.Variable;
  readonly biasFwd: tf.Variable;
  readonly biasBwd: tf.Variable;
  /** [H, 4H] each. */
  readonly recurrentFwd: tf.Variable;
  readonly recurrentBwd: tf.Variable;
  /** [2H, C], [C] */
  readonly outKernel: tf.Variable;
  readonly outBias: tf.Variable;

  constructor(config: TamConfig) {
    checkConfig(config);
    const D = config.embeddingDim ?? BILSTM_DEFAULTS.embeddingDim;
    const H = config.hiddenSize ?? BILSTM_DEFAULTS.hiddenSize;
    const p = new ParamFactory(config.seed, 'bilstm');
    const embedding = p.uniform('embedding', [config.vocabSize, D], 0.05);
    const bias = new Float32Array(4 * H);
    bias.fill(1, H, 2 * H); // unit forget-gate bias (Keras default)
    const kernelFwd = p.glorot('kernel_fwd', D, 4 * H);
    const recurrentFwd = p.make('recurrent_fwd', [H, 4 * H], orthogonalValues(H, 4 * H, p.nextSeed()));
    const biasFwd = p.make('bias_fwd', [4 * H], bias);
    const kernelBwd = p.glorot('kernel_bwd', D, 4 * H);
    const recurrentBwd = p.make('recurrent_bwd', [H, 4 * H], orthogonalValues(H, 4 * H, p.nextSeed()));
    const biasBwd = p.make('bias_bwd', [4 * H], bias);
    const outKernel = p.glorot('out_kernel', 2 * H, config.numClasses);
    const outBias = p.constant('out_bias', [config.numClasses], 0);
    super(config, p.variables);
    this.embeddingDim = D;
    this.hiddenSize = H;
    this.embedding = embedding;
    this.kernelFwd = kernelFwd;
    this.kernelBwd = kernelBwd;
    this.biasFwd = biasFwd;
    this.biasBwd = biasBwd;
    this.recurrentFwd = recurrentFwd;
    this.recurrentBwd = recurrentBwd;
    this.outKernel = outKernel;
    this.outBias = outBias;
  }

  /** Final states [B, 2H] = [forward | backward] for int32 ids [B, T]. */
  encode(ids: tf.Tensor2D): tf.Tensor2D {
    const [B, T] = ids.shape;
    const seq = describeSequences(ids.dataSync() as Int32Array, B, T);
    const reversed = seq.idsTimeMajor.map((_, r) => seq.idsTimeMajor[seq.reverseRows[r]]);
    const xF = embedLookup(this.embedding as tf.Tensor2D, tf.tensor1d(seq.idsTimeMajor, 'int32')); // [steps*B, D]
    const xB = embedLookup(this.embedding as tf.Tensor2D, tf.tensor1d(reversed, 'int32'));
    const pF = dense(xF, this.kernelFwd as tf.Tensor2D, this.biasFwd as tf.Tensor1D) as tf.Tensor2D; // [steps*B, 4H]
    const pB = dense(xB, this.kernelBwd as tf.Tensor2D, this.biasBwd as tf.Tensor1D) as tf.Tensor2D;
    return bilstmFinalStates(pF, pB, this.recurrentFwd as tf.Tensor2D, this.recurrentBwd as tf.Tensor2D, seq);
  }

  protected forward(ids: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const states = this.dropout(this.encode(ids), training);
    return dense(states, this.outKernel as tf.Tensor2D, this.outBias as tf.Tensor1D) as tf.Tensor2D;
  }
}
