// Page state for the Generate view (Svelte 5 runes): saved runs, the selected run and its samples, live progress from
// the worker, and the actions behind the Generate / Stop / Resume buttons. All heavy work happens in the worker.
import { findCatalogEntry, formatBytes, resolveModel, type ModelResolution } from '../core/models/catalog.ts';
import { detectGenerationDevice } from '../core/runtime/probe.ts';
import { httpFileExists, localModelBaseUrl } from '../core/runtime/http-files.ts';
import { LabStore } from '../core/storage/lab-store.ts';
import { isRunLockHeld } from '../core/storage/run-lock.ts';
import type { RunRecord, SampleRecord } from '../core/storage/schema.ts';
import type { DeviceEvent, ProgressEvent, WorkerEvent, WorkerPhase } from '../workers/generate-protocol.ts';
import { parseSetup, type SetupForm } from './setup-form.ts';
import { GenerationWorkerClient } from './worker-client.ts';
import { notifyRunsChanged, onRunsChanged } from './runs-changed.ts';
import { errorText } from '../core/error-text.ts';
import { IMPORTED_MODEL_ID } from '../core/pipeline/import-run.ts';

export interface FileProgress {
  loadedBytes: number;
  totalBytes: number;
}

function appBaseUrl(): string {
  return new URL(import.meta.env.BASE_URL, document.baseURI).href;
}

export class LabController {
  runs = $state.raw<RunRecord[]>([]);
  current = $state.raw<RunRecord | null>(null);
  samples = $state.raw<SampleRecord[]>([]);
  phase = $state<WorkerPhase>('idle');
  statusMessage = $state('');
  device = $state.raw<DeviceEvent | null>(null);
  selfTests = $state.raw<{ device: string; ok: boolean; message: string }[]>([]);
  loadFiles = $state.raw<Record<string, FileProgress>>({});
  progress = $state.raw<ProgressEvent | null>(null);
  /** Messages about the form (invalid input); shown next to the Generate button. */
  formErrors = $state.raw<string[]>([]);
  /** Errors from the worker or storage. */
  runError = $state<string | null>(null);
  /** Where the selected model comes from (local / hub / unavailable), checked when the model or network choice changes. */
  modelResolution = $state.raw<ModelResolution | null>(null);
  /** The run the worker is generating, if any. */
  activeRunId = $state<string | null>(null);
  ready = $state(false);

  busy = $derived(this.phase === 'loading' || this.phase === 'self-test' || this.phase === 'generating' || this.phase === 'stopping');
  /** Keyed by label name in a Map: label names are user text ("constructor", "__proto__" are valid labels). */
  countsByLabel = $derived.by(() => {
    // A fresh Map per derivation (never mutated after it is returned), so a plain Map is right here.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const counts = new Map<string, number>();
    for (const l of this.current?.config.task.labels ?? []) counts.set(l.name, 0);
    for (const s of this.samples) counts.set(s.label, (counts.get(s.label) ?? 0) + 1);
    return counts;
  });
  canResume = $derived(
    !this.busy && this.current !== null && (this.current.status === 'stopped' || this.current.status === 'error') &&
      this.current.config.modelId !== IMPORTED_MODEL_ID &&
      [...this.countsByLabel.values()].some((n) => n < (this.current?.config.perLabel ?? 0)),
  );

  private store: LabStore | null = null;
  /** Every batch the worker reported for the active run in this session. */
  private liveSamples: SampleRecord[] = [];
  private client: GenerationWorkerClient | null = null;

  async init(): Promise<void> {
    try {
      this.store = await LabStore.open();
      await this.store.recoverInterruptedRuns(isRunLockHeld);
      await this.refreshRuns();
      if (this.runs.length > 0) await this.selectRun(this.runs[0].id);
      onRunsChanged(() => void this.refreshRuns());
      void this.recoverLater();
    } catch (e) {
      this.runError = `Could not open the browser database: ${errorText(e)}`;
    }
    this.ready = true;
  }

  /**
   * After a reload the previous page's worker may still hold its run lock for a moment; look again a few times so
   * such a run becomes 'stopped' (resumable) instead of looking busy forever.
   */
  private async recoverLater(): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const orphans = this.runs.filter((r) => r.status === 'running' && r.id !== this.activeRunId);
      if (orphans.length === 0 || !this.store) return;
      await new Promise((r) => setTimeout(r, 1000));
      const mine = this.activeRunId;
      const recovered = await this.store.recoverInterruptedRuns(async (id) => id === mine || (await isRunLockHeld(id)));
      if (recovered.length > 0) {
        await this.refreshRuns();
        if (this.current && recovered.includes(this.current.id)) await this.selectRun(this.current.id);
      }
    }
  }

  private worker(): GenerationWorkerClient {
    if (!this.client) {
      this.client = new GenerationWorkerClient();
      this.client.on((e) => this.onEvent(e));
    }
    return this.client;
  }

  private async refreshRuns(): Promise<void> {
    if (!this.store) return;
    this.runs = await this.store.listRuns();
    if (this.current) this.current = this.runs.find((r) => r.id === this.current?.id) ?? null;
  }

  async selectRun(runId: string): Promise<void> {
    if (!this.store) return;
    const run = await this.store.getRun(runId);
    const fromDb = run ? await this.store.getSamples(runId) : [];
    // Batches that arrived from the worker while we were reading are merged in (by id), so none is lost.
    this.current = run ?? null;
    this.samples = runId === this.activeRunId ? mergeSamples(fromDb, this.liveSamples) : fromDb;
    if (this.progress?.runId !== runId) this.progress = null;
  }

  async deleteRun(runId: string): Promise<void> {
    if (!this.store || runId === this.activeRunId) return;
    await this.store.deleteRun(runId);
    if (this.current?.id === runId) {
      this.current = null;
      this.samples = [];
    }
    await this.refreshRuns();
    notifyRunsChanged();
  }

  /** Check where a model would come from; never downloads anything (HEAD requests to our own origin only). */
  async checkModel(modelId: string, allowNetwork: boolean): Promise<void> {
    const base = localModelBaseUrl(appBaseUrl());
    const r = await resolveModel(modelId, { localModelBase: base, fileExists: httpFileExists(`${base}${modelId}/`), allowNetwork });
    this.modelResolution = r;
  }

  async generate(form: SetupForm): Promise<void> {
    if (this.busy) return;
    const parsed = parseSetup(form);
    const modelErrors: string[] = [];
    if (!findCatalogEntry(form.modelId)) modelErrors.push(`Unknown model "${form.modelId}"`);
    else {
      await this.checkModel(form.modelId, form.allowNetwork);
      const r = this.modelResolution;
      if (r?.kind === 'unavailable') modelErrors.push(r.reason);
    }
    const errors = [...(parsed.ok ? [] : parsed.errors), ...modelErrors];
    this.formErrors = errors;
    if (!parsed.ok || errors.length > 0) return;
    const { task, sampling, perLabel } = parsed.setup;

    this.runError = null;
    const runId = crypto.randomUUID();
    const model = findCatalogEntry(form.modelId)!;
    const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' }).format(Date.now());
    const name = `${task.name} · ${model.displayName} · ${when}`;
    if (!(await this.loadModel(form.modelId, form.allowNetwork))) return;
    this.resetLive();
    this.activeRunId = runId;
    this.current = null;
    this.samples = [];
    this.worker().send({ type: 'generate', mode: 'new', runId, name, task: $state.snapshot(task), perLabel, sampling: $state.snapshot(sampling) });
  }

  async resume(): Promise<void> {
    const run = this.current;
    if (!run || !this.canResume) return;
    this.runError = null;
    if (!(await this.loadModel(run.config.modelId, run.config.allowNetwork))) return;
    this.resetLive();
    this.activeRunId = run.id;
    this.worker().send({ type: 'generate', mode: 'resume', runId: run.id });
  }

  stop(): void {
    if (this.client && this.activeRunId) this.client.send({ type: 'interrupt' });
  }

  private resetLive(): void {
    this.progress = null;
    this.liveSamples = [];
  }

  private async loadModel(modelId: string, allowNetwork: boolean): Promise<boolean> {
    this.loadFiles = {};
    this.selfTests = [];
    this.phase = 'loading';
    try {
      const choice = await detectGenerationDevice();
      const reason = [choice.reason, ...choice.notes].join('; ');
      await this.worker().load({ modelId, device: choice.device, deviceReason: reason, appBaseUrl: appBaseUrl(), allowNetwork });
      return true;
    } catch (e) {
      this.runError = errorText(e);
      this.phase = 'idle';
      return false;
    }
  }

  private onEvent(e: WorkerEvent): void {
    switch (e.type) {
      case 'status':
        this.phase = e.phase;
        this.statusMessage = e.message;
        if (e.phase === 'generating' && this.activeRunId) void this.showActiveRun(this.activeRunId);
        break;
      case 'loadProgress':
        this.loadFiles = { ...this.loadFiles, [e.file]: { loadedBytes: e.loadedBytes, totalBytes: e.totalBytes } };
        break;
      case 'device':
        this.device = e;
        break;
      case 'selfTest':
        this.selfTests = [...this.selfTests, { device: e.device, ok: e.ok, message: e.message }];
        break;
      case 'samples':
        if (e.runId === this.activeRunId) this.liveSamples.push(...e.samples);
        if (this.current?.id === e.runId) this.samples = mergeSamples(this.samples, e.samples);
        break;
      case 'progress':
        if (this.current?.id === e.runId || this.activeRunId === e.runId) this.progress = e;
        break;
      case 'done':
        this.activeRunId = null;
        this.statusMessage = e.status === 'done' ? 'Done' : (e.message ?? 'Stopped');
        void this.afterRun(e.runId);
        break;
      case 'error':
        this.runError = e.message;
        if (e.runId) {
          this.activeRunId = null;
          void this.afterRun(e.runId);
        } else if (this.activeRunId && this.phase !== 'loading') {
          this.activeRunId = null;
        }
        break;
    }
  }

  /** Select the run the worker just created (its record exists once status 'generating' arrives). */
  private async showActiveRun(runId: string): Promise<void> {
    await this.refreshRuns();
    if (this.current?.id !== runId) await this.selectRun(runId);
  }

  private async afterRun(runId: string): Promise<void> {
    await this.refreshRuns();
    notifyRunsChanged();
    if (this.current?.id === runId) await this.selectRun(runId);
  }
}

/** `base` plus the records of `extra` it does not have yet, in acceptance order. */
function mergeSamples(base: SampleRecord[], extra: SampleRecord[]): SampleRecord[] {
  const seen = new Set(base.map((s) => s.id));
  const added = extra.filter((s) => !seen.has(s.id));
  if (added.length === 0) return base;
  return [...base, ...added].sort((a, b) => a.seq - b.seq);
}

export function describeResolution(r: ModelResolution): string {
  if (r.kind === 'local') return r.entry.bundled ? 'Bundled with the app — works offline.' : 'Found locally (offline model pack).';
  if (r.kind === 'hub') return `Will download ${formatBytes(r.downloadSizeBytes)} from the Hugging Face hub.`;
  return r.reason;
}
