// Classifier export (src/core/portable/classifier-export.ts): for each model kind, the exported tfjs graph model
// (model.json + weights.bin), loaded with plain tf.loadGraphModel and fed ids made by the documented snippet's
// tokenizer from metadata.json alone, gives the same probabilities as the app's own classifyTexts.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createTam } from '../../src/core/classifier/create.ts';
import type { TamKind } from '../../src/core/classifier/types.ts';
import { buildVocabulary, TOKEN_RE } from '../../src/core/data/tokenizer.ts';
import { classifyTexts, saveModel } from '../../src/core/classifier/model-io.ts';
import { exportClassifier, type ClassifierMetadata } from '../../src/core/portable/classifier-export.ts';

const TEXTS = [
  'a wonderful , moving and beautifully acted film',
  'dull .',
  'The plot was boring and the acting was terrible, I want my money back!',
  "it 's not the worst movie i 've seen but it comes close",
  'UNKNOWNWORD zzz qqq',
  'great great great great great great great great great great great great great great great great great great',
  'Ünïcödé words ... and — dashes',
  'sad',
  'a film about a film about a film',
  'happy day',
];

/** What the README snippet does with metadata.json: regex tokens → ids, padded / truncated to maxLenTokens. */
function snippetIds(meta: ClassifierMetadata, texts: string[]): Int32Array {
  const index = new Map(meta.vocabulary.map((t, i) => [t, i]));
  const re = new RegExp(meta.tokenizer.pattern, meta.tokenizer.flags);
  const ids = new Int32Array(texts.length * meta.maxLenTokens);
  texts.forEach((text, r) => {
    const tokens = text.toLowerCase().match(re) ?? [];
    tokens.slice(0, meta.maxLenTokens).forEach((t, k) => (ids[r * meta.maxLenTokens + k] = index.get(t) ?? meta.tokenizer.unkId));
  });
  return ids;
}

describe('classifier export as tfjs graph model', () => {
  const vocab = buildVocabulary(TEXTS.slice(0, 6), { maxSize: 40 });
  for (const kind of ['fast', 'lstm', 'transformer'] as TamKind[]) {
    it(`${kind}: same predictions in a plain tfjs graph model as in the app`, async () => {
      const before = tf.memory().numTensors;
      const tam = createTam({ kind, vocabSize: vocab.tokens.length, numClasses: 3, maxLenTokens: 12, seed: 3, dropout: 0.5, embeddingDim: 8, hiddenSize: 8 });
      const labels = ['negative', 'neutral', 'positive'];
      const expected = classifyTexts(tam, vocab, labels, TEXTS);
      const saved = saveModel(tam, vocab, labels);
      tam.dispose();
      const files = exportClassifier(saved, { versions: { tfjs: tf.version_core }, seeds: { training: 3 }, tokenPattern: TOKEN_RE, testAccuracy: [{ testSet: 'x', accuracy: 0.5 }] });
      const meta = JSON.parse(new TextDecoder().decode(files['metadata.json'])) as ClassifierMetadata;
      expect(meta.labels).toEqual(labels);
      expect(meta.modelKind).toBe(kind);
      const modelJson = JSON.parse(new TextDecoder().decode(files['model.json']));
      const wd = files['weights.bin'];
      const model = await tf.loadGraphModel(
        tf.io.fromMemory({
          modelTopology: modelJson.modelTopology,
          weightSpecs: modelJson.weightsManifest[0].weights,
          weightData: wd.buffer.slice(wd.byteOffset, wd.byteOffset + wd.byteLength) as ArrayBuffer,
          format: modelJson.format,
        }),
      );
      const input = tf.tensor2d(snippetIds(meta, TEXTS), [TEXTS.length, meta.maxLenTokens], 'int32');
      const out = model.predict(input) as tf.Tensor;
      const probs = out.arraySync() as number[][];
      tf.dispose([input, out]);
      model.dispose();
      expect(probs.length).toBe(TEXTS.length);
      probs.forEach((p, r) => {
        p.forEach((v, c) => expect(v).toBeCloseTo(expected[r].probabilities[c], 5));
        expect(labels[p.indexOf(Math.max(...p))]).toBe(expected[r].label);
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
