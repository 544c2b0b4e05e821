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
import { cleanOnSamples, trainOnSamples, type PipelinePhase } from '../core/train/train-samples.ts';
import { findPreset } from '../core/evaluate/test-sets.ts';
import { modelFromRecord, summariseTraining, toTrainingRecord, withEvaluation } from '../core/runs/record.ts';
import { evaluateOnRows, type TestRowsInput } from '../core/evaluate/evaluate-rows.ts';
import { parseLabelledJsonl } from '../core/data/jsonl.ts';
import { classifyTexts, loadModel } from '../core/classifier/model-io.ts';
import type { Tam } from '../core/classifier/types.ts';
import type { Vocabulary } from '../core/data/tokenizer.ts';
import type { BackendEvent, CleanMessage, ClassifyMessage, EvaluateMessage, StartTrainingMessage, TestSource, TrainEvent, TrainRequest } from './train-protocol.ts';
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

/** The rows of a test source: bundled sets are fetched from our own origin and parsed. */
async function testRows(test: TestSource): Promise<TestRowsInput> {
  if (test.kind === 'rows') return { id: test.id, name: test.name, rows: test.rows };
  const preset = findPreset(test.presetId);
  if (!preset) throw new Error(`Unknown bundled test set "${test.presetId}".`);
  if (new URL(test.url).origin !== self.location.origin) throw new Error(`The bundled test set must come from this page's own server, not ${new URL(test.url).origin}.`);
  let res: Response;
  try {
    res = await fetch(test.url);
  } catch (e) {
    throw new Error(
      `Could not load the bundled test set ${preset.file}: the page's server did not answer (${errorText(e)}). Is it still running? Start it again (npm start) and retry.`,
    );
  }
  if (!res.ok) throw new Error(`Could not load the bundled test set ${preset.file}: the page's server answered HTTP ${res.status}.`);
  const rows = parseLabelledJsonl(await res.text(), { source: preset.file });
  return { id: preset.id, name: preset.title, rows };
}

/** The model of a saved training, loaded once and kept for the next classify/evaluate request. */
async function loadCached(trainingId: string): Promise<NonNullable<typeof cached>> {
  if (cached?.trainingId !== trainingId) {
    const rec = await (await getStore()).getTraining(trainingId);
    if (!rec) throw new Error(`No saved training with id "${trainingId}".`);
    const saved = modelFromRecord(rec);
    const tam = loadModel(saved);
    cached?.tam.dispose();
    cached = { trainingId, tam, vocab: saved.vocab, labelNames: saved.labelNames };
  }
  return cached;
}

/** Evaluates one saved training on `test` and stores the evaluation with it; returns the updated summary. */
async function evaluateTraining(trainingId: string, test: TestRowsInput) {
  const model = await loadCached(trainingId);
  const ev = evaluateOnRows(model.tam, model.vocab, model.labelNames, test);
  const db = await getStore();
  const rec = await db.getTraining(trainingId);
  if (!rec) throw new Error(`No saved training with id "${trainingId}".`);
  const next = withEvaluation(rec, ev);
  await db.putTraining(next);
  return summariseTraining(next);
}

/** A run's samples for training or cleaning, with the Clean step's hand-made decisions applied. */
async function runSamples(runId: string) {
  const db = await getStore();
  const run = await db.getRun(runId);
  if (!run) throw Object.assign(new Error(`No saved run with id "${runId}".`), { kind: 'validation' });
  const all = await db.getSamples(runId);
  // Dropped samples are left out; kept ones are kept with full weight.
  const overrides = run.overrides ?? {};
  const idOf = (s: (typeof all)[number]) => s.id ?? s.seq;
  const samples = all.filter((s) => overrides[String(idOf(s))] !== 'drop');
  const forceKeepIds = samples.map(idOf).filter((id) => overrides[String(id)] === 'keep');
  const overrideCounts = { keep: forceKeepIds.length, drop: all.length - samples.length };
  const pipelineSamples = samples.map((s) => ({ id: idOf(s), text: s.text, label: s.label }));
  return { db, run, samples: pipelineSamples, forceKeepIds, overrideCounts, labelNames: run.config.task.labels.map((l) => l.name) };
}

/** The Clean step's "Compute weights": the method's scores on the run, stored on the run for the next training. */
async function handleClean(msg: CleanMessage): Promise<void> {
  abort = new AbortController();
  try {
    post({ type: 'status', phase: 'cleaning', message: 'Choosing the tfjs backend…' });
    const chosen = await ensureBackend(msg.backendQuery);
    const { db, samples, labelNames, overrideCounts } = await runSamples(msg.runId);
    const dropped = overrideCounts.drop ? ` (${overrideCounts.drop} dropped by hand)` : '';
    post({ type: 'status', phase: 'cleaning', message: `Computing ${msg.settings.method} weights for ${samples.length} samples${dropped} (${chosen.backend})` });
    const scores = await cleanOnSamples(
      { samples, labelNames, settings: msg.settings },
      { signal: abort.signal, onProgress: (p) => post({ type: 'cleanProgress', runId: msg.runId, progress: p }) },
    );
    if (!scores) {
      post({ type: 'cleaned', runId: msg.runId, stored: false, message: `The method "${msg.settings.method}" gives every sample the same weight: there is nothing to compute.` });
      return;
    }
    await db.setCleaning(msg.runId, { ...scores, method: msg.settings.method, createdAt: Date.now(), backend: chosen.backend });
    post({ type: 'cleaned', runId: msg.runId, stored: true, message: `Computed in ${scores.seconds.toFixed(1)} s.` });
  } catch (e) {
    if (e instanceof Error && e.name === 'AbortError') post({ type: 'cleaned', runId: msg.runId, stored: false, message: 'Stopped; the earlier weights (if any) are kept.' });
    else post({ type: 'error', kind: e instanceof StorageQuotaError ? 'quota' : 'internal', message: errorText(e), scope: 'clean' });
  } finally {
    abort = null;
    post({ type: 'status', phase: 'idle', message: '' });
  }
}

async function handleStart(msg: StartTrainingMessage): Promise<void> {
  abort = new AbortController();
  let phase: PipelinePhase = 'preparing';
  try {
    post({ type: 'status', phase: 'starting', message: 'Choosing the tfjs backend…' });
    const chosen = await ensureBackend(msg.backendQuery);
    const { db, run, samples, forceKeepIds, overrideCounts, labelNames } = await runSamples(msg.runId);
    const test = msg.test ? await testRows(msg.test) : null;
    const dropped = overrideCounts.drop ? ` (${overrideCounts.drop} dropped by hand)` : '';
    post({ type: 'status', phase: 'training', message: `Training on ${samples.length} samples${dropped} (${chosen.backend})` });
    const outcome = await trainOnSamples(
      { samples, labelNames, settings: msg.settings, forceKeepIds, precomputed: run.cleaning },
      {
        signal: abort.signal,
        onProgress: (p) => {
          phase = p.phase;
          post({ type: 'progress', runId: msg.runId, progress: p });
        },
      },
    );
    const versions = { ...msg.versions, tfjs: tf.version.tfjs };
    const record = toTrainingRecord(outcome, { id: crypto.randomUUID(), runId: msg.runId, createdAt: Date.now(), backend: chosen.backend, versions, overrides: overrideCounts });
    await db.putTraining(record);
    let summary = summariseTraining(record);
    if (test) {
      post({ type: 'progress', runId: msg.runId, progress: { phase: 'evaluating', losses: {}, elapsedSeconds: outcome.seconds.total, message: `Evaluating on ${test.name} (${test.rows.length} examples)` } });
      summary = await evaluateTraining(record.id, test);
    }
    post({ type: 'result', training: summary });
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
    const model = await loadCached(msg.trainingId);
    const results = classifyTexts(model.tam, model.vocab, model.labelNames, [msg.text]);
    post({ type: 'classified', requestId: msg.requestId, trainingId: msg.trainingId, results });
  } catch (e) {
    post({ type: 'error', kind: 'validation', message: errorText(e), requestId: msg.requestId, scope: 'classify' });
  }
}

async function handleEvaluate(msg: EvaluateMessage): Promise<void> {
  try {
    await ensureBackend(msg.backendQuery);
    const test = await testRows(msg.test);
    for (const id of msg.trainingIds) post({ type: 'evaluated', requestId: msg.requestId, training: await evaluateTraining(id, test) });
  } catch (e) {
    const kind = e instanceof StorageQuotaError ? 'quota' : 'validation';
    post({ type: 'error', kind, message: errorText(e), requestId: msg.requestId, scope: 'evaluate' });
  } finally {
    post({ type: 'evaluateDone', requestId: msg.requestId });
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
  queue = queue.then(() =>
    job.type === 'start' ? handleStart(job) : job.type === 'clean' ? handleClean(job) : job.type === 'evaluate' ? handleEvaluate(job) : handleClassify(job),
  );
};
