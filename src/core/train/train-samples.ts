// The framework-free training pipeline: samples → vocabulary/encoding → data-quality method (none / filter / SunGen)
// → final TAM → evaluation on a test set → a plain, storable outcome (metrics, per-sample weights by sample id,
// extreme samples, and the trained model as ArrayBuffers). The test set is parsed and checked BEFORE training, so a
// bad test file fails fast. Runs unchanged in the training worker and in Node.
import { CleaningSession, runMethod, type MethodDeps, type PrecomputedScores } from '../clean/methods.ts';
import { scoreKey } from '../clean/score-source.ts';
import type { SungenProgress } from '../clean/sungen/types.ts';
import type { CleaningRecord } from '../storage/schema.ts';
import type { EncodedDataset } from '../classifier/types.ts';
import type { Vocabulary } from '../data/tokenizer.ts';
import { assertTrainable, encodeRows } from '../data/dataset.ts';
import { buildVocabulary } from '../data/tokenizer.ts';
import { evaluateTam } from '../evaluate/evaluate.ts';
import { pickMetrics } from '../evaluate/metrics.ts';
import type { SungenPhase } from '../clean/sungen/types.ts';
import { weightStats, type WeightStats } from '../clean/sungen/weight-math.ts';
import { defaultMethodDeps } from './deps.ts';
import { validateSettings, type TrainingSettings } from './settings.ts';
import { saveModel, type SavedModel } from '../classifier/model-io.ts';
import { samplesToRows, type PipelineSample } from '../data/samples.ts';
import { loadTestSet } from '../evaluate/test-sets.ts';

export type PipelinePhase = 'preparing' | 'reweighting' | 'training' | 'evaluating';

export interface PipelineProgress {
  phase: PipelinePhase;
  /** SunGen step within an outer iteration (reweighting only). */
  sungenPhase?: SungenPhase;
  /** 1-based outer iteration and T (reweighting only). */
  outerIteration?: number;
  outerIterations?: number;
  /** 0-based inner step and the steps per epoch (reweighting: SunGen's inner epoch; training: the final epoch). */
  innerStep?: number;
  innerSteps?: number;
  /** 0-based epoch of the final training and the epoch count (training only). */
  epoch?: number;
  epochs?: number;
  losses: { inner?: number; outer?: number; train?: number };
  weightStats?: WeightStats;
  hypergradNorm?: number;
  elapsedSeconds: number;
  message: string;
}

export interface WeightedSample {
  sampleId: number;
  text: string;
  label: string;
  weight: number;
}

export interface TestEvaluation {
  /** Which test set: a bundled preset id or a stored test set's id (absent in records from before test sets). */
  testId?: string;
  testName: string;
  count: number;
  accuracy: number;
  macroF1: number;
  perClassAccuracy: number[];
  confusion: number[][];
  labelNames: string[];
  /** Wrongly classified test examples (capped), for opening a confusion-matrix cell. */
  misclassified?: { text: string; label: string; predicted: string }[];
  evaluatedAt?: number;
}

/** What the cleaning guard saw (plain data, stored with the training). */
export interface CleaningReport {
  /** Clear warnings about the training set (tiny, rare class, duplicates, identical class). */
  warnings: string[];
  /** True when the chosen method's run showed collapse (the default then falls back to unweighted training). */
  collapsed: boolean;
  reasons: string[];
  /** True when the method's scores were those computed earlier in the Clean step (not computed again). */
  reusedScores?: boolean;
  /** Default method only: the method whose model was kept, and why. */
  selected?: string;
  selectionReason?: string;
  /** Per class: count, kept, mean/std/min/max of the method's score. */
  classWeights: { label: string; count: number; kept: number; mean: number; std: number; min: number; max: number }[];
  /** Held-out synthetic split: label share and predicted share per class, accuracy against the synthetic labels. */
  validation: { rows: number; accuracy: number; labelShare: number[]; predictedShare: number[] };
}

export interface TrainingOutcome {
  settings: TrainingSettings;
  labelNames: string[];
  /** Sample ids in training-row order; `weights[k]` and `scores[k]` belong to `sampleIds[k]`. */
  sampleIds: number[];
  /** Final-training weight per sample (0 = dropped by filter/SunGen). */
  weights: Float32Array;
  /** SunGen weight sigmoid(θ) per sample (SunGen methods only). */
  scores?: Float32Array;
  keptCount: number;
  weightStats: WeightStats;
  cleaning: CleaningReport;
  /** Samples with the lowest and highest weight (SunGen score when present), up to `extremeCount` each. */
  lowest: WeightedSample[];
  highest: WeightedSample[];
  /** Absent when no test set was given (the page evaluates separately). */
  evaluation?: TestEvaluation;
  model: SavedModel;
  seconds: { reweight: number; train: number; total: number };
}

export interface PipelineInput {
  samples: readonly PipelineSample[];
  /** The run's labels in class-index order. */
  labelNames: readonly string[];
  /** A JSONL test set to evaluate on right after training (optional: the page evaluates saved models separately). */
  test?: { name: string; text: string };
  settings: TrainingSettings;
  /** Sample ids kept by hand (Clean step overrides): the cleaning method keeps them with full weight. */
  forceKeepIds?: readonly number[];
  /** How many lowest/highest-weighted samples to report (default 8). */
  extremeCount?: number;
  /** Scores computed in the Clean step: used instead of computing them again when they fit these samples and settings. */
  precomputed?: Pick<CleaningRecord, 'key' | 'source' | 'model' | 'sampleIds' | 'scores' | 'validationIds'>;
}

export interface PipelineHooks {
  signal?: AbortSignal;
  onProgress?: (p: PipelineProgress) => void;
}

function abortIfNeeded(signal?: AbortSignal): void {
  if (signal?.aborted) {
    const err = new Error('Training was interrupted.');
    err.name = 'AbortError';
    throw err;
  }
}

/** Ranks samples by `by` and returns the `count` lowest and highest (distinct when there are enough samples). */
export function extremeSamples(samples: readonly PipelineSample[], by: Float32Array, count: number): { lowest: WeightedSample[]; highest: WeightedSample[] } {
  const order = Array.from(by.keys()).sort((a, b) => by[a] - by[b] || a - b);
  const pick = (k: number): WeightedSample => ({ sampleId: samples[k].id, text: samples[k].text, label: samples[k].label, weight: by[k] });
  const n = Math.min(count, Math.floor(order.length / 2));
  return { lowest: order.slice(0, n).map(pick), highest: order.slice(order.length - n).reverse().map(pick) };
}

type Report = (p: Omit<PipelineProgress, 'elapsedSeconds'>) => void;

/** Samples → rows, vocabulary and the encoded dataset, checked for training. */
function prepare(input: Pick<PipelineInput, 'samples' | 'labelNames' | 'settings'>, report: Report): { labelNames: string[]; vocab: Vocabulary; data: EncodedDataset } {
  const s = input.settings;
  const problems = validateSettings(s);
  if (problems.length) throw new Error(`Invalid training settings:\n- ${problems.join('\n- ')}`);
  const labelNames = [...input.labelNames];
  report({ phase: 'preparing', losses: {}, message: `Preparing ${input.samples.length} samples` });
  const rows = samplesToRows(input.samples, labelNames);
  const vocab = buildVocabulary(rows.map((r) => r.text), { maxSize: s.vocabSize });
  const data = encodeRows(rows, vocab, { labelNames, maxLenTokens: s.maxLenTokens, source: 'Run samples' });
  assertTrainable(data, 'The run');
  return { labelNames, vocab, data };
}

/** The method's dependencies with training progress reported as `what` (final model, or the scoring model). */
function methodDeps(vocab: Vocabulary, data: EncodedDataset, s: TrainingSettings, report: Report, what: string): MethodDeps {
  return defaultMethodDeps(
    { vocabSize: vocab.tokens.length, numClasses: data.numClasses, maxLenTokens: s.maxLenTokens },
    { epochs: s.epochs, batchSize: s.batchSize, learningRate: s.learningRate, dropout: s.dropout, seed: s.seed },
    (p) =>
      report({
        phase: 'training',
        epoch: p.epoch,
        epochs: p.epochs,
        innerStep: p.step,
        innerSteps: p.steps,
        losses: { train: p.loss },
        message: `${what}: epoch ${p.epoch + 1}/${p.epochs}, step ${p.step + 1}/${p.steps}`,
      }),
  );
}

function sungenReport(report: Report): (p: SungenProgress) => void {
  return (p) =>
    report({
      phase: 'reweighting',
      sungenPhase: p.phase,
      outerIteration: p.iteration,
      outerIterations: p.iterations,
      innerStep: p.innerStep,
      innerSteps: p.innerSteps,
      losses: { inner: p.innerLoss, outer: p.outerLoss },
      weightStats: p.weightStats,
      hypergradNorm: p.hypergradNorm,
      message: `${p.stage ? `${p.stage[0].toUpperCase()}${p.stage.slice(1)}: s` : 'S'}unGen outer iteration ${p.iteration}/${p.iterations} (${p.phase})`,
    });
}

/**
 * The Clean step's earlier scores as row-indexed arrays, when they fit: the same score key (method family, model
 * and every setting the scores depend on) and a score for every sample (samples dropped by hand since are simply
 * absent). Otherwise null: the method computes its scores again.
 */
export function matchPrecomputed(
  pre: NonNullable<PipelineInput['precomputed']>,
  settings: TrainingSettings,
  samples: readonly PipelineSample[],
): { precomputed: PrecomputedScores; validationRows: Int32Array } | null {
  if (pre.key !== scoreKey(settings) || pre.sampleIds.length !== pre.scores.length) return null;
  const byId = new Map(pre.sampleIds.map((id, k) => [id, pre.scores[k]]));
  const held = new Set(pre.validationIds);
  const scores = new Float32Array(samples.length);
  const validation: number[] = [];
  for (let k = 0; k < samples.length; k++) {
    const v = byId.get(samples[k].id);
    if (v === undefined || !Number.isFinite(v)) return null;
    scores[k] = v;
    if (held.has(samples[k].id)) validation.push(k);
  }
  return { precomputed: { source: pre.source, model: pre.model as TrainingSettings['model'], scores }, validationRows: Int32Array.from(validation) };
}

/** What cleanOnSamples computed: a CleaningRecord without the page's metadata (method, time, backend). */
export type CleaningScores = Pick<CleaningRecord, 'key' | 'source' | 'model' | 'sampleIds' | 'scores' | 'validationIds' | 'seconds'>;

/**
 * The Clean step on its own: the per-sample scores of `settings.method` (SunGen's θ, filter/oof confidence) without
 * training the final model, with progress. Null for `none` (no scores). The next trainOnSamples with the same
 * samples and score settings reuses them (input.precomputed).
 */
export async function cleanOnSamples(input: Pick<PipelineInput, 'samples' | 'labelNames' | 'settings'>, hooks: PipelineHooks = {}): Promise<CleaningScores | null> {
  const t0 = performance.now();
  const report: Report = (p) => hooks.onProgress?.({ ...p, elapsedSeconds: (performance.now() - t0) / 1000 });
  const s = input.settings;
  const key = scoreKey(s);
  if (!key) return null;
  const { vocab, data } = prepare(input, report);
  abortIfNeeded(hooks.signal);
  const session = new CleaningSession(data, methodDeps(vocab, data, s, report, 'Training the unweighted model that scores the samples'), {
    model: s.model,
    seed: s.seed,
    keepFraction: s.keepFraction,
    sungen: { outerIterations: s.outerIterations, outerSetSize: s.outerSetSize, innerBatchSize: s.batchSize },
    signal: hooks.signal,
    onSungenProgress: sungenReport(report),
  });
  try {
    const got = await session.scoresOf(s.method);
    if (!got) return null;
    const ids = input.samples.map((x) => x.id);
    return {
      key,
      source: got.source.source,
      model: got.source.model,
      sampleIds: ids,
      scores: Array.from(got.scores),
      validationIds: Array.from(session.validationRows, (r) => ids[r]),
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    session.dispose();
  }
}

/** Runs the whole pipeline; the returned outcome holds no tensors. */
export async function trainOnSamples(input: PipelineInput, hooks: PipelineHooks = {}): Promise<TrainingOutcome> {
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  const { settings: s, signal } = { settings: input.settings, signal: hooks.signal };
  const report: Report = (p) => hooks.onProgress?.({ ...p, elapsedSeconds: elapsed() });
  const { labelNames, vocab, data } = prepare(input, report);
  const test = input.test ? loadTestSet(input.test.text, input.test.name, vocab, labelNames, s.maxLenTokens) : null;
  abortIfNeeded(signal);

  const deps = methodDeps(vocab, data, s, report, `Training the ${s.model} model`);
  const rowOfId = new Map(input.samples.map((x, k) => [x.id, k]));
  const forceKeep = new Set((input.forceKeepIds ?? []).map((id) => rowOfId.get(id)).filter((k): k is number => k !== undefined));
  const pre = input.precomputed ? matchPrecomputed(input.precomputed, s, input.samples) : null;
  if (pre) report({ phase: 'preparing', losses: {}, message: 'Using the weights computed in the Clean step' });
  const run = await runMethod(s.method, data, deps, {
    forceKeep,
    model: s.model,
    seed: s.seed,
    keepFraction: s.keepFraction,
    sungen: { outerIterations: s.outerIterations, outerSetSize: s.outerSetSize, innerBatchSize: s.batchSize },
    ...(pre ? { precomputed: pre.precomputed, validationRows: pre.validationRows } : {}),
    signal,
    onSungenProgress: sungenReport(report),
  });
  try {
    abortIfNeeded(signal);
    if (input.test && test) report({ phase: 'evaluating', losses: {}, message: `Evaluating on ${input.test.name} (${test.labels.length} rows)` });
    const ev = input.test && test ? evaluateTam(run.tam, test, labelNames) : null;
    const model = saveModel(run.tam, vocab, labelNames);
    const scores = run.theta ? Float32Array.from(run.theta, (t) => 1 / (1 + Math.exp(-t))) : undefined;
    const { lowest, highest } = extremeSamples(input.samples, scores ?? run.weights, input.extremeCount ?? 8);
    return {
      settings: { ...s },
      labelNames,
      sampleIds: input.samples.map((x) => x.id),
      weights: run.weights,
      scores,
      keptCount: run.keptRows.length,
      cleaning: {
        warnings: run.diagnostics.guard.warnings,
        collapsed: run.diagnostics.guard.collapsed,
        reasons: run.diagnostics.guard.reasons,
        ...(run.reusedScores ? { reusedScores: true } : {}),
        selected: run.selected,
        selectionReason: run.diagnostics.selection?.reason,
        classWeights: run.diagnostics.classWeights,
        validation: {
          rows: run.diagnostics.validation.rows,
          accuracy: run.diagnostics.validation.accuracy,
          labelShare: run.diagnostics.validation.distribution.labelShare,
          predictedShare: run.diagnostics.validation.distribution.predictedShare,
        },
      },
      weightStats: weightStats(Float32Array.from(run.keptRows, (r) => run.weights[r])),
      lowest,
      highest,
      evaluation:
        input.test && ev
          ? { testName: input.test.name, ...pickMetrics(ev) }
          : undefined,
      model,
      seconds: { reweight: run.reweightSeconds, train: run.trainSeconds, total: elapsed() },
    };
  } finally {
    run.tam.dispose();
  }
}

