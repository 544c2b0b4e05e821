// Training settings of the pipeline (method, model, SunGen and final-training knobs): defaults and validation.
// Free of tfjs so the page can import it without pulling the training runtime into its bundle.
import type { MethodName } from '../clean/methods.ts';
import type { TamKind } from '../classifier/types.ts';

/** Same list as METHODS in clean/methods.ts (a unit test checks it), kept here so the page bundle stays tfjs-free. */
export const METHOD_NAMES: readonly MethodName[] = ['none', 'filter', 'oof', 'sungen', 'sungen-fast', 'sungen-safe'];
/** Same as DEFAULT_METHOD in clean/methods.ts (checked by the same test): SunGen behind the collapse guard. */
export const DEFAULT_METHOD_NAME: MethodName = 'sungen-safe';

/** Per-kind learning-rate default: the bag-of-embeddings model needs a larger step than the recurrent/attention ones. */
export function defaultLearningRate(kind: TamKind): number {
  return kind === 'fast' ? 1e-2 : 1e-3;
}

export const TAM_KINDS: readonly TamKind[] = ['fast', 'lstm', 'transformer'];

export interface TrainingSettings {
  method: MethodName;
  model: TamKind;
  seed: number;
  /** Fraction of each class kept by filter / SunGen. */
  keepFraction: number;
  /** SunGen outer iterations T and outer-set size. */
  outerIterations: number;
  outerSetSize: number;
  /** Final training. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  dropout: number;
  maxLenTokens: number;
  vocabSize: number;
}

/** Browser-scale defaults for `model` (fast: larger learning rate, more epochs). */
export function defaultSettings(model: TamKind = 'fast'): TrainingSettings {
  return {
    method: DEFAULT_METHOD_NAME,
    model,
    seed: 1,
    keepFraction: 0.8,
    // T = 30 and a 2,000-row outer set, chosen on validation splits: T = 30 beat T = 20 on every generator's
    // validation splits (GPT2-XL, OPT-6.7B, SmolLM2), T = 40 did not. `bench:sungen` takes its defaults from here, so
    // `--methods default` runs what users get.
    outerIterations: 30,
    outerSetSize: 2000,
    epochs: model === 'fast' ? 8 : 3,
    batchSize: 32,
    learningRate: defaultLearningRate(model),
    dropout: model === 'fast' ? 0.2 : 0.5,
    maxLenTokens: 64,
    vocabSize: 20_000,
  };
}

/** Every problem with the settings as readable messages (empty = valid). */
export function validateSettings(s: TrainingSettings): string[] {
  const errors: string[] = [];
  const posInt = (name: string, v: number, max: number) => {
    if (!(Number.isInteger(v) && v >= 1 && v <= max)) errors.push(`${name} must be a whole number from 1 to ${max} (got ${v}).`);
  };
  if (!METHOD_NAMES.includes(s.method)) errors.push(`Unknown method "${s.method}" (choose from ${METHOD_NAMES.join(', ')}).`);
  if (!TAM_KINDS.includes(s.model)) errors.push(`Unknown model "${s.model}" (choose from ${TAM_KINDS.join(', ')}).`);
  if (!(s.keepFraction > 0 && s.keepFraction <= 1)) errors.push(`Keep fraction must be in (0, 1] (got ${s.keepFraction}).`);
  posInt('Outer iterations T', s.outerIterations, 1000);
  posInt('Outer set size', s.outerSetSize, 1_000_000);
  posInt('Epochs', s.epochs, 200);
  posInt('Batch size', s.batchSize, 4096);
  posInt('Max tokens per text', s.maxLenTokens, 512);
  if (!(Number.isInteger(s.vocabSize) && s.vocabSize >= 3 && s.vocabSize <= 50_000)) errors.push(`Vocabulary size must be a whole number from 3 to 50000 (got ${s.vocabSize}).`);
  if (!(s.learningRate > 0 && s.learningRate < 10)) errors.push(`Learning rate must be in (0, 10) (got ${s.learningRate}).`);
  if (!(s.dropout >= 0 && s.dropout < 1)) errors.push(`Dropout must be in [0, 1) (got ${s.dropout}).`);
  if (!Number.isFinite(s.seed)) errors.push(`Seed must be a number (got ${s.seed}).`);
  return errors;
}
