// Typed messages between the page and the training worker (train.worker.ts). The worker picks the tfjs backend,
// reads the run's samples from IndexedDB, runs the pipeline (src/core/train/train-samples.ts), stores the training and reports.
import type { BackendCandidate, TfjsBackend } from '../core/runtime/capabilities.ts';
import type { Classification } from '../core/classifier/model-io.ts';
import type { TrainingSummary } from '../core/runs/record.ts';
import type { PipelineProgress } from '../core/train/train-samples.ts';
import type { TrainingSettings } from '../core/train/settings.ts';

// ---- page → worker ----

export type TestSource =
  /** A bundled set: the worker fetches `url` (same origin, `<base>eval/<file>`). */
  | { kind: 'preset'; presetId: string; url: string }
  /** Rows already checked by the page (a typed or uploaded test set), with the stored set's id. */
  | { kind: 'rows'; id: string; name: string; rows: { text: string; label: string }[] };

export interface StartTrainingMessage {
  type: 'start';
  runId: string;
  settings: TrainingSettings;
  /** Evaluate on this set right after training (optional; the Evaluate step can do it later). */
  test?: TestSource;
  /** Versions recorded with the training (app, transformers.js…); the worker adds tfjs. */
  versions: Record<string, string>;
  /** The page's `location.search`, so `?tfjs=wasm` etc. can force a backend (the worker's own URL has no query). */
  backendQuery: string;
}

/** Compute the cleaning scores of `settings.method` on the run (Clean step), store them on the run; no final model. */
export interface CleanMessage {
  type: 'clean';
  runId: string;
  settings: TrainingSettings;
  backendQuery: string;
}

export interface InterruptTrainingMessage {
  type: 'interrupt';
}

export interface ClassifyMessage {
  type: 'classify';
  requestId: number;
  trainingId: string;
  text: string;
  backendQuery: string;
}

/** Evaluate saved trainings on one test set; each result is stored with its training. */
export interface EvaluateMessage {
  type: 'evaluate';
  requestId: number;
  trainingIds: string[];
  test: TestSource;
  backendQuery: string;
}

export type TrainRequest = StartTrainingMessage | CleanMessage | InterruptTrainingMessage | ClassifyMessage | EvaluateMessage;

// ---- worker → page ----

/** 'cleaning': computing the Clean step's scores (the worker does one job at a time, so Train waits). */
export type TrainPhase = 'idle' | 'starting' | 'training' | 'cleaning' | 'stopping';

/** The tfjs backend in use and why (every candidate with its reason, plus failures while initialising). */
export interface BackendEvent {
  type: 'backend';
  backend: TfjsBackend;
  reason: string;
  candidates: BackendCandidate[];
}

export interface TrainStatusEvent {
  type: 'status';
  phase: TrainPhase;
  message: string;
}

export interface TrainProgressEvent {
  type: 'progress';
  runId: string;
  progress: PipelineProgress;
}

/** Progress of a Clean-step computation (same shape as a training's). */
export interface CleanProgressEvent {
  type: 'cleanProgress';
  runId: string;
  progress: PipelineProgress;
}

/** The Clean step's scores are stored on the run (`stored` false: the method has no scores, or it was stopped). */
export interface CleanedEvent {
  type: 'cleaned';
  runId: string;
  stored: boolean;
  message: string;
}

/** The training finished and is stored in IndexedDB. */
export interface TrainResultEvent {
  type: 'result';
  training: TrainingSummary;
}

/** Training stopped on request; nothing was stored. */
export interface TrainStoppedEvent {
  type: 'stopped';
  runId: string;
  message: string;
}

export interface ClassifiedEvent {
  type: 'classified';
  requestId: number;
  trainingId: string;
  results: Classification[];
}

/** One training was evaluated (and stored with its new evaluation). */
export interface EvaluatedEvent {
  type: 'evaluated';
  requestId: number;
  training: TrainingSummary;
}

/** An evaluate request finished (all trainings done, or stopped at the first error). */
export interface EvaluateDoneEvent {
  type: 'evaluateDone';
  requestId: number;
}

export interface TrainErrorEvent {
  type: 'error';
  message: string;
  /** 'validation': bad input (samples, test file, settings); 'quota': storage full; 'internal': anything else. */
  kind: 'validation' | 'quota' | 'internal';
  /** Set when the error answers a classify or evaluate request (`scope` says which). */
  requestId?: number;
  scope?: 'classify' | 'evaluate' | 'clean';
}

export type TrainEvent =
  | BackendEvent
  | TrainStatusEvent
  | TrainProgressEvent
  | CleanProgressEvent
  | CleanedEvent
  | TrainResultEvent
  | TrainStoppedEvent
  | ClassifiedEvent
  | EvaluatedEvent
  | EvaluateDoneEvent
  | TrainErrorEvent;
