// Which per-sample scores a cleaning method ranks samples by, and the settings those scores depend on — free of tfjs,
// so the page can tell whether scores computed in the Clean step still fit the chosen settings (and so will be
// reused by the next training) without loading the training runtime.
import type { TamKind } from '../classifier/types.ts';

export interface ScoreSource {
  /** SunGen's learned θ, the unweighted model's self-confidence (filter), or out-of-fold confidence (oof). */
  source: 'sungen' | 'filter' | 'oof';
  /** The model that produced the scores: SunGen's inner model, or the scoring model of filter/oof. */
  model: TamKind;
}

/** The scores `method` uses with final model `model` (null for `none`, which weights every sample the same). */
export function scoreSourceOf(method: string, model: TamKind): ScoreSource | null {
  if (method === 'none') return null;
  if (method === 'sungen-fast' || method === 'sungen-safe') return { source: 'sungen', model: 'fast' };
  if (method === 'sungen') return { source: 'sungen', model };
  if (method === 'filter' || method === 'oof') return { source: method, model };
  throw new Error(`Unknown cleaning method "${method}".`);
}

/** The training settings that change a method's scores (anything else — keep fraction, epochs of SunGen's final model… — does not). */
export interface ScoreSettings {
  method: string;
  model: TamKind;
  seed: number;
  outerIterations: number;
  outerSetSize: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  dropout: number;
  maxLenTokens: number;
  vocabSize: number;
}

/**
 * A fingerprint of everything the scores of `s.method` depend on; equal keys mean the same scores for the same
 * samples. Null for `none`.
 */
export function scoreKey(s: ScoreSettings): string | null {
  const src = scoreSourceOf(s.method, s.model);
  if (!src) return null;
  const common = { ...src, seed: s.seed, batchSize: s.batchSize, maxLenTokens: s.maxLenTokens, vocabSize: s.vocabSize };
  const parts =
    src.source === 'sungen'
      ? { ...common, outerIterations: s.outerIterations, outerSetSize: s.outerSetSize }
      : { ...common, epochs: s.epochs, learningRate: s.learningRate, dropout: s.dropout };
  return JSON.stringify(parts);
}

/** What the scores are, in words for the page: "SunGen weight" or "confidence". */
export function scoreName(source: ScoreSource['source']): string {
  return source === 'sungen' ? 'SunGen weight' : source === 'filter' ? 'filter confidence' : 'out-of-fold confidence';
}
