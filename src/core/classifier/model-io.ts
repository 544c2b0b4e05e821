// A trained TAM as plain data (config + vocabulary + one ArrayBuffer per parameter) and back, so a model can be
// stored in IndexedDB, sent between worker and page, and rebuilt later to classify new text.
import * as tf from '@tensorflow/tfjs';
import type { Tam, TamConfig } from './types.ts';
import { createTam } from './create.ts';
import { encodeInto, vocabIndex, type Vocabulary } from '../data/tokenizer.ts';

export interface SavedParameter {
  name: string;
  shape: number[];
  /** float32 values, row-major. */
  data: ArrayBuffer;
}

export interface SavedModel {
  tamConfig: TamConfig;
  vocab: Vocabulary;
  /** Class names in class-index order. */
  labelNames: string[];
  /** In the TAM's fixed variable order. */
  parameters: SavedParameter[];
}

/** Copies the model's parameters out of tfjs (the model stays usable and owned by the caller). */
export function saveModel(tam: Tam, vocab: Vocabulary, labelNames: readonly string[]): SavedModel {
  if (labelNames.length !== tam.config.numClasses) throw new Error(`Got ${labelNames.length} label names for a ${tam.config.numClasses}-class model.`);
  const parameters = tam.variables.map((v) => {
    if (v.dtype !== 'float32') throw new Error(`Parameter ${v.name} is ${v.dtype}; only float32 parameters can be saved.`);
    const values = Float32Array.from(v.dataSync() as Float32Array);
    return { name: v.name, shape: [...v.shape], data: values.buffer as ArrayBuffer };
  });
  return { tamConfig: { ...tam.config }, vocab: { tokens: [...vocab.tokens], minCount: vocab.minCount }, labelNames: [...labelNames], parameters };
}

/** Rebuilds a TAM from a saved model; a model that does not fit its config is a clear error. Caller disposes. */
export function loadModel(saved: SavedModel): Tam {
  if (saved.vocab.tokens.length !== saved.tamConfig.vocabSize) {
    throw new Error(`Saved model is inconsistent: vocabulary has ${saved.vocab.tokens.length} tokens, the model expects ${saved.tamConfig.vocabSize}.`);
  }
  if (saved.labelNames.length !== saved.tamConfig.numClasses) {
    throw new Error(`Saved model is inconsistent: ${saved.labelNames.length} label names for ${saved.tamConfig.numClasses} classes.`);
  }
  const tam = createTam(saved.tamConfig);
  try {
    if (saved.parameters.length !== tam.variables.length) {
      throw new Error(`Saved model has ${saved.parameters.length} parameters; a ${saved.tamConfig.kind} model with this config has ${tam.variables.length}.`);
    }
    const tensors = saved.parameters.map((p, k) => {
      const size = p.shape.reduce((a, b) => a * b, 1);
      if (p.data.byteLength !== size * 4) throw new Error(`Saved parameter ${k} (${p.name}) has ${p.data.byteLength} bytes for shape [${p.shape}].`);
      return tf.tensor(new Float32Array(p.data), p.shape, 'float32');
    });
    try {
      tam.restore(tensors);
    } finally {
      tf.dispose(tensors);
    }
    return tam;
  } catch (err) {
    tam.dispose();
    throw err;
  }
}

export interface Classification {
  text: string;
  /** Predicted label name. */
  label: string;
  /** Softmax probability per label, in labelNames order. */
  probabilities: number[];
}

/** Classifies raw texts with a model (tokenised with its own vocabulary). Empty texts are an error. */
export function classifyTexts(tam: Tam, vocab: Vocabulary, labelNames: readonly string[], texts: readonly string[]): Classification[] {
  if (texts.length === 0) return [];
  texts.forEach((t, k) => {
    if (typeof t !== 'string' || !t.trim()) throw new Error(`Text ${k + 1} is empty; type something to classify.`);
  });
  const T = tam.config.maxLenTokens;
  const index = vocabIndex(vocab);
  const ids = new Int32Array(texts.length * T);
  texts.forEach((t, r) => encodeInto(t, index, ids.subarray(r * T, (r + 1) * T)));
  const probs = tf.tidy(() => tf.softmax(tam.logits(tf.tensor2d(ids, [texts.length, T], 'int32'), false)));
  const values = probs.dataSync() as Float32Array;
  probs.dispose();
  const C = labelNames.length;
  return texts.map((text, r) => {
    const p = Array.from(values.subarray(r * C, (r + 1) * C));
    let best = 0;
    for (let c = 1; c < C; c++) if (p[c] > p[best]) best = c;
    return { text, label: labelNames[best], probabilities: p };
  });
}
