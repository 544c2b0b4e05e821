// IndexedDB schema of SunGen Lab: record types, store names and the typed idb DBSchema.
// Kept apart from the migrations so the types can be imported without pulling in idb's runtime.
import type { DBSchema } from 'idb';
import type { TaskSpec } from '../tasks/types.ts';
import type { SamplingConfig } from '../generation/types.ts';
import type { RemoteSettings } from '../remote/remote-generator.ts';

export const DB_NAME = 'sungen-lab';

/** Device the generator ran on ('cpu' = onnxruntime-node, only from the CLI; 'server' = an OpenAI-compatible server). */
export type RunDevice = 'webgpu' | 'wasm' | 'cpu' | 'server';

/** The OpenAI-compatible server a run was generated on (never the API key; `usesApiKey` says whether one was sent). */
export interface RunServerConfig {
  /** API root, e.g. http://127.0.0.1:8000/v1 */
  apiBase: string;
  model: string;
  settings: RemoteSettings;
  usesApiKey: boolean;
}

export type RunStatus = 'running' | 'stopped' | 'done' | 'error';

/** Everything needed to reproduce (or resume) a generation run. Saved with the run. */
export interface RunConfig {
  task: TaskSpec;
  modelId: string;
  dtype: string;
  device: RunDevice;
  /** Why this device was chosen (capability probe, override, self-test fallback). */
  deviceReason: string;
  sampling: SamplingConfig;
  perLabel: number;
  /** Whether the user allowed network access for a hub model. */
  allowNetwork: boolean;
  versions: { app: string; transformers: string };
  /** Set exactly when device is 'server'. */
  server?: RunServerConfig;
}

export interface RunRecord {
  id: string;
  /** ms since epoch */
  createdAt: number;
  updatedAt: number;
  name: string;
  status: RunStatus;
  config: RunConfig;
  /** Set when status is 'error' or 'stopped' for a reason worth showing (e.g. storage full). */
  message?: string;
  /**
   * Number of samples stored for the run, kept in the same transaction as every sample write, so the next write
   * knows its first `seq` without counting the whole run (which made large runs quadratic). Absent on runs written
   * before it existed: then the samples are counted once. No schema version bump: it is an optional field.
   */
  sampleCount?: number;
  /**
   * Keep/drop decisions made by hand in the Clean step, by sample id: 'drop' leaves the sample out of the next
   * training, 'keep' makes the cleaning method keep it with full weight. Optional, so older runs need no migration.
   */
  overrides?: Record<string, 'keep' | 'drop'>;
  /** The cleaning scores last computed in the Clean step (reused by the next training when its settings match). */
  cleaning?: CleaningRecord;
}

/**
 * Per-sample scores of a cleaning method computed on their own in the Clean step (no final model): SunGen's θ, or
 * the confidence filter/oof rank by. Plain arrays keyed by sample id, so the record exports as JSON.
 */
export interface CleaningRecord {
  /** The method chosen when the scores were computed, and scoreKey() of the settings (what the scores depend on). */
  method: string;
  key: string;
  source: 'sungen' | 'filter' | 'oof';
  /** SunGen's inner model kind, or the scoring model of filter/oof. */
  model: string;
  sampleIds: number[];
  /** One score per entry of sampleIds (θ for SunGen: weight = sigmoid(θ); confidence in [0, 1] otherwise). */
  scores: number[];
  /** Samples held out to check the cleaning (never trained on, no learned score). */
  validationIds: number[];
  createdAt: number;
  seconds: number;
  backend: string;
}

export interface SampleRecord {
  /** autoIncrement key; absent before insertion. */
  id?: number;
  runId: string;
  label: string;
  text: string;
  context?: string;
  /** 0-based order of acceptance within the run. */
  seq: number;
  createdAt: number;
}

/** A trained classifier for a run (training issue). Artifacts are serialised model files. */
export interface TrainingRecord {
  id: string;
  runId: string;
  createdAt: number;
  /** Training configuration (TAM kind, epochs, reweighting method...), owned by the training code. */
  config: Record<string, unknown>;
  /** One SunGen weight per sample of the run, in sample `seq` order. */
  weights?: Float32Array;
  /** Evaluation metrics, e.g. { 'sst2-test/accuracy': 0.71 }. */
  metrics: Record<string, number>;
  /** Serialised model artifacts, e.g. { 'model.json': ..., 'weights.bin': ... }. */
  artifacts: Record<string, ArrayBuffer>;
}

/** A labelled test set written in the page or uploaded (CSV/TSV/JSONL/TXT), kept for evaluating trainings. */
export interface TestSetRecord {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  /** 'typed': examples written in the page; 'file': an uploaded file (fileName says which). */
  source: 'typed' | 'file';
  fileName?: string;
  /** The label names of the task the set was made for (class names, matched by name). */
  labels: string[];
  rows: { text: string; label: string }[];
}

export interface LabDbSchema extends DBSchema {
  runs: { key: string; value: RunRecord; indexes: { createdAt: number } };
  samples: {
    key: number;
    value: SampleRecord;
    indexes: { runId: string; runId_label: [string, string] };
  };
  trainings: { key: string; value: TrainingRecord; indexes: { runId: string } };
  testSets: { key: string; value: TestSetRecord; indexes: { createdAt: number } };
}
