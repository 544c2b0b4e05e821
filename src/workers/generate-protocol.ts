// Typed messages between the page and the generation worker (generate.worker.ts).
// The worker owns the model and writes accepted samples to IndexedDB itself; events keep the page up to date.
import type { GenerationDevice } from '../core/runtime/capabilities.ts';
import type { GenerationProgress, SamplingConfig } from '../core/generation/types.ts';
import type { TaskSpec } from '../core/tasks/types.ts';
import type { RemoteSettings } from '../core/remote/remote-generator.ts';
import type { RunDevice, RunStatus, SampleRecord } from '../core/storage/schema.ts';

// ---- page → worker ----

export interface LoadMessage {
  type: 'load';
  modelId: string;
  /** Device chosen by src/core/runtime (probe + URL override) and why. */
  device: GenerationDevice;
  deviceReason: string;
  /** Absolute URL of the app base (e.g. http://127.0.0.1:4173/); local models live under `<base>models/`. */
  appBaseUrl: string;
  /** The user ticked "Allow network" (needed for hub models). */
  allowNetwork: boolean;
  /** Device memory in GB (browser report or `?memory=`), absent when unknown: below 8 a model's lean file is used. */
  deviceMemoryGB?: number;
}

/** Check an OpenAI-compatible server the user entered and confirmed; the key stays in the worker's memory. */
export interface ConnectMessage {
  type: 'connect';
  /** Normalised API root (parseServerUrl), e.g. http://127.0.0.1:8000/v1 */
  apiBase: string;
  model: string;
  apiKey?: string;
}

export type GenerateMessage =
  | {
      type: 'generate';
      mode: 'new';
      runId: string;
      name: string;
      task: TaskSpec;
      perLabel: number;
      sampling: SamplingConfig;
      /** 'model': the loaded in-page model; 'server': the connected OpenAI-compatible server with these settings. */
      source: 'model' | 'server';
      remote?: RemoteSettings;
    }
  | { type: 'generate'; mode: 'resume'; runId: string };

export interface InterruptMessage {
  type: 'interrupt';
}

export type WorkerRequest = LoadMessage | ConnectMessage | GenerateMessage | InterruptMessage;

// ---- worker → page ----

export type WorkerPhase = 'idle' | 'loading' | 'self-test' | 'ready' | 'generating' | 'stopping';

export interface LoadProgressEvent {
  type: 'loadProgress';
  file: string;
  loadedBytes: number;
  totalBytes: number;
}

export interface StatusEvent {
  type: 'status';
  phase: WorkerPhase;
  message: string;
}

export interface DeviceEvent {
  type: 'device';
  device: RunDevice;
  reason: string;
  modelId: string;
  dtype: string;
  /** Why the model's smaller "lean" file was loaded instead of its main file (little device memory, out of memory). */
  fileReason?: string;
}

/** The server answered as an OpenAI-compatible API, accepted the key and serves the model. */
export interface ServerEvent {
  type: 'server';
  apiBase: string;
  host: string;
  model: string;
  /** Models it lists (empty when it has no /models endpoint). */
  models: string[];
}

export interface SelfTestEvent {
  type: 'selfTest';
  device: RunDevice;
  ok: boolean;
  message: string;
}

/** One batch of accepted samples, already committed to IndexedDB. */
export interface SamplesEvent {
  type: 'samples';
  runId: string;
  samples: SampleRecord[];
}

export interface ProgressEvent {
  type: 'progress';
  runId: string;
  progress: GenerationProgress;
  /** Accepted samples per second and generated tokens per second, since the start of this session of the run. */
  samplesPerSec: number;
  tokensPerSec: number;
  /** Estimated seconds to reach the target; null until there is a rate. */
  etaSec: number | null;
}

export interface DoneEvent {
  type: 'done';
  runId: string;
  /** 'done' when every label reached its target, otherwise 'stopped' (interrupt, or too many rejected generations). */
  status: Extract<RunStatus, 'done' | 'stopped'>;
  progress: GenerationProgress;
  /** Why a run stopped before its target (user interrupt, or the generator gave up). */
  message?: string;
}

export interface ErrorEvent {
  type: 'error';
  /** The run the error concerns, if any (its status is then 'error' or, for a full disk, 'stopped'). */
  runId?: string;
  message: string;
  /** 'quota': storage full; 'model': loading/model files; 'server': the OpenAI-compatible server; 'validation': bad input; 'internal': anything else. */
  kind: 'quota' | 'model' | 'server' | 'validation' | 'internal';
}

export type WorkerEvent =
  | LoadProgressEvent
  | StatusEvent
  | DeviceEvent
  | SelfTestEvent
  | ServerEvent
  | SamplesEvent
  | ProgressEvent
  | DoneEvent
  | ErrorEvent;
