// Small transformer encoder TAM ("DistilBERT-style", trained from scratch): token + learned position embeddings,
// 2 pre-LayerNorm encoder layers (d 128, 4 heads, feed-forward 2·d for speed), padding mask in
// attention, mean over real tokens, dropout, linear head.
import * as tf from '@tensorflow/tfjs';
import type { TamConfig } from './types.ts';
import { TamBase, checkConfig } from './base.ts';
import { ParamFactory } from './init.ts';
import { dense, embedLookup } from './ops.ts';

export const TRANSFORMER_DEFAULTS = { modelDim: 128, heads: 4, layers: 2, ffMultiplier: 2 };

interface EncoderLayer {
  ln1g: tf.Variable;
  ln1b: tf.Variable;
  wqkv: tf.Variable;
  bqkv: tf.Variable;
  wo: tf.Variable;
  bo: tf.Variable;
  ln2g: tf.Variable;
  ln2b: tf.Variable;
  w1: tf.Variable;
  b1: tf.Variable;
  w2: tf.Variable;
  b2: tf.Variable;
}

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
}

export class TransformerTam extends TamBase {
  readonly modelDim: number;
  readonly heads: number;
  private readonly tokenEmb: tf.Variable;
  private readonly posEmb: tf.Variable;
  private readonly layers: EncoderLayer[] = [];
  private readonly lnFg: tf.Variable;
  private readonly lnFb: tf.Variable;
  private readonly outKernel: tf.Variable;
  private readonly outBias: tf.Variable;

  constructor(config: TamConfig) {
    checkConfig(config);
    const d = config.embeddingDim ?? TRANSFORMER_DEFAULTS.modelDim;
    const heads = TRANSFORMER_DEFAULTS.heads;
    if (d % heads !== 0) throw new Error(`Transformer TAM: model dim ${d} must be divisible by ${heads} heads.`);
    const ff = (config.hiddenSize ?? TRANSFORMER_DEFAULTS.ffMultiplier * d);
    const p = new ParamFactory(config.seed, 'transformer');
    const tokenEmb = p.normal('token_emb', [config.vocabSize, d], 0.02);
    const posEmb = p.normal('pos_emb', [config.maxLenTokens, d], 0.02);
    const layers: EncoderLayer[] = [];
    for (let l = 0; l < TRANSFORMER_DEFAULTS.layers; l++) {
      layers.push({
        ln1g: p.constant(`l${l}_ln1_g`, [d], 1),
        ln1b: p.constant(`l${l}_ln1_b`, [d], 0),
        wqkv: p.glorot(`l${l}_wqkv`, d, 3 * d),
        bqkv: p.constant(`l${l}_bqkv`, [3 * d], 0),
        wo: p.glorot(`l${l}_wo`, d, d),
        bo: p.constant(`l${l}_bo`, [d], 0),
        ln2g: p.constant(`l${l}_ln2_g`, [d], 1),
        ln2b: p.constant(`l${l}_ln2_b`, [d], 0),
        w1: p.glorot(`l${l}_w1`, d, ff),
        b1: p.constant(`l${l}_b1`, [ff], 0),
        w2: p.glorot(`l${l}_w2`, ff, d),
        b2: p.constant(`l${l}_b2`, [d], 0),
      });
    }
    const lnFg = p.constant('lnf_g', [d], 1);
    const lnFb = p.constant('lnf_b', [d], 0);
    const outKernel = p.glorot('out_kernel', d, config.numClasses);
    const outBias = p.constant('out_bias', [config.numClasses], 0);
    super(config, p.variables);
    this.modelDim = d;
    this.heads = heads;
    this.tokenEmb = tokenEmb;
    this.posEmb = posEmb;
    this.layers = layers;
    this.lnFg = lnFg;
    this.lnFb = lnFb;
    this.outKernel = outKernel;
    this.outBias = outBias;
  }

  protected forward(ids: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const [B, T] = ids.shape;
    const d = this.modelDim;
    const nh = this.heads;
    const dk = d / nh;
    const tok = tf.reshape(embedLookup(this.tokenEmb as tf.Tensor2D, tf.reshape(ids, [-1]) as tf.Tensor1D), [B, T, d]);
    let x: tf.Tensor = tf.add(tok, tf.slice(this.posEmb, [0, 0], [T, d]));
    const present = tf.cast(tf.greater(ids, 0), 'float32'); // [B, T]
    const keyBias = tf.reshape(tf.mul(tf.sub(1, present), -1e9), [B, 1, 1, T]);
    for (const L of this.layers) {
      const hIn = layerNorm(x, L.ln1g, L.ln1b);
      const qkv = tf.reshape(dense(hIn, L.wqkv as tf.Tensor2D, L.bqkv as tf.Tensor1D), [B, T, 3, nh, dk]);
      const heads = (k: number) => tf.transpose(tf.reshape(tf.slice(qkv, [0, 0, k, 0, 0], [B, T, 1, nh, dk]), [B, T, nh, dk]), [0, 2, 1, 3]); // [B, nh, T, dk]
      const q = heads(0);
      const k = heads(1);
      const v = heads(2);
      const scores = tf.add(tf.div(tf.matMul(q, tf.transpose(k, [0, 1, 3, 2])), Math.sqrt(dk)), keyBias); // [B, nh, T, T]
      const att = tf.matMul(tf.softmax(scores), v); // [B, nh, T, dk]
      const merged = tf.reshape(tf.transpose(att, [0, 2, 1, 3]), [B, T, d]);
      x = tf.add(x, dense(merged, L.wo as tf.Tensor2D, L.bo as tf.Tensor1D));
      const h2 = layerNorm(x, L.ln2g, L.ln2b);
      x = tf.add(x, dense(tf.relu(dense(h2, L.w1 as tf.Tensor2D, L.b1 as tf.Tensor1D)), L.w2 as tf.Tensor2D, L.b2 as tf.Tensor1D));
    }
    x = layerNorm(x, this.lnFg, this.lnFb);
    const m = tf.expandDims(present, 2);
    const pooled = tf.div(tf.sum(tf.mul(x, m), 1), tf.maximum(tf.sum(m, 1), 1)); // [B, d]
    return dense(this.dropout(pooled, training), this.outKernel as tf.Tensor2D, this.outBias as tf.Tensor1D) as tf.Tensor2D;
  }
}
