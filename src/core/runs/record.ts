// Converts a pipeline outcome to the stored TrainingRecord (IndexedDB `trainings` store) and back to a loadable model
// and a summary for the page. Parameters go into `artifacts` as one ArrayBuffer each; everything else is plain data.
import type { TrainingRecord } from '../storage/schema.ts';
import type { TamConfig } from '../classifier/types.ts';
import type { SavedModel } from '../classifier/model-io.ts';
import type { CleaningReport, TestEvaluation, TrainingOutcome, WeightedSample } from '../train/train-samples.ts';
import type { TrainingSettings } from '../train/settings.ts';

/** What the page lists for a saved training (no parameters, no per-sample arrays). */
export interface TrainingSummary {
  id: string;
  runId: string;
  createdAt: number;
  settings: TrainingSettings;
  backend: string;
  /** Library versions the training ran with (absent in older records). */
  versions?: Record<string, string>;
  /** How many samples were kept / dropped by hand in the Clean step (absent in older records). */
  overrides?: { keep: number; drop: number };
  /** Every evaluation of this model, newest last (one per test set). */
  evaluations: TestEvaluation[];
  keptCount: number;
  sampleCount: number;
  weightStats: { mean: number; std: number; min: number; max: number };
  /** Guard findings (absent in trainings saved before the guard existed). */
  cleaning?: CleaningReport;
  lowest: WeightedSample[];
  highest: WeightedSample[];
  seconds: { reweight: number; train: number; total: number };
}

interface StoredConfig {
  format: 'sungen-lab/training@1';
  settings: TrainingSettings;
  backend: string;
  versions?: Record<string, string>;
  overrides?: { keep: number; drop: number };
  tamConfig: TamConfig;
  vocabTokens: string[];
  vocabMinCount: number;
  labelNames: string[];
  parameters: { name: string; shape: number[]; artifact: string }[];
  sampleIds: number[];
  scores?: Float32Array;
  keptCount: number;
  weightStats: TrainingSummary['weightStats'];
  cleaning?: CleaningReport;
  /** The evaluation made right after training (older records; may be absent). */
  evaluation?: TestEvaluation;
  /** Evaluations added later, one per test set. */
  evaluations?: TestEvaluation[];
  lowest: WeightedSample[];
  highest: WeightedSample[];
  seconds: TrainingSummary['seconds'];
}

const artifactName = (k: number) => `param-${String(k).padStart(3, '0')}.f32`;

/** The record to store for `outcome` (weights in the order of `outcome.sampleIds`, i.e. the run's seq order). */
export function toTrainingRecord(
  outcome: TrainingOutcome,
  meta: { id: string; runId: string; createdAt: number; backend: string; versions?: Record<string, string>; overrides?: { keep: number; drop: number } },
): TrainingRecord {
  const artifacts: Record<string, ArrayBuffer> = {};
  outcome.model.parameters.forEach((p, k) => (artifacts[artifactName(k)] = p.data));
  const config: StoredConfig = {
    format: 'sungen-lab/training@1',
    settings: outcome.settings,
    backend: meta.backend,
    ...(meta.versions ? { versions: meta.versions } : {}),
    ...(meta.overrides ? { overrides: meta.overrides } : {}),
    tamConfig: outcome.model.tamConfig,
    vocabTokens: outcome.model.vocab.tokens,
    vocabMinCount: outcome.model.vocab.minCount,
    labelNames: outcome.labelNames,
    parameters: outcome.model.parameters.map((p, k) => ({ name: p.name, shape: p.shape, artifact: artifactName(k) })),
    sampleIds: outcome.sampleIds,
    keptCount: outcome.keptCount,
    weightStats: outcome.weightStats,
    cleaning: outcome.cleaning,
    evaluations: outcome.evaluation ? [outcome.evaluation] : [],
    lowest: outcome.lowest,
    highest: outcome.highest,
    seconds: outcome.seconds,
  };
  if (outcome.scores) config.scores = outcome.scores;
  const metrics = outcome.evaluation ? metricsOf(outcome.evaluation) : {};
  return { id: meta.id, runId: meta.runId, createdAt: meta.createdAt, config: config as unknown as Record<string, unknown>, weights: outcome.weights, metrics, artifacts };
}

function metricsOf(ev: TestEvaluation): Record<string, number> {
  const metrics: Record<string, number> = { [`${ev.testName}/accuracy`]: ev.accuracy, [`${ev.testName}/macroF1`]: ev.macroF1 };
  ev.labelNames.forEach((l, c) => (metrics[`${ev.testName}/accuracy/${l}`] = ev.perClassAccuracy[c]));
  return metrics;
}

function allEvaluations(c: StoredConfig): TestEvaluation[] {
  return [...(c.evaluation ? [c.evaluation] : []), ...(c.evaluations ?? [])];
}

/** `rec` with `ev` added (replacing an earlier evaluation on the same test set); the record is not modified. */
export function withEvaluation(rec: TrainingRecord, ev: TestEvaluation): TrainingRecord {
  const c = storedConfig(rec);
  const key = (e: TestEvaluation) => e.testId ?? e.testName;
  const evaluations = [...allEvaluations(c).filter((e) => key(e) !== key(ev)), ev];
  const config: StoredConfig = { ...c, evaluations };
  delete config.evaluation;
  return { ...rec, config: config as unknown as Record<string, unknown>, metrics: { ...rec.metrics, ...metricsOf(ev) } };
}

function storedConfig(rec: TrainingRecord): StoredConfig {
  const c = rec.config as unknown as Partial<StoredConfig>;
  if (c.format !== 'sungen-lab/training@1' || !c.tamConfig || !Array.isArray(c.parameters) || !Array.isArray(c.vocabTokens)) {
    throw new Error(`Saved training ${rec.id} was not written by this version of the training page and cannot be loaded.`);
  }
  return c as StoredConfig;
}

export function summariseTraining(rec: TrainingRecord): TrainingSummary {
  const c = storedConfig(rec);
  return {
    id: rec.id,
    runId: rec.runId,
    createdAt: rec.createdAt,
    settings: c.settings,
    backend: c.backend,
    ...(c.versions ? { versions: c.versions } : {}),
    ...(c.overrides ? { overrides: c.overrides } : {}),
    evaluations: allEvaluations(c),
    keptCount: c.keptCount,
    sampleCount: c.sampleIds.length,
    weightStats: c.weightStats,
    cleaning: c.cleaning,
    lowest: c.lowest,
    highest: c.highest,
    seconds: c.seconds,
  };
}

/** The saved model of a record (for loadModel); a missing parameter is a clear error. */
export function modelFromRecord(rec: TrainingRecord): SavedModel {
  const c = storedConfig(rec);
  return {
    tamConfig: c.tamConfig,
    vocab: { tokens: c.vocabTokens, minCount: c.vocabMinCount },
    labelNames: c.labelNames,
    parameters: c.parameters.map((p) => {
      const data = rec.artifacts[p.artifact];
      if (!(data instanceof ArrayBuffer)) throw new Error(`Saved training ${rec.id} is missing its parameter file ${p.artifact}.`);
      return { name: p.name, shape: p.shape, data };
    }),
  };
}

/** Per-sample weights of a record keyed by sample id. */
export function weightsBySampleId(rec: TrainingRecord): Map<number, number> {
  const c = storedConfig(rec);
  const w = rec.weights;
  if (!w || w.length !== c.sampleIds.length) throw new Error(`Saved training ${rec.id} has no per-sample weights.`);
  return new Map(c.sampleIds.map((id, k) => [id, w[k]]));
}
