// Training worker: chooses the tfjs backend (WebGPU on a real adapter → WebGL → WASM → CPU, reported with the reason),
// reads a run's samples from IndexedDB, runs the training pipeline with progress and interrupt, stores the finished
// training (model parameters, weights, metrics) in one write — nothing on failure — and classifies text with it.
/// <reference lib="webworker" />
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { useBackend } from '../core/tfjs/backend.ts';
import { detectTfjsBackends } from '../core/runtime/probe.ts';
import type { TfjsBackend } from '../core/runtime/capabilities.ts';
import { LabStore } from '../core/storage/lab-store.ts';
import { StorageQuotaError } from '../core/storage/errors.ts';
import { trainOnSamples, type PipelinePhase } from '../core/pipeline/train-samples.ts';
import { findPreset } from '../core/pipeline/test-sets.ts';
import { modelFromRecord, summariseTraining, toTrainingRecord } from '../core/pipeline/record.ts';
import { classifyTexts, loadModel } from '../core/pipeline/model-io.ts';
import type { Tam } from '../core/tam/types.ts';
import type { Vocabulary } from '../core/data/tokenizer.ts';
import type { BackendEvent, ClassifyMessage, StartTrainingMessage, TrainEvent, TrainRequest } from './train-protocol.ts';
import { errorText } from '../core/error-text.ts';
import { checkTrainRequest } from './check-messages.ts';

declare const self: DedicatedWorkerGlobalScope;

let store: LabStore | null = null;
let backend: Promise<BackendEvent> | null = null;
let abort: AbortController | null = null;
let queue: Promise<void> = Promise.resolve();
let cached: { trainingId: string; tam: Tam; vocab: Vocabulary; labelNames: string[] } | null = null;

function post(e: TrainEvent): void {
  self.postMessage(e);
}

async function getStore(): Promise<LabStore> {
  store ??= await LabStore.open();
  return store;
}

/** Tries the planned backends in order; the first that initialises is used. Runs once per worker. */
async function chooseBackend(query: string): Promise<BackendEvent> {
  setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
  // Threads give nothing on small machines and hang in minified builds under COOP/COEP (stack.md §9.7).
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const plan = await detectTfjsBackends(query);
  const failures: string[] = [];
  for (const name of plan.order) {
    try {
      if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
      await useBackend(name);
      const chosen = plan.candidates.find((c) => c.backend === name);
      const skipped = plan.candidates.filter((c) => !c.usable).map((c) => `${c.backend}: ${c.reason}`);
      const reason = [chosen?.reason ?? name, ...failures, ...skipped.map((s) => `skipped ${s}`), ...plan.notes].join('; ');
      return { type: 'backend', backend: name as TfjsBackend, reason, candidates: plan.candidates };
    } catch (e) {
      failures.push(`${name} failed to start (${errorText(e)})`);
    }
  }
  throw new Error(`No tfjs backend could start: ${failures.join('; ')}`);
}

function ensureBackend(query: string): Promise<BackendEvent> {
  backend ??= chooseBackend(query).then((ev) => {
    post(ev);
    return ev;
  });
  backend.catch(() => (backend = null));
  return backend;
}

async function testText(msg: StartTrainingMessage): Promise<{ name: string; text: string }> {
  if (msg.test.kind === 'file') return { name: msg.test.name, text: msg.test.text };
  const preset = findPreset(msg.test.presetId);
  if (!preset) throw new Error(`Unknown bundled test set "${msg.test.presetId}".`);
  if (new URL(msg.test.url).origin !== self.location.origin) throw new Error(`The bundled test set must come from this page's own server, not ${new URL(msg.test.url).origin}.`);
  let res: Response;
  try {
    res = await fetch(msg.test.url);
  } catch (e) {
    throw new Error(`Could not load the bundled test set ${preset.file}: the page's server did not answer (${errorText(e)}). Is it still running? Start it again (npm start) and retry, or upload the test set as a file.`);
  }
  if (!res.ok) throw new Error(`Could not load the bundled test set ${preset.file}: the page's server answered HTTP ${res.status}.`);
  return { name: preset.id, text: await res.text() };
}

async function handleStart(msg: StartTrainingMessage): Promise<void> {
  abort = new AbortController();
  let phase: PipelinePhase = 'preparing';
  try {
    post({ type: 'status', phase: 'starting', message: 'Choosing the tfjs backend…' });
    const chosen = await ensureBackend(msg.backendQuery);
    const db = await getStore();
    const run = await db.getRun(msg.runId);
    if (!run) throw Object.assign(new Error(`No saved run with id "${msg.runId}".`), { kind: 'validation' });
    const samples = await db.getSamples(msg.runId);
    const test = await testText(msg);
    post({ type: 'status', phase: 'training', message: `Training on ${samples.length} samples (${chosen.backend})` });
    const outcome = await trainOnSamples(
      { samples: samples.map((s) => ({ id: s.id ?? s.seq, text: s.text, label: s.label })), labelNames: run.config.task.labels.map((l) => l.name), test, settings: msg.settings },
      {
        signal: abort.signal,
        onProgress: (p) => {
          phase = p.phase;
          post({ type: 'progress', runId: msg.runId, progress: p });
        },
      },
    );
    const record = toTrainingRecord(outcome, { id: crypto.randomUUID(), runId: msg.runId, createdAt: Date.now(), backend: chosen.backend });
    await db.putTraining(record);
    post({ type: 'result', training: summariseTraining(record) });
  } catch (e) {
    if (e instanceof Error && e.name === 'AbortError') {
      post({ type: 'stopped', runId: msg.runId, message: 'Training stopped; nothing was saved.' });
    } else {
      const kind = e instanceof StorageQuotaError ? 'quota' : phase === 'preparing' || (e as { kind?: string }).kind === 'validation' ? 'validation' : 'internal';
      post({ type: 'error', kind, message: errorText(e) });
    }
  } finally {
    abort = null;
    post({ type: 'status', phase: 'idle', message: '' });
  }
}

async function handleClassify(msg: ClassifyMessage): Promise<void> {
  try {
    await ensureBackend(msg.backendQuery);
    if (cached?.trainingId !== msg.trainingId) {
      const rec = await (await getStore()).getTraining(msg.trainingId);
      if (!rec) throw new Error(`No saved training with id "${msg.trainingId}".`);
      const saved = modelFromRecord(rec);
      const tam = loadModel(saved);
      cached?.tam.dispose();
      cached = { trainingId: msg.trainingId, tam, vocab: saved.vocab, labelNames: saved.labelNames };
    }
    const results = classifyTexts(cached.tam, cached.vocab, cached.labelNames, [msg.text]);
    post({ type: 'classified', requestId: msg.requestId, trainingId: msg.trainingId, results });
  } catch (e) {
    post({ type: 'error', kind: 'validation', message: errorText(e), requestId: msg.requestId });
  }
}

self.onmessage = (ev: MessageEvent<unknown>) => {
  let msg: TrainRequest;
  try {
    msg = checkTrainRequest(ev.data);
  } catch (e) {
    const requestId = (ev.data as { requestId?: unknown } | null)?.requestId;
    post({ type: 'error', kind: 'validation', message: errorText(e), ...(Number.isInteger(requestId) ? { requestId: requestId as number } : {}) });
    return;
  }
  if (msg.type === 'interrupt') {
    if (abort) {
      abort.abort();
      post({ type: 'status', phase: 'stopping', message: 'Stopping…' });
    }
    return;
  }
  // One job at a time, in arrival order; interrupts bypass the queue.
  const job = msg;
  queue = queue.then(() => (job.type === 'start' ? handleStart(job) : handleClassify(job)));
};
