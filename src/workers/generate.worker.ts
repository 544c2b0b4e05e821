// Generation worker: loads the LM on the chosen device (self-test, WebGPU → WASM fallback), runs generation, and
// writes every accepted batch to IndexedDB itself — so a closed tab loses at most one small batch — then tells the page.
/// <reference lib="webworker" />
import {
  generateSamples,
  greedyReference,
  loadLm,
  recordedSelfTest,
  selfTest,
  type LoadedLm,
  type LmDevice,
  type SelfTestReference,
} from '../core/generation/generator.ts';
import { OpenAiClient } from '../core/remote/client.ts';
import { RemoteError } from '../core/remote/errors.ts';
import { generateSamplesRemote, validateRemoteSettings } from '../core/remote/remote-generator.ts';
import type { GeneratedSample, GenerationProgress } from '../core/generation/types.ts';
import { isOutOfMemoryError, onnxFileFor, pageDtypeFor, resolveModel } from '../core/models/catalog.ts';
import { httpFileExists, localModelBaseUrl } from '../core/runtime/http-files.ts';
import { LabStore } from '../core/storage/lab-store.ts';
import { RunBusyError, StorageQuotaError, StorageValidationError } from '../core/storage/errors.ts';
import { withRunLockIfFree } from '../core/storage/run-lock.ts';
import { IMPORTED_MODEL_ID } from '../core/runs/import-run.ts';
import type { RunConfig } from '../core/storage/schema.ts';
import { version as APP_VERSION } from '../../package.json';
import type { ConnectMessage, DeviceEvent, GenerateMessage, LoadMessage, WorkerEvent, WorkerRequest } from './generate-protocol.ts';
import { computeRates, remainingSamples } from './rates.ts';
import { TRANSFORMERS_VERSION, configureTransformersEnv } from './transformers-env.ts';
import { errorText } from '../core/error-text.ts';
import { checkGenerateRequest } from './check-messages.ts';

declare const self: DedicatedWorkerGlobalScope;

interface Loaded {
  lm: LoadedLm;
  deviceReason: string;
  /** Why the model's lean file was loaded instead of its main one, if it was. */
  fileReason?: string;
  allowNetwork: boolean;
  /** The load request that produced it, to skip reloading an identical model. */
  key: string;
}

let loaded: Loaded | null = null;
/** The OpenAI-compatible server the user confirmed (the API key lives only here, in memory). */
let connected: { client: OpenAiClient; apiBase: string; model: string; usesApiKey: boolean } | null = null;
let store: LabStore | null = null;
let abort: AbortController | null = null;
let queue: Promise<void> = Promise.resolve();

function post(e: WorkerEvent): void {
  self.postMessage(e);
}

async function getStore(): Promise<LabStore> {
  store ??= await LabStore.open();
  return store;
}

async function loadOn(device: LmDevice, modelId: string, dtype: string, source: 'local' | 'hub'): Promise<LoadedLm> {
  post({ type: 'status', phase: 'loading', message: `Loading ${modelId} on ${device.toUpperCase()}…` });
  return loadLm({
    modelId,
    device,
    dtype,
    source,
    onProgress: (p) => post({ type: 'loadProgress', file: p.file, loadedBytes: p.loadedBytes, totalBytes: p.totalBytes }),
  });
}

/**
 * Runs the known-answer self-test; returns whether the model may be used on this device. On WebGPU, a model without
 * recorded reference ids is checked against the greedy ids of a one-off WASM run of the same files.
 */
async function runSelfTest(lm: LoadedLm): Promise<{ ok: boolean; message: string }> {
  let reference: SelfTestReference | undefined;
  if (lm.device === 'webgpu' && !recordedSelfTest(lm.modelId, lm.source)) {
    post({ type: 'status', phase: 'self-test', message: `No recorded ids for ${lm.modelId}: computing reference ids on WASM…` });
    const wasmLm = await loadOn('wasm', lm.modelId, lm.dtype, lm.source);
    try {
      reference = await greedyReference(wasmLm);
    } finally {
      await wasmLm.dispose();
    }
  }
  post({ type: 'status', phase: 'self-test', message: `Self-test on ${lm.device.toUpperCase()}…` });
  const r = await selfTest(lm, reference);
  post({ type: 'selfTest', device: lm.device, ok: r.ok, message: r.message });
  return r;
}

/** Tells the page which model, file and device it got, and why. */
function postDevice(l: Loaded): void {
  const { lm, deviceReason: reason, fileReason } = l;
  post({ type: 'device', device: lm.device as DeviceEvent['device'], reason, modelId: lm.modelId, dtype: lm.dtype, ...(fileReason ? { fileReason } : {}) });
}

async function handleLoad(msg: LoadMessage): Promise<void> {
  const key = JSON.stringify([msg.modelId, msg.device, msg.allowNetwork, msg.appBaseUrl, msg.deviceMemoryGB ?? null]);
  if (loaded && loaded.key === key) {
    postDevice(loaded);
    post({ type: 'status', phase: 'ready', message: 'Model ready' });
    return;
  }
  if (loaded) {
    await loaded.lm.dispose();
    loaded = null;
  }
  post({ type: 'status', phase: 'loading', message: `Checking model files of ${msg.modelId}…` });
  const localModelBase = localModelBaseUrl(msg.appBaseUrl);
  const fileExists = httpFileExists(`${localModelBase}${msg.modelId}/`);
  const resolution = await resolveModel(msg.modelId, { localModelBase, fileExists, allowNetwork: msg.allowNetwork });
  if (resolution.kind === 'unavailable') throw new ModelError(resolution.reason);
  configureTransformersEnv({ localModelBase, source: resolution.kind });
  const source = resolution.kind === 'hub' ? 'hub' : 'local';
  // A model's lean file (smaller in memory, slower) is used on devices that report little memory, and when loading
  // the main file runs out of memory; only a local pack is checked for it (a hub model is used as published).
  const entry = resolution.entry;
  const lean = entry.leanDtype;
  const leanAvailable = !!lean && source === 'local' && (await fileExists(onnxFileFor(lean)).catch(() => false));
  const pick = pageDtypeFor(entry, { deviceMemoryGB: msg.deviceMemoryGB, leanAvailable }, source);
  let dtype: string = pick.dtype;

  let device: 'webgpu' | 'wasm' = msg.device;
  let reason = msg.deviceReason;
  let fileReason = pick.reason;
  /** Loads on `device`; a load that runs out of memory is retried once with the lean file. */
  const load = async (): Promise<LoadedLm> => {
    try {
      return await loadOn(device, msg.modelId, dtype, source);
    } catch (e) {
      if (!lean || !leanAvailable || dtype === lean || !isOutOfMemoryError(errorText(e))) throw e;
      fileReason = `loading the ${dtype} file ran out of memory (${errorText(e)}), so the smaller ${lean} file is used`;
      dtype = lean;
      return await loadOn(device, msg.modelId, dtype, source);
    }
  };
  let lm: LoadedLm;
  try {
    lm = await load();
  } catch (e) {
    if (device !== 'webgpu') throw new ModelError(errorText(e));
    reason = `loading on WebGPU failed (${errorText(e)}); fell back to WASM`;
    device = 'wasm';
    lm = await load().catch((e2: unknown) => {
      throw new ModelError(errorText(e2));
    });
  }
  let check = await runSelfTest(lm);
  if (!check.ok && device === 'webgpu') {
    await lm.dispose();
    reason = `the WebGPU self-test failed (${check.message}); fell back to WASM`;
    device = 'wasm';
    lm = await load();
    check = await runSelfTest(lm);
  }
  if (!check.ok) {
    await lm.dispose();
    throw new ModelError(`The model gives wrong output on ${device.toUpperCase()}: ${check.message}`);
  }
  loaded = { lm, deviceReason: reason, ...(fileReason ? { fileReason } : {}), allowNetwork: msg.allowNetwork, key };
  postDevice(loaded);
  post({ type: 'status', phase: 'ready', message: 'Model ready' });
}

class ModelError extends Error {}
class ServerError extends Error {}

/** Checks the server the user confirmed (models, key) and keeps the connection for generating. */
async function handleConnect(msg: ConnectMessage): Promise<void> {
  connected = null;
  const client = new OpenAiClient({ apiBase: msg.apiBase, model: msg.model, apiKey: msg.apiKey || undefined });
  post({ type: 'status', phase: 'loading', message: `Checking the server ${client.host}…` });
  const models = await client.checkServer();
  connected = { client, apiBase: msg.apiBase, model: msg.model, usesApiKey: Boolean(msg.apiKey) };
  post({ type: 'server', apiBase: msg.apiBase, host: client.host, model: msg.model, models });
  post({ type: 'status', phase: 'ready', message: `Connected to ${client.host}` });
}

async function handleGenerate(msg: GenerateMessage): Promise<void> {
  const db = await getStore();
  // The run's lock is taken BEFORE anything of the run is read: two tabs resuming one run used to read the same
  // samples first and both generate the full deficit (overshooting the target). A second tab now gets a clear
  // "busy" error instead of becoming a second writer.
  const outcome = await withRunLockIfFree(msg.runId, () => generateLocked(msg, db));
  if (outcome.busy) throw new RunBusyError(msg.runId, 'resumed here');
}

async function generateLocked(msg: GenerateMessage, db: LabStore): Promise<void> {
  const onServer = msg.mode === 'new' ? msg.source === 'server' : (await db.getRun(msg.runId))?.config.device === 'server';
  if (onServer && !connected) throw new ServerError('Not connected to a server: enter the server and confirm it before generating.');
  if (!onServer && !loaded) throw new ModelError('No model is loaded: load a model before generating.');
  let config: RunConfig;
  let already: GeneratedSample[] = [];
  if (msg.mode === 'new') {
    const common = { task: msg.task, sampling: msg.sampling, perLabel: msg.perLabel, versions: { app: APP_VERSION, transformers: TRANSFORMERS_VERSION } };
    if (msg.source === 'server') {
      const c = connected!;
      const remote = validateRemoteSettings(msg.remote);
      if (!remote.ok) throw new StorageValidationError(remote.errors.map((e) => `server settings: ${e}`));
      config = {
        ...common,
        modelId: c.model,
        dtype: 'server',
        device: 'server',
        deviceReason: `OpenAI-compatible server at ${c.client.host}`,
        allowNetwork: true,
        server: { apiBase: c.apiBase, model: c.model, settings: remote.settings, usesApiKey: c.usesApiKey },
      };
    } else {
      const { lm } = loaded!;
      config = { ...common, modelId: lm.modelId, dtype: lm.dtype, device: lm.device, deviceReason: loaded!.fileReason ? `${loaded!.deviceReason}; ${loaded!.fileReason}` : loaded!.deviceReason, allowNetwork: loaded!.allowNetwork };
    }
    await db.createRun({ id: msg.runId, name: msg.name, config });
  } else {
    const run = await db.getRun(msg.runId);
    if (!run) throw new StorageValidationError([`no saved run with id "${msg.runId}"`]);
    if (run.config.modelId === IMPORTED_MODEL_ID) {
      throw new StorageValidationError([`run "${run.name}" was imported from a file; there is nothing to resume`]);
    }
    if (onServer) {
      const want = run.config.server!;
      if (connected!.apiBase !== want.apiBase || connected!.model !== want.model) {
        throw new ServerError(`Run "${run.name}" was generated on ${want.apiBase} (model "${want.model}"); connect to that server to resume it.`);
      }
    } else if (run.config.modelId !== loaded!.lm.modelId) {
      throw new ModelError(`Run "${run.name}" was generated with ${run.config.modelId}, but ${loaded!.lm.modelId} is loaded.`);
    }
    config = run.config;
    already = (await db.getSamples(msg.runId)).map((s) => (s.context === undefined ? { text: s.text, label: s.label } : { text: s.text, label: s.label, context: s.context }));
    await db.updateRunStatus(msg.runId, 'running');
  }

  const runId = msg.runId;
  const acceptedAtStart = already.length;
  abort = new AbortController();
  const signal = abort.signal;
  const where = onServer ? `the server ${connected!.client.host}` : loaded!.lm.device.toUpperCase();
  post({ type: 'status', phase: 'generating', message: `Generating on ${where}…` });
  try {
    const opts = {
      task: config.task,
      perLabel: config.perLabel,
      sampling: config.sampling,
      already,
      signal,
      // Stored as they arrive (one transaction per small batch), then shown: a closed tab or a dead server loses
      // nothing that was received.
      onSamples: async (batch: GeneratedSample[]) => {
        const records = await db.appendSamples(runId, batch);
        post({ type: 'samples', runId, samples: records });
      },
      onProgress: (progress: GenerationProgress) => {
        post({ type: 'progress', runId, progress, ...computeRates(progress, acceptedAtStart) });
      },
    };
    const result = onServer ? await generateSamplesRemote(connected!.client, { ...opts, remote: config.server!.settings }) : await generateSamples(loaded!.lm, opts);
    const { interrupted: _interrupted, stopReason, ...progress } = result as typeof result & { server?: unknown };
    delete progress.server;
    const status = stopReason === 'done' || remainingSamples(progress) === 0 ? 'done' : 'stopped';
    const message =
      status === 'done'
        ? undefined
        : stopReason === 'exhausted'
          ? `Gave up: the ${onServer ? 'server' : 'model'} kept producing too-short or duplicate samples. Try a higher temperature or another seed, then Resume.`
          : 'Stopped by the user; press Resume to continue.';
    await db.updateRunStatus(runId, status, message);
    post({ type: 'status', phase: 'ready', message: message ?? 'Done' });
    post({ type: 'done', runId, status, progress, ...(message ? { message } : {}) });
  } catch (e) {
    if (e instanceof StorageQuotaError) throw e; // appendSamples already marked the run stopped (or said it could not)
    await db.updateRunStatus(runId, 'error', errorText(e)).catch(() => undefined);
    throw Object.assign(e instanceof Error ? e : new Error(String(e)), { runId });
  } finally {
    abort = null;
  }
}

function reportError(e: unknown, runId?: string): void {
  const kind =
    e instanceof StorageQuotaError ? 'quota' : e instanceof StorageValidationError || e instanceof RunBusyError ? 'validation' : e instanceof ModelError ? 'model' : e instanceof ServerError || e instanceof RemoteError ? 'server' : 'internal';
  const id = runId ?? (e as { runId?: string }).runId;
  post({ type: 'error', kind, message: errorText(e), ...(id ? { runId: id } : {}) });
  post({ type: 'status', phase: loaded ? 'ready' : 'idle', message: kind === 'model' ? 'Model not loaded' : 'Stopped after an error' });
}

self.onmessage = (ev: MessageEvent<unknown>) => {
  let msg: WorkerRequest;
  try {
    msg = checkGenerateRequest(ev.data);
  } catch (e) {
    post({ type: 'error', kind: 'validation', message: errorText(e) });
    return;
  }
  if (msg.type === 'interrupt') {
    if (abort) {
      post({ type: 'status', phase: 'stopping', message: 'Stopping after the current decoding step…' });
      abort.abort();
    }
    return;
  }
  // load and generate run one after another, in arrival order.
  queue = queue.then(async () => {
    try {
      if (msg.type === 'load') await handleLoad(msg);
      else if (msg.type === 'connect') await handleConnect(msg);
      else await handleGenerate(msg);
    } catch (e) {
      reportError(e, msg.type === 'generate' && e instanceof StorageQuotaError ? msg.runId : undefined);
    }
  });
};

post({ type: 'status', phase: 'idle', message: 'Worker started' });
