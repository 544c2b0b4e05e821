// State of the Generate step (Svelte 5 runes): the generation worker's phase, model load progress, device and
// self-test, live progress of the active run, and the actions behind Generate / Stop / Resume. Which run is shown
// (and its samples) lives in the runs state; all heavy work happens in the worker.
import { findCatalogEntry, formatBytes, resolveModel, type ModelResolution } from '../../core/models/catalog.ts';
import { detectGenerationDevice } from '../../core/runtime/probe.ts';
import { httpFileExists, localModelBaseUrl } from '../../core/runtime/http-files.ts';
import type { LabStore } from '../../core/storage/lab-store.ts';
import { isRunLockHeld } from '../../core/storage/run-lock.ts';
import type { SampleRecord } from '../../core/storage/schema.ts';
import type { DeviceEvent, ProgressEvent, WorkerEvent, WorkerPhase } from '../../workers/generate-protocol.ts';
import { parseSetup, type SetupForm } from './setup-form.ts';
import { GenerationWorkerClient } from './generate-client.ts';
import { notifyRunsChanged } from '../shared/runs-changed.ts';
import { appBaseUrl } from '../shared/app-base.ts';
import type { RunsController } from '../runs/runs-state.svelte.ts';
import { errorText } from '../../core/error-text.ts';
import { IMPORTED_MODEL_ID } from '../../core/pipeline/import-run.ts';

export interface FileProgress {
  loadedBytes: number;
  totalBytes: number;
}

export class GenerateController {
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

  busy = $derived(this.phase === 'loading' || this.phase === 'self-test' || this.phase === 'generating' || this.phase === 'stopping');
  canResume = $derived.by(() => {
    const run = this.runs.current;
    return (
      !this.busy && run !== null && (run.status === 'stopped' || run.status === 'error') &&
      run.config.modelId !== IMPORTED_MODEL_ID && // an imported run has nothing to resume
      [...this.runs.countsByLabel.values()].some((n) => n < run.config.perLabel)
    );
  });

  private store: LabStore | null = null;
  /** Every batch the worker reported for the active run in this session. */
  private liveSamples: SampleRecord[] = [];
  private client: GenerationWorkerClient | null = null;

  constructor(private readonly runs: RunsController) {
    runs.liveSamples = (runId) => (runId === this.activeRunId ? this.liveSamples : []);
    runs.isActive = (runId) => runId === this.activeRunId;
  }

  init(store: LabStore): void {
    this.store = store;
    void this.recoverLater();
  }

  /**
   * After a reload the previous page's worker may still hold its run lock for a moment; look again a few times so
   * such a run becomes 'stopped' (resumable) instead of looking busy forever.
   */
  private async recoverLater(): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const orphans = this.runs.runs.filter((r) => r.status === 'running' && r.id !== this.activeRunId);
      if (orphans.length === 0 || !this.store) return;
      await new Promise((r) => setTimeout(r, 1000));
      const mine = this.activeRunId;
      const recovered = await this.store.recoverInterruptedRuns(async (id) => id === mine || (await isRunLockHeld(id)));
      if (recovered.length > 0) {
        await this.runs.refresh();
        const current = this.runs.current;
        if (current && recovered.includes(current.id)) await this.runs.select(current.id);
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
    await this.runs.select(null);
    this.worker().send({ type: 'generate', mode: 'new', runId, name, task: $state.snapshot(task), perLabel, sampling: $state.snapshot(sampling) });
  }

  async resume(): Promise<void> {
    const run = this.runs.current;
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
        this.runs.mergeLive(e.runId, e.samples);
        break;
      case 'progress':
        if (this.runs.current?.id === e.runId || this.activeRunId === e.runId) this.progress = e;
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
    await this.runs.refresh();
    notifyRunsChanged(); // other tabs now show it as running (and refuse to delete it)
    if (this.runs.current?.id !== runId) await this.runs.select(runId);
  }

  private async afterRun(runId: string): Promise<void> {
    await this.runs.refresh();
    notifyRunsChanged();
    if (this.runs.current?.id === runId) await this.runs.select(runId);
  }
}

export function describeResolution(r: ModelResolution): string {
  if (r.kind === 'local') return r.entry.bundled ? 'Bundled with the app — works offline.' : 'Found locally (offline model pack).';
  if (r.kind === 'hub') return `Will download ${formatBytes(r.downloadSizeBytes)} from the Hugging Face hub.`;
  return r.reason;
}
