// Typed messages between the page and the training worker (train.worker.ts). The worker picks the tfjs backend,
// reads the run's samples from IndexedDB, runs the pipeline (src/core/pipeline), stores the training and reports.
import type { BackendCandidate, TfjsBackend } from '../core/runtime/capabilities.ts';
import type { Classification } from '../core/pipeline/model-io.ts';
import type { TrainingSummary } from '../core/pipeline/record.ts';
import type { PipelineProgress } from '../core/pipeline/train-samples.ts';
import type { TrainingSettings } from '../core/pipeline/settings.ts';

// ---- page → worker ----

export type TestSource =
  /** A bundled set: the worker fetches `url` (same origin, `<base>eval/<file>`). */
  | { kind: 'preset'; presetId: string; url: string }
  /** An uploaded JSONL file's text. */
  | { kind: 'file'; name: string; text: string };

export interface StartTrainingMessage {
  type: 'start';
  runId: string;
  settings: TrainingSettings;
  test: TestSource;
  /** The page's `location.search`, so `?tfjs=wasm` etc. can force a backend (the worker's own URL has no query). */
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

export type TrainRequest = StartTrainingMessage | InterruptTrainingMessage | ClassifyMessage;

// ---- worker → page ----

export type TrainPhase = 'idle' | 'starting' | 'training' | 'stopping';

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

export interface TrainErrorEvent {
  type: 'error';
  message: string;
  /** 'validation': bad input (samples, test file, settings); 'quota': storage full; 'internal': anything else. */
  kind: 'validation' | 'quota' | 'internal';
  /** Set when the error answers a classify request. */
  requestId?: number;
}

export type TrainEvent = BackendEvent | TrainStatusEvent | TrainProgressEvent | TrainResultEvent | TrainStoppedEvent | ClassifiedEvent | TrainErrorEvent;
