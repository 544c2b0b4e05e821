// Chooses and runs a cleaning (data-quality) method; one entry point for page, worker and benches. Methods: `none`
// (unweighted ZeroGen), `filter` (confidence filtering, filter.ts), `sungen` (SunGen with the final model kind as
// inner TAM, sungen/) and `sungen-fast` (SunGen with the cheap bag-of-embeddings TAM as inner model, weights then used
// to train the final model). Model construction and final training are injected so the same code runs with any TAM
// implementation, in Node and in a worker.
import type { EncodedDataset, Tam, TamKind } from '../tam/types.ts';
import { sungenReweight } from './sungen/reweight.ts';
import { allRows, rowCount } from '../train/rows.ts';
import type { SungenOptions, SungenProgress } from './sungen/types.ts';
import { weightStats } from './sungen/weight-math.ts';
import { normaliseKeptWeights, perClassTopK } from './keep.ts';
import { selfConfidence } from './filter.ts';

export const METHODS = ['none', 'filter', 'sungen', 'sungen-fast'] as const;
export type MethodName = (typeof METHODS)[number];

export function parseMethods(list: string): MethodName[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new Error('No method given (choose from ' + METHODS.join(', ') + ').');
  for (const name of names) {
    if (!(METHODS as readonly string[]).includes(name)) throw new Error(`Unknown method "${name}" (choose from ${METHODS.join(', ')}).`);
  }
  return names as MethodName[];
}

export interface MethodDeps {
  /** A fresh TAM of `kind` for `data`, initialised from `seed`; `role` says whether it is SunGen's inner model. */
  createTam(kind: TamKind, seed: number, role: 'final' | 'inner'): Tam;
  /** Trains `tam` in place on `rows` with per-row weights (indexed by row id), e.g. a few epochs of weighted CE. */
  train(tam: Tam, data: EncodedDataset, rows: Int32Array, weights: Float32Array, signal?: AbortSignal): Promise<void>;
}

export interface MethodOptions {
  /** Final model kind. */
  model: TamKind;
  seed: number;
  /** Fraction of each class kept for final training by `filter` and the SunGen methods (by score). */
  keepFraction: number;
  sungen: Partial<SungenOptions>;
  /**
   * How the SunGen methods train the final model on the kept per-class top-K rows: 'soft' with their learned weights
   * w (per-class mean 1), 'hard' with weight 1 each (selection only). Default 'soft'.
   */
  sungenFinalWeights?: 'soft' | 'hard';
  signal?: AbortSignal;
  onSungenProgress?: (p: SungenProgress) => void;
}

export interface MethodRun {
  method: MethodName;
  /** The trained final model (caller disposes). */
  tam: Tam;
  /** Rows used for the final training and their weights (indexed by row id; 0 for dropped rows). */
  keptRows: Int32Array;
  weights: Float32Array;
  /** SunGen scores θ per row (SunGen methods only). */
  theta?: Float32Array;
  /** Time spent choosing/weighting data (incl. filter's first training run) and in the final training run. */
  reweightSeconds: number;
  trainSeconds: number;
}

/**
 * SunGen's inner learning rate η for an inner model kind. The paper's 1e-3 is for an LSTM; the bag-of-embeddings
 * model needs 1e-2 (its final-training rate) to move away from its random init within one epoch at browser scale —
 * at 1e-3 φ* stays near the init and the hypergradient is mostly noise. An explicit opts.sungen.innerLearningRate wins.
 */
export function innerLearningRateFor(kind: TamKind): number {
  return kind === 'fast' ? 1e-2 : 1e-3;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/** Runs one method end to end on `data` and returns the trained final model with timings. */
export async function runMethod(method: MethodName, data: EncodedDataset, deps: MethodDeps, opts: MethodOptions): Promise<MethodRun> {
  const n = rowCount(data);
  if (!(opts.keepFraction > 0 && opts.keepFraction <= 1)) throw new Error(`keepFraction must be in (0, 1] (got ${opts.keepFraction}).`);
  const ones = new Float32Array(n).fill(1);
  const all = allRows(n);
  const trainFinal = async (rows: Int32Array, weights: Float32Array) => {
    const start = performance.now();
    const tam = deps.createTam(opts.model, opts.seed, 'final');
    try {
      await deps.train(tam, data, rows, weights, opts.signal);
    } catch (err) {
      tam.dispose();
      throw err;
    }
    return { tam, trainSeconds: seconds(start) };
  };

  if (method === 'none') {
    const { tam, trainSeconds } = await trainFinal(all, ones);
    return { method, tam, keptRows: all, weights: ones, reweightSeconds: 0, trainSeconds };
  }

  if (method === 'filter') {
    // Train once, score each sample by its self-confidence p_y = exp(−CE), keep the most confident per class, retrain.
    const start = performance.now();
    const first = await trainFinal(all, ones);
    let confidence: Float32Array;
    try {
      confidence = selfConfidence(first.tam, data);
    } finally {
      first.tam.dispose();
    }
    const kept = perClassTopK(confidence, data.labels, data.numClasses, opts.keepFraction);
    const weights = normaliseKeptWeights(ones, kept, data.labels, data.numClasses);
    const reweightSeconds = seconds(start);
    const { tam, trainSeconds } = await trainFinal(kept, weights);
    return { method, tam, keptRows: kept, weights, reweightSeconds, trainSeconds };
  }

  // SunGen: learn θ with the inner TAM, keep the top per class by θ, train the final TAM with the weights w.
  const start = performance.now();
  const innerKind: TamKind = method === 'sungen-fast' ? 'fast' : opts.model;
  const inner = deps.createTam(innerKind, opts.seed, 'inner');
  let result;
  try {
    const sungenOptions = { seed: opts.seed, innerLearningRate: innerLearningRateFor(innerKind), ...opts.sungen };
    result = await sungenReweight(inner, data, sungenOptions, { signal: opts.signal, onProgress: opts.onSungenProgress });
  } finally {
    inner.dispose();
  }
  const kept = perClassTopK(result.theta, data.labels, data.numClasses, opts.keepFraction);
  const weights = normaliseKeptWeights(opts.sungenFinalWeights === 'hard' ? ones : result.weights, kept, data.labels, data.numClasses);
  const reweightSeconds = seconds(start);
  const { tam, trainSeconds } = await trainFinal(kept, weights);
  return { method, tam, keptRows: kept, weights, theta: result.theta, reweightSeconds, trainSeconds };
}

/** Mean/std of the final weights over kept rows, for reports. */
export function keptWeightStats(run: MethodRun) {
  return weightStats(Float32Array.from(run.keptRows, (r) => run.weights[r]));
}
