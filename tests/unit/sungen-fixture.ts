// Test fixture for the SunGen tests: a real (tiny) tfjs bag-of-embeddings classifier implementing the Tam contract,
// a whitespace word tokenizer, and a loader for a few hundred real JSONL rows. Independent of src/core/classifier so the
// SunGen math can be tested on its own.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import type { EncodedDataset, Tam, TamConfig } from '../../src/core/classifier/types';
import { embedLookup } from '../../src/core/classifier/ops';

/** Mean of token embeddings over non-padding positions → dense → logits. */
export function createBagTam(opts: { vocabSize: number; numClasses: number; maxLenTokens: number; seed: number; dim?: number }): Tam {
  const dim = opts.dim ?? 8;
  const config: TamConfig = { kind: 'fast', vocabSize: opts.vocabSize, numClasses: opts.numClasses, maxLenTokens: opts.maxLenTokens, seed: opts.seed, dropout: 0 };
  const variables = tf.tidy(() => [
    tf.variable(tf.randomNormal([opts.vocabSize, dim], 0, 0.3, 'float32', opts.seed), true, `bag_emb_${opts.seed}_${Math.random()}`),
    tf.variable(tf.randomNormal([dim, opts.numClasses], 0, 0.3, 'float32', opts.seed + 1), true, `bag_w_${opts.seed}_${Math.random()}`),
    tf.variable(tf.zeros([opts.numClasses]), true, `bag_b_${opts.seed}_${Math.random()}`),
  ]);
  const [emb, w, b] = variables;
  return {
    config,
    variables,
    logits(ids: tf.Tensor2D): tf.Tensor2D {
      return tf.tidy(() => {
        const [batch, len] = ids.shape;
        const vecs = tf.reshape(embedLookup(emb as tf.Tensor2D, tf.reshape(ids, [-1]) as tf.Tensor1D), [batch, len, dim]);
        const present = tf.expandDims(tf.cast(tf.greater(ids, 0), 'float32'), 2); // [B, T, 1]
        const pooled = tf.div(tf.sum(tf.mul(vecs, present), 1), tf.maximum(tf.sum(present, 1), 1)); // [B, D]
        return tf.add(tf.matMul(pooled, w as tf.Tensor2D), b) as tf.Tensor2D;
      });
    },
    snapshot: () => variables.map((v) => v.clone()),
    restore(snapshot: tf.Tensor[]) {
      variables.forEach((v, k) => v.assign(snapshot[k]));
    },
    dispose: () => tf.dispose(variables),
  };
}

/** Lower-cased word tokenizer over a vocabulary built from the texts (id 0 = padding, 1 = unknown). */
export function encodeTexts(texts: string[], labels: number[], labelNames: string[], maxLenTokens: number, vocabSize: number): EncodedDataset {
  const words = (s: string) => s.toLowerCase().match(/[a-z']+/g) ?? [];
  const counts = new Map<string, number>();
  for (const t of texts) for (const wd of words(t)) counts.set(wd, (counts.get(wd) ?? 0) + 1);
  const vocab = new Map([...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, vocabSize - 2).map(([wd], i) => [wd, i + 2]));
  const ids = new Int32Array(texts.length * maxLenTokens);
  texts.forEach((t, r) => words(t).slice(0, maxLenTokens).forEach((wd, k) => (ids[r * maxLenTokens + k] = vocab.get(wd) ?? 1)));
  return { ids, labels: Int32Array.from(labels), maxLenTokens, numClasses: labelNames.length, labelNames };
}

/** First `count` rows of a {"text","label"} JSONL file, alternating classes so both are present. */
export function loadRows(file: string, count: number): { texts: string[]; labels: number[]; labelNames: string[] } {
  const rows = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { text: string; label: string });
  const labelNames = [...new Set(rows.map((r) => r.label))].sort();
  const byClass = labelNames.map((name) => rows.filter((r) => r.label === name));
  const picked: { text: string; label: string }[] = [];
  for (let i = 0; picked.length < count; i++) for (const list of byClass) if (i < list.length && picked.length < count) picked.push(list[i]);
  return { texts: picked.map((r) => r.text), labels: picked.map((r) => labelNames.indexOf(r.label)), labelNames };
}
