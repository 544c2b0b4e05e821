// Chooses and runs a cleaning (data-quality) method; one entry point for page, worker and benches. Methods: `none`
// (unweighted ZeroGen), `filter` (confidence filtering, filter.ts), `oof` (out-of-fold confident learning,
// confident.ts), `sungen` (SunGen with the final model kind as inner TAM, sungen/), `sungen-fast` (SunGen with the
// cheap bag-of-embeddings TAM as inner model) and `sungen-safe` — the default — SunGen-fast behind the collapse guard
// (guard.ts) and label-free selection (select.ts), keeping filter's or the unweighted model when SunGen shows harm.
// Every run holds out a stratified split of the synthetic set, never trained on, for the guard and the selection; on
// sets from 1,500 to 5,000 training rows the default cross-fits its choice over every synthetic row (selectionFolds).
// Model construction and final training are injected so the same code runs with any TAM implementation, in Node and
// in a worker.
import type { EncodedDataset, Tam, TamKind } from '../classifier/types.ts';
import { perSampleProbabilities } from '../train/per-sample.ts';
import { rowCount, shuffled } from '../train/rows.ts';
import { mixSeed } from '../generation/prng.ts';
import { sungenReweight } from './sungen/reweight.ts';
import type { SungenOptions, SungenProgress } from './sungen/types.ts';
import { weightsFromScores } from './sungen/weight-math.ts';
import { normaliseKeptWeights, perClassTopK } from './keep.ts';
import { selfConfidence } from './filter.ts';
import { confidentLearningScores, outOfFoldProbabilities, stratifiedFolds } from './confident.ts';
import { classDistribution, classWeightStats, detectCollapse, type ClassDistribution, type ClassWeightStats, type GuardReport } from './guard.ts';
import { inspectTrainingSet, SUNGEN_FROM_ROWS, type SetInspection } from './inspect.ts';
import { selectMethod, type Selection } from './select.ts';
import { scoreSourceOf, type ScoreSource } from './score-source.ts';
import { rankAverageOn } from './rank.ts';

export const METHODS = ['none', 'filter', 'oof', 'sungen', 'sungen-fast', 'sungen-safe'] as const;
export type MethodName = (typeof METHODS)[number];
/** The method users get: `default` in --methods and the page's preselected method. */
export const DEFAULT_METHOD: MethodName = 'sungen-safe';

export function parseMethods(list: string): MethodName[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean).map((s) => (s === 'default' ? DEFAULT_METHOD : s));
  if (names.length === 0) throw new Error('No method given (choose from ' + METHODS.join(', ') + ', default).');
  for (const name of names) {
    if (!(METHODS as readonly string[]).includes(name)) throw new Error(`Unknown method "${name}" (choose from ${METHODS.join(', ')}, default).`);
  }
  return [...new Set(names)] as MethodName[];
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
  /** Fraction of each class kept for final training by `filter`, `oof` and the SunGen methods (by score). */
  keepFraction: number;
  sungen: Partial<SungenOptions>;
  /**
   * How the SunGen methods train the final model on the kept per-class top-K rows: 'soft' with their learned weights
   * w (per-class mean 1), 'hard' with weight 1 each (selection only). Default 'soft'.
   */
  sungenFinalWeights?: 'soft' | 'hard';
  /** Stratified fraction of the synthetic set held out (never trained on) for the guard and selection (default 0.1). */
  validationFraction?: number;
  /** Folds of the out-of-fold confidence (default 4). */
  folds?: number;
  /**
   * Rows of `data` that are real, human-labelled examples (a few, e.g. 20–100): never trained on; the default method
   * selects on them instead of the synthetic validation split, and with `realAsOuter` the SunGen methods use them as
   * their outer set (measured worse with 50 rows: the outer gradient of so few samples is noisy).
   */
  realRows?: Int32Array;
  realAsOuter?: boolean;
  /** Rows kept by hand (the Clean step's "keep" overrides): always in the final training set, with full weight. */
  forceKeep?: ReadonlySet<number>;
  /**
   * Tokens per text seen by SunGen's inner model when it is not the fast model (default 32; the final model still
   * sees maxLenTokens). The BiLSTM's cost is linear in the sequence length, and the weights need only enough of a
   * text to tell a wrong label, so this halves the paper setting's cost at the default 64.
   */
  innerMaxTokens?: number;
  /**
   * sungen-safe keeps SunGen unless another candidate scores more than this above it. Default 0: the best score wins,
   * SunGen on ties (0.01 let a SunGen that lost on the validation splits through on the small OPT set).
   */
  selectionMargin?: number;
  /**
   * sungen-safe on a small set (fewer than `crossFitBelowRows` training rows): score the candidates on every
   * synthetic row instead of the held-out split alone — the held-out rows by the full models, and the training rows
   * in `selectionFolds` stratified folds, each fold by the candidates retrained without it (SunGen's θ included).
   * Each row is scored once by a model that never trained on it, so the score rests on ~10× more rows. 0 or 1 = off.
   * Not used when real labelled rows are the selection set. Default (undefined): SELECTION_FOLDS, only where SunGen is
   * a candidate (from `sungenFromRows` training rows up) — on both 2,000-row SmolLM2 sets the held-out split (200
   * rows) chose filter or none on 2 of 3 seeds while SunGen was better on the validation splits (+6.7 and +2.1 %
   * against +7.9 and +8.2 % cross-fitted); below that size, choosing between filter and none, it was no better
   * (+2.8 against +2.9 %). An explicit value applies to every set under `crossFitBelowRows`.
   */
  selectionFolds?: number;
  crossFitBelowRows?: number;
  /**
   * sungen-safe's label-free choice considers SunGen only from this many training rows (default SUNGEN_FROM_ROWS);
   * below it the choice is between filter and unweighted training. Real labelled rows (`realRows`) can still pick
   * SunGen on any set.
   */
  sungenFromRows?: number;
  /**
   * Which per-sample score the SunGen methods keep their top fraction by: 'theta' (SunGen's θ, default) or
   * 'theta+loss' (the mean of θ's rank and the rank of the sample's mean inner loss, lower loss = cleaner). The
   * final weights are w = sigmoid(θ) either way. Precomputed θ (without inner losses) always ranks by θ.
   */
  sungenRanking?: 'theta' | 'theta+loss';
  /**
   * Scores computed earlier for the same rows and settings (the Clean step's "Compute weights"): the method uses them
   * instead of computing them again. `scores` is indexed by row id (θ for SunGen, confidence for filter/oof).
   */
  precomputed?: PrecomputedScores;
  /** Explicit held-out rows (e.g. those of the earlier computation), instead of drawing a new stratified split. */
  validationRows?: Int32Array;
  signal?: AbortSignal;
  onSungenProgress?: (p: SungenProgress) => void;
}

/** Per-row scores of one scoring source (see scoreSourceOf in score-source.ts). */
export interface PrecomputedScores extends ScoreSource {
  scores: Float32Array;
}

export interface ValidationReport {
  /** Held-out rows scored (synthetic validation split, or the real rows when given). */
  rows: number;
  source: 'synthetic' | 'real';
  accuracy: number;
  /** Mean probability of the given label: 1 − RCE/10 up to a constant, SunGen's noise-robust outer loss, as a score. */
  meanLabelProbability: number;
  distribution: ClassDistribution;
}

/** Default folds (0 = off) and size limit of sungen-safe's cross-fitted selection (see MethodOptions.selectionFolds). */
export const SELECTION_FOLDS = 3;
export const CROSS_FIT_BELOW_ROWS = 5000;
export { SUNGEN_FROM_ROWS };

export interface MethodDiagnostics {
  /** Per class: the method's per-sample score (SunGen w, filter/oof confidence, 1 for none) and kept counts. */
  classWeights: ClassWeightStats[];
  /** The final model on the held-out synthetic split (no human labels). */
  validation: ValidationReport;
  /** The same on the real labelled rows, when given. */
  realValidation?: ValidationReport;
  guard: GuardReport;
  inspection: SetInspection;
  /** sungen-safe only: the candidates, their scores and the choice. */
  selection?: Selection;
}

export interface MethodRun {
  method: MethodName;
  /** The trained final model (caller disposes). */
  tam: Tam;
  /** Rows used for the final training and their weights (indexed by row id; 0 for dropped and held-out rows). */
  keptRows: Int32Array;
  weights: Float32Array;
  /** SunGen scores θ per row (SunGen methods only; sungen-safe also when it fell back). */
  theta?: Float32Array;
  /** Per-row cleanliness score the method ranked by (higher = cleaner), indexed by row id. */
  scores?: Float32Array;
  /** SunGen methods: −(mean per-sample loss of the inner model at φ* over the outer iterations), higher = cleaner. */
  innerLossScores?: Float32Array;
  /** Time spent choosing/weighting data (incl. extra training runs) and in the final training run. */
  reweightSeconds: number;
  trainSeconds: number;
  diagnostics: MethodDiagnostics;
  /** sungen-safe: the method whose model this is. */
  selected?: MethodName;
  /** True when the scores came from MethodOptions.precomputed instead of being computed again. */
  reusedScores?: boolean;
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

/** Default tokens per text for a recurrent/attention inner model (see MethodOptions.innerMaxTokens). */
export const INNER_MAX_TOKENS = 32;

/** The same rows with every text cut to its first `maxTokens` tokens (a copy; `data` itself is unchanged). */
export function truncateTokens(data: EncodedDataset, maxTokens: number): EncodedDataset {
  if (!(Number.isInteger(maxTokens) && maxTokens > 0)) throw new Error(`innerMaxTokens must be a positive integer (got ${maxTokens}).`);
  if (maxTokens >= data.maxLenTokens) return data;
  const n = data.labels.length;
  const ids = new Int32Array(n * maxTokens);
  for (let r = 0; r < n; r++) ids.set(data.ids.subarray(r * data.maxLenTokens, r * data.maxLenTokens + maxTokens), r * maxTokens);
  return { ...data, ids, maxLenTokens: maxTokens };
}

/** Stratified held-out split: ⌊fraction·n_c⌋ rows of each class (at most n_c − 1), seeded. */
export function stratifiedHoldOut(labels: Int32Array, numClasses: number, fraction: number, seed: number, exclude?: Int32Array): { train: Int32Array; validation: Int32Array } {
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`validationFraction must be in [0, 1) (got ${fraction}).`);
  const skip = new Set(exclude ?? []);
  const train: number[] = [];
  const validation: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    const rows: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c && !skip.has(i)) rows.push(i);
    const order = shuffled(rows, mixSeed(seed, 0x5a1d + c));
    const take = Math.min(Math.floor(fraction * rows.length), Math.max(0, rows.length - 1));
    order.forEach((r, k) => (k < take ? validation : train).push(r));
  }
  return { train: Int32Array.from(train.sort((a, b) => a - b)), validation: Int32Array.from(validation.sort((a, b) => a - b)) };
}

/** The given held-out rows and every other row (except `exclude`) for training. */
function explicitHoldOut(n: number, validation: Int32Array, exclude?: Int32Array): { train: Int32Array; validation: Int32Array } {
  const skip = new Set([...validation, ...(exclude ?? [])]);
  for (const r of validation) if (!(Number.isInteger(r) && r >= 0 && r < n)) throw new Error(`validationRows: row ${r} is outside 0..${n - 1}.`);
  const train: number[] = [];
  for (let i = 0; i < n; i++) if (!skip.has(i)) train.push(i);
  return { train: Int32Array.from(train), validation: Int32Array.from(validation).sort() };
}

/** A new TAM with the same parameters as `tam` (created by `deps` with the same kind and seed). */
function cloneTam(tam: Tam, deps: MethodDeps): Tam {
  const copy = deps.createTam(tam.config.kind, tam.config.seed, 'final');
  const snap = tam.snapshot();
  try {
    copy.restore(snap);
  } finally {
    for (const t of snap) t.dispose();
  }
  return copy;
}

interface Trained {
  tam: Tam;
  keptRows: Int32Array;
  weights: Float32Array;
  scores: Float32Array;
  theta?: Float32Array;
  innerLossScores?: Float32Array;
  reweightSeconds: number;
  trainSeconds: number;
  validation: ValidationReport;
  realValidation?: ValidationReport;
}

/**
 * Runs methods on one dataset and seed, sharing work between them: the unweighted model (none, filter's first run,
 * sungen-safe's fallback and reference) and SunGen's scores per inner model kind are computed once. Returned models
 * are the caller's; call dispose() for the cached ones.
 */
export class CleaningSession {
  readonly trainRows: Int32Array;
  readonly validationRows: Int32Array;
  readonly inspection: SetInspection;
  private readonly cache = new Map<string, Trained>();
  private readonly n: number;

  constructor(
    readonly data: EncodedDataset,
    readonly deps: MethodDeps,
    readonly opts: MethodOptions,
  ) {
    this.n = rowCount(data);
    if (!(opts.keepFraction > 0 && opts.keepFraction <= 1)) throw new Error(`keepFraction must be in (0, 1] (got ${opts.keepFraction}).`);
    const split = opts.validationRows
      ? explicitHoldOut(this.n, opts.validationRows, opts.realRows)
      : stratifiedHoldOut(data.labels, data.numClasses, opts.validationFraction ?? 0.1, mixSeed(opts.seed, 0x7a1), opts.realRows);
    this.trainRows = split.train;
    this.validationRows = split.validation;
    if (this.trainRows.length === 0) throw new Error('No training sample is left after holding out the validation split.');
    this.inspection = inspectTrainingSet(data, this.trainRows);
  }

  dispose(): void {
    for (const t of this.cache.values()) t.tam.dispose();
    this.cache.clear();
  }

  /** The precomputed scores when they come from `source` (same method family and model kind). */
  private reuse(source: ScoreSource): Float32Array | null {
    const p = this.opts.precomputed;
    if (!p || p.source !== source.source || p.model !== source.model) return null;
    if (p.scores.length !== this.n) throw new Error(`Precomputed scores: ${p.scores.length} for ${this.n} rows.`);
    return p.scores;
  }

  /** Whether this session used precomputed scores (set once a method used them). */
  reusedScores = false;

  /**
   * The per-row scores `method` ranks samples by, without training its final model: SunGen's θ (sungen methods;
   * sungen-safe: SunGen-fast's), the unweighted model's self-confidence (filter) or out-of-fold confidence (oof).
   * Null for `none`.
   */
  async scoresOf(method: MethodName): Promise<{ source: ScoreSource; scores: Float32Array; seconds: number } | null> {
    const source = scoreSourceOf(method, this.opts.model);
    if (!source) return null;
    const start = performance.now();
    if (source.source === 'sungen') return { source, scores: (await this.sungenTheta(source.model)).theta, seconds: seconds(start) };
    if (source.source === 'filter') return { source, scores: await this.confidence(), seconds: seconds(start) };
    return { source, scores: (await this.oofScores()).scores, seconds: seconds(start) };
  }

  private ones(): Float32Array {
    const w = new Float32Array(this.n);
    for (const r of this.trainRows) w[r] = 1;
    return w;
  }

  private async trainFinal(rows: Int32Array, weights: Float32Array): Promise<{ tam: Tam; trainSeconds: number }> {
    const start = performance.now();
    const tam = this.deps.createTam(this.opts.model, this.opts.seed, 'final');
    try {
      await this.deps.train(tam, this.data, rows, weights, this.opts.signal);
    } catch (err) {
      tam.dispose();
      throw err;
    }
    return { tam, trainSeconds: seconds(start) };
  }

  /** Accuracy, mean p_y and class distribution of `tam` on `rows` (against their given labels). */
  validate(tam: Tam, rows: Int32Array, source: 'synthetic' | 'real'): ValidationReport {
    const c = this.data.numClasses;
    const probs = perSampleProbabilities(tam, this.data, rows, 256);
    const predictions = new Int32Array(rows.length);
    let correct = 0;
    let pY = 0;
    const labels = Int32Array.from(rows, (r) => this.data.labels[r]);
    for (let k = 0; k < rows.length; k++) {
      let best = 0;
      for (let j = 1; j < c; j++) if (probs[k * c + j] > probs[k * c + best]) best = j;
      predictions[k] = best;
      if (best === labels[k]) correct += 1;
      pY += probs[k * c + labels[k]];
    }
    const count = Math.max(1, rows.length);
    return { rows: rows.length, source, accuracy: correct / count, meanLabelProbability: pY / count, distribution: classDistribution(labels, predictions, c) };
  }

  private async finish(rows: Int32Array, weights: Float32Array, scores: Float32Array, reweightSeconds: number, theta?: Float32Array, innerLossScores?: Float32Array): Promise<Trained> {
    const { tam, trainSeconds } = await this.trainFinal(rows, weights);
    const validation = this.validate(tam, this.validationRows, 'synthetic');
    const realValidation = this.opts.realRows?.length ? this.validate(tam, this.opts.realRows, 'real') : undefined;
    return { tam, keptRows: rows, weights, scores, theta, innerLossScores, reweightSeconds, trainSeconds, validation, realValidation };
  }

  private async cached(key: string, make: () => Promise<Trained>): Promise<Trained> {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const made = await make();
    this.cache.set(key, made);
    return made;
  }

  private none(): Promise<Trained> {
    return this.cached('none', async () => {
      const ones = this.ones();
      return this.finish(this.trainRows, ones, ones, 0);
    });
  }

  private keep(scores: Float32Array): Int32Array {
    const kept = perClassTopK(Float32Array.from(this.trainRows, (r) => scores[r]), Int32Array.from(this.trainRows, (r) => this.data.labels[r]), this.data.numClasses, this.opts.keepFraction);
    const rows = Int32Array.from(kept, (k) => this.trainRows[k]);
    const force = this.opts.forceKeep;
    if (!force?.size) return rows;
    const inTrain = new Set(this.trainRows);
    const all = new Set(rows);
    for (const r of force) if (inTrain.has(r)) all.add(r);
    return Int32Array.from([...all].sort((a, b) => a - b));
  }

  /** Self-confidence of every row under the unweighted model (precomputed when given). */
  private async confidence(): Promise<Float32Array> {
    const given = this.reuse({ source: 'filter', model: this.opts.model });
    if (given) {
      this.reusedScores = true;
      return given;
    }
    return selfConfidence((await this.none()).tam, this.data);
  }

  private filter(): Promise<Trained> {
    return this.cached('filter', async () => {
      // Score each sample by its self-confidence under the unweighted model, keep the most confident per class, retrain.
      const start = performance.now();
      const confidence = await this.confidence();
      const firstSeconds = this.reusedScores ? 0 : (this.cache.get('none')?.trainSeconds ?? 0);
      const kept = this.keep(confidence);
      const weights = normaliseKeptWeights(this.ones(), kept, this.data.labels, this.data.numClasses);
      return this.finish(kept, weights, confidence, seconds(start) + firstSeconds);
    });
  }

  /** cleanlab-style out-of-fold confidence scores (indexed by row id; 0 outside the training rows). */
  async oofScores(): Promise<{ scores: Float32Array; seconds: number }> {
    const start = performance.now();
    const given = this.reuse({ source: 'oof', model: this.opts.model });
    if (given) {
      this.reusedScores = true;
      return { scores: given, seconds: 0 };
    }
    const sub: EncodedDataset = {
      ...this.data,
      ids: Int32Array.from({ length: this.trainRows.length * this.data.maxLenTokens }, (_, k) => this.data.ids[this.trainRows[Math.floor(k / this.data.maxLenTokens)] * this.data.maxLenTokens + (k % this.data.maxLenTokens)]),
      labels: Int32Array.from(this.trainRows, (r) => this.data.labels[r]),
    };
    const probs = await outOfFoldProbabilities(sub, this.deps, { kind: this.opts.model, folds: this.opts.folds ?? 4, seed: this.opts.seed, signal: this.opts.signal });
    const local = confidentLearningScores(probs, sub.labels, sub.numClasses);
    const scores = new Float32Array(this.n);
    this.trainRows.forEach((r, k) => (scores[r] = local[k]));
    return { scores, seconds: seconds(start) };
  }

  private oof(): Promise<Trained> {
    return this.cached('oof', async () => {
      const { scores, seconds: s } = await this.oofScores();
      const kept = this.keep(scores);
      return this.finish(kept, normaliseKeptWeights(this.ones(), kept, this.data.labels, this.data.numClasses), scores, s);
    });
  }

  private readonly thetas = new Map<TamKind, Promise<{ theta: Float32Array; weights: Float32Array; meanInnerLoss?: Float32Array }>>();

  /** SunGen's θ per row with `innerKind` as inner model (computed once per session, or precomputed). */
  private sungenTheta(innerKind: TamKind): Promise<{ theta: Float32Array; weights: Float32Array; meanInnerLoss?: Float32Array }> {
    let made = this.thetas.get(innerKind);
    if (!made) {
      made = (async () => {
        const given = this.reuse({ source: 'sungen', model: innerKind });
        if (given) {
          this.reusedScores = true;
          return { theta: given, weights: weightsFromScores(given) };
        }
        const inner = this.deps.createTam(innerKind, this.opts.seed, 'inner');
        const innerData = innerKind === 'fast' ? this.data : truncateTokens(this.data, this.opts.innerMaxTokens ?? INNER_MAX_TOKENS);
        try {
          const sungenOptions = { seed: this.opts.seed, innerLearningRate: innerLearningRateFor(innerKind), ...this.opts.sungen };
          return await sungenReweight(inner, innerData, sungenOptions, {
            signal: this.opts.signal,
            onProgress: this.opts.onSungenProgress,
            rows: this.trainRows,
            outerRows: this.opts.realAsOuter && this.opts.realRows?.length ? this.opts.realRows : undefined,
          });
        } finally {
          inner.dispose();
        }
      })();
      this.thetas.set(innerKind, made);
      made.catch(() => this.thetas.delete(innerKind));
    }
    return made;
  }

  private sungenMethod(innerKind: TamKind): Promise<Trained> {
    return this.cached(`sungen:${innerKind}`, async () => {
      // Learn θ with the inner TAM, keep the top per class by θ, train the final TAM with the weights w.
      const start = performance.now();
      const result = await this.sungenTheta(innerKind);
      const byLoss = this.opts.sungenRanking === 'theta+loss' && result.meanInnerLoss;
      // Lower mean inner loss = cleaner, so its rank is taken on −loss.
      const ranking = byLoss ? rankAverageOn(this.trainRows, result.theta, Float32Array.from(result.meanInnerLoss!, (x) => -x), this.n) : result.theta;
      const kept = this.keep(ranking);
      const raw = this.opts.sungenFinalWeights === 'hard' ? this.ones() : Float32Array.from(result.weights);
      // Kept by hand: trusted fully (the largest weight SunGen can give).
      for (const r of this.opts.forceKeep ?? []) if (r < raw.length) raw[r] = Math.max(raw[r], 1);
      const weights = normaliseKeptWeights(raw, kept, this.data.labels, this.data.numClasses);
      // Precomputed θ (weights reused from the Clean step) comes without the inner losses.
      const innerLossScores = result.meanInnerLoss ? Float32Array.from(result.meanInnerLoss, (x) => -x) : undefined;
      return this.finish(kept, weights, weightsFromScores(result.theta), seconds(start), result.theta, innerLossScores);
    });
  }

  private async diagnose(t: Trained, reference?: Trained): Promise<MethodDiagnostics> {
    const classWeights = classWeightStats(t.scores, this.data.labels, this.trainRows, t.keptRows, this.data.labelNames);
    const guard = detectCollapse({
      distribution: t.validation.distribution,
      reference: reference?.validation.distribution,
      // Only learned weights can track the class; confidences of a good classifier legitimately differ by class.
      classWeights: t.theta ? classWeights : undefined,
      labelNames: this.data.labelNames,
    });
    guard.warnings.push(...this.inspection.warnings);
    return { classWeights, validation: t.validation, realValidation: t.realValidation, guard, inspection: this.inspection };
  }

  /** Runs `method`; the returned model is the caller's to dispose. */
  async run(method: MethodName): Promise<MethodRun> {
    if (method === 'sungen-safe') return this.runSafe();
    const t =
      method === 'none' ? await this.none()
      : method === 'filter' ? await this.filter()
      : method === 'oof' ? await this.oof()
      : await this.sungenMethod(method === 'sungen-fast' ? 'fast' : this.opts.model);
    const reference = method === 'none' ? undefined : this.cache.get('none');
    return this.toRun(method, t, await this.diagnose(t, reference));
  }

  private toRun(method: MethodName, t: Trained, diagnostics: MethodDiagnostics, extra: Partial<MethodRun> = {}): MethodRun {
    return {
      method,
      tam: cloneTam(t.tam, this.deps),
      keptRows: t.keptRows,
      weights: t.weights,
      theta: t.theta,
      scores: t.scores,
      innerLossScores: t.innerLossScores,
      reweightSeconds: t.reweightSeconds,
      trainSeconds: t.trainSeconds,
      diagnostics,
      reusedScores: this.reusedScores,
      ...extra,
    };
  }

  /** Folds of the cross-fitted selection for this session's set (0 = off: large set, small set by default, or turned off). */
  crossFitFolds(): number {
    const explicit = this.opts.selectionFolds;
    const folds = explicit ?? SELECTION_FOLDS;
    if (!(Number.isInteger(folds) && folds >= 0)) throw new Error(`selectionFolds must be a whole number ≥ 0 (got ${folds}).`);
    if (folds < 2 || this.trainRows.length >= (this.opts.crossFitBelowRows ?? CROSS_FIT_BELOW_ROWS)) return 0;
    // By default only where SunGen is a candidate: between filter and none the held-out split chose as well.
    return explicit === undefined && !this.sungenIsCandidate(false) ? 0 : folds;
  }

  /** Whether sungen-safe's choice includes SunGen: real labelled rows choose, or the set is large enough (SUNGEN_FROM_ROWS). */
  private sungenIsCandidate(useReal: boolean): boolean {
    return useReal || this.trainRows.length >= this.sungenFromRows();
  }

  private sungenFromRows(): number {
    return this.opts.sungenFromRows ?? SUNGEN_FROM_ROWS;
  }

  /**
   * Mean label probability of each candidate over every synthetic row, each row scored once by a model that never
   * trained on it: the held-out rows by the full models (`full`), and each of `folds` stratified folds of the
   * training rows by the candidates retrained — SunGen's θ, filter's confidences and all — on every other row.
   */
  private async crossFittedScores(full: Partial<Record<SelectionCandidate, Trained>>, names: SelectionCandidate[], folds: number): Promise<Partial<Record<SelectionCandidate, number>>> {
    const sum = (v: ValidationReport) => v.meanLabelProbability * v.rows;
    const total = Object.fromEntries(names.map((m) => [m, sum(full[m]!.validation)])) as Record<SelectionCandidate, number>;
    let rows = this.validationRows.length;
    const trainLabels = Int32Array.from(this.trainRows, (r) => this.data.labels[r]);
    const fold = stratifiedFolds(trainLabels, this.data.numClasses, folds, mixSeed(this.opts.seed, 0xc0f1));
    for (let k = 0; k < folds; k++) {
      const held = this.trainRows.filter((_, j) => fold[j] === k);
      if (held.length === 0) continue;
      const onProgress = this.opts.onSungenProgress;
      const sub = new CleaningSession(this.data, this.deps, {
        ...this.opts,
        validationRows: held,
        precomputed: undefined,
        selectionFolds: 0,
        onSungenProgress: onProgress && ((p) => onProgress({ ...p, stage: `checking the choice, fold ${k + 1} of ${folds}` })),
      });
      try {
        for (const m of names) {
          const made = m === 'sungen-fast' ? await sub.sungenMethod('fast') : m === 'filter' ? await sub.filter() : await sub.none();
          total[m] += sum(made.validation);
        }
        rows += held.length;
      } finally {
        sub.dispose();
      }
    }
    return Object.fromEntries(names.map((m) => [m, total[m] / rows]));
  }

  /**
   * The default: SunGen-fast, kept only when the set is fit for reweighting and large enough (SUNGEN_FROM_ROWS, unless
   * real rows choose), the guard sees no collapse and the selection score (held-out synthetic split, or the real rows
   * when given) is the best of SunGen, filter and unweighted training.
   */
  private async runSafe(): Promise<MethodRun> {
    const start = performance.now();
    const none = await this.none();
    const noneDiag = await this.diagnose(none);
    if (this.inspection.risky) {
      const selection: Selection = { candidates: [{ method: 'none', score: none.validation.meanLabelProbability, collapsed: false }], selected: 'none', reason: 'The training set is not fit for reweighting: ' + this.inspection.warnings.join(' ') };
      return this.toRun('sungen-safe', none, { ...noneDiag, selection }, { selected: 'none', reweightSeconds: Math.max(0, seconds(start) - none.trainSeconds) });
    }
    const useReal = this.opts.realRows !== undefined && this.opts.realRows.length > 0;
    // Small set, no real labels: SunGen is left out of the choice (see SUNGEN_FROM_ROWS) and not computed at all.
    const withSungen = this.sungenIsCandidate(useReal);
    const names: SelectionCandidate[] = withSungen ? ['sungen-fast', 'filter', 'none'] : ['filter', 'none'];
    const sungen = withSungen ? await this.sungenMethod('fast') : undefined;
    const filter = await this.filter();
    const sungenDiag = sungen ? await this.diagnose(sungen, none) : undefined;
    const filterDiag = await this.diagnose(filter, none);
    const folds = useReal ? 0 : this.crossFitFolds();
    const crossFitStart = performance.now();
    const trained: Partial<Record<SelectionCandidate, Trained>> = { 'sungen-fast': sungen, filter, none };
    const diags: Partial<Record<SelectionCandidate, MethodDiagnostics>> = { 'sungen-fast': sungenDiag, filter: filterDiag, none: noneDiag };
    const crossFitted = folds >= 2 ? await this.crossFittedScores(trained, names, folds) : null;
    const crossFitSeconds = folds >= 2 ? seconds(crossFitStart) : 0;
    const score = (m: SelectionCandidate) => (useReal ? trained[m]!.realValidation!.accuracy : crossFitted ? crossFitted[m]! : trained[m]!.validation.meanLabelProbability);
    const scoreName = useReal
      ? 'accuracy on the real labelled examples'
      : crossFitted
        ? `mean label probability on all ${this.validationRows.length + this.trainRows.length} synthetic rows, each scored by a model that never trained on it: held-out split and ${folds}-fold cross-fit`
        : 'mean label probability on the held-out synthetic split';
    const picked = selectMethod<MethodName>(
      names.map((m) => ({ method: m, score: score(m), collapsed: m === 'none' ? false : diags[m]!.guard.collapsed, reasons: m === 'none' ? undefined : diags[m]!.guard.reasons })),
      { safe: 'none', margin: this.opts.selectionMargin ?? 0, scoreName },
    );
    const selection: Selection<MethodName> = withSungen
      ? picked
      : { ...picked, reason: `SunGen was not a candidate: with ${this.trainRows.length} training samples (fewer than ${this.sungenFromRows().toLocaleString('en-US')}) its weights lost to the confidence filter on every set of this size measured. ${picked.reason}` };
    const selected = selection.selected as SelectionCandidate;
    const chosen = trained[selected]!;
    const chosenDiag = diags[selected]!;
    // The guard's findings about SunGen are reported whichever model is kept.
    const guard = sungenDiag ? { ...chosenDiag.guard, collapsed: sungenDiag.guard.collapsed, reasons: sungenDiag.guard.reasons } : chosenDiag.guard;
    const sungenSeconds = sungen ? sungen.reweightSeconds + sungen.trainSeconds : 0;
    const spent = none.trainSeconds + sungenSeconds + (filter.reweightSeconds - none.trainSeconds) + filter.trainSeconds + crossFitSeconds;
    return this.toRun('sungen-safe', chosen, { ...chosenDiag, guard, selection }, {
      selected: selection.selected,
      ...(sungen ? { theta: sungen.theta, scores: sungen.scores, innerLossScores: sungen.innerLossScores } : {}),
      reweightSeconds: spent - chosen.trainSeconds,
      trainSeconds: chosen.trainSeconds,
    });
  }
}

/** The candidates sungen-safe chooses between. */
type SelectionCandidate = 'sungen-fast' | 'filter' | 'none';
/** Runs one method end to end on `data` and returns the trained final model with timings and diagnostics. */
export async function runMethod(method: MethodName, data: EncodedDataset, deps: MethodDeps, opts: MethodOptions): Promise<MethodRun> {
  const session = new CleaningSession(data, deps, opts);
  try {
    return await session.run(method);
  } finally {
    session.dispose();
  }
}
