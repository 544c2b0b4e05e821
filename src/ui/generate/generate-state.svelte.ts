// State of the Generate step (Svelte 5 runes): the generation worker's phase, model load progress, device and
// self-test, live progress of the active run, and the actions behind Generate / Stop / Resume. Which run is shown
// (and its samples) lives in the runs state; all heavy work happens in the worker.
import { findCatalogEntry, formatBytes, resolveModel, type ModelResolution } from '../../core/models/catalog.ts';
import { detectGenerationDevice } from '../../core/runtime/probe.ts';
import { httpFileExists, localModelBaseUrl } from '../../core/runtime/http-files.ts';
import type { LabStore } from '../../core/storage/lab-store.ts';
import { isRunLockHeld } from '../../core/storage/run-lock.ts';
import { RunBusyError } from '../../core/storage/errors.ts';
import type { SampleRecord } from '../../core/storage/schema.ts';
import type { DeviceEvent, ProgressEvent, ServerEvent, WorkerEvent, WorkerPhase } from '../../workers/generate-protocol.ts';
import { KeyStore } from '../../core/storage/key-store.ts';
import { parseServerUrl } from '../../core/remote/server-url.ts';
import { withPromptStyle } from '../../core/generation/prompt.ts';
import type { RunRecord } from '../../core/storage/schema.ts';
import { defaultServerForm, parseServerForm, parseServerTarget, type GeneratorSource } from './server-form.ts';
import { parseSetup, type SetupForm } from './setup-form.ts';
import { GenerationWorkerClient } from './generate-client.ts';
import { notifyRunsChanged } from '../shared/runs-changed.ts';
import { appBaseUrl } from '../shared/app-base.ts';
import type { RunsController } from '../runs/runs-state.svelte.ts';
import { hubFilesCached } from './model-rows.ts';
import { errorText } from '../../core/error-text.ts';
import { IMPORTED_MODEL_ID } from '../../core/runs/import-run.ts';

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
  /** When the model load started and when the last byte progress came (performance.now() ms), for speed and ETA. */
  loadStartedAt = $state(0);
  loadUpdatedAt = $state(0);
  progress = $state.raw<ProgressEvent | null>(null);
  /** Messages about the form (invalid input); shown next to the Generate button. */
  formErrors = $state.raw<string[]>([]);
  /** Errors from the worker or storage. */
  runError = $state<string | null>(null);
  /** Where the selected model comes from (local / hub / unavailable), checked when the model or network choice changes. */
  modelResolution = $state.raw<ModelResolution | null>(null);
  /** The run the worker is generating, if any. */
  activeRunId = $state<string | null>(null);

  // ---- generator source: the in-page model or an OpenAI-compatible server ----
  source = $state<GeneratorSource>('model');
  serverForm = $state(defaultServerForm());
  /** API key as typed: kept in memory only, unless `rememberKey` (then in the key database, per server origin). */
  apiKey = $state('');
  rememberKey = $state(false);
  /** Origin whose key came from the key database (shown with a Forget button). */
  rememberedOrigin = $state<string | null>(null);
  /** Server the user asked to connect to, waiting for confirmation: nothing has been sent to it yet. */
  pendingServer = $state.raw<{ apiBase: string; origin: string; host: string; model: string } | null>(null);
  /** Server the worker checked after the user confirmed it. */
  server = $state.raw<ServerEvent | null>(null);
  serverError = $state<string | null>(null);
  connecting = $state(false);

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
  private keys: KeyStore | null = null;
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
    if (this.source === 'server') return this.generateOnServer(form);
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
    const res = this.modelResolution;
    if (res?.kind === 'hub' && !(await hubFilesCached(res.entry))) {
      const ok = confirm(`Download ${formatBytes(res.downloadSizeBytes)} from the Hugging Face hub for ${res.entry.displayName}? The files are kept in this browser (see the model catalog), so this happens once.`);
      if (!ok) return;
    }

    this.runError = null;
    const runId = crypto.randomUUID();
    const model = findCatalogEntry(form.modelId)!;
    const name = defaultRunName(task.name, model.displayName, perLabel * task.labels.length, Date.now());
    if (!(await this.loadModel(form.modelId, form.allowNetwork))) return;
    this.resetLive();
    this.activeRunId = runId;
    await this.runs.select(null);
    this.worker().send({ type: 'generate', mode: 'new', runId, name, task: $state.snapshot(task), perLabel, sampling: $state.snapshot(sampling), source: 'model' });
  }

  // ---- OpenAI-compatible server ----

  private async keyStore(): Promise<KeyStore> {
    this.keys ??= await KeyStore.open();
    return this.keys;
  }

  /** Step 1 of connecting: check the fields and ask for confirmation. Sends nothing anywhere. */
  async prepareConnect(): Promise<void> {
    this.serverError = null;
    const target = parseServerTarget(this.serverForm);
    if (!target.ok) {
      this.serverError = target.errors.join(' ');
      return;
    }
    this.pendingServer = { apiBase: target.apiBase, origin: target.origin, host: target.host, model: target.model };
    try {
      const saved = await (await this.keyStore()).get(target.origin);
      if (saved !== null) {
        this.rememberedOrigin = target.origin;
        if (this.apiKey === '') this.apiKey = saved;
        this.rememberKey = true;
      } else if (this.rememberedOrigin !== null) {
        this.rememberedOrigin = null;
      }
    } catch {
      /* no key database (private mode): keys simply stay in memory */
    }
  }

  cancelConnect(): void {
    this.pendingServer = null;
  }

  /** Step 2: the user confirmed the host; the worker checks it (models, key) and keeps the connection. */
  async confirmConnect(): Promise<void> {
    const target = this.pendingServer;
    if (!target || this.busy) return;
    this.connecting = true;
    this.serverError = null;
    this.server = null;
    try {
      const apiKey = this.apiKey.trim();
      this.server = await this.worker().connect({ apiBase: target.apiBase, model: target.model, ...(apiKey ? { apiKey } : {}) });
      this.pendingServer = null;
      const keys = await this.keyStore().catch(() => null);
      if (keys && this.rememberKey && apiKey) {
        await keys.remember(target.origin, apiKey);
        this.rememberedOrigin = target.origin;
      } else if (keys && !this.rememberKey && this.rememberedOrigin === target.origin) {
        await keys.forget(target.origin);
        this.rememberedOrigin = null;
      }
    } catch (e) {
      this.serverError = errorText(e);
      this.pendingServer = null; // fix the fields, then Connect… again
    } finally {
      this.connecting = false;
    }
  }

  /** Deletes the key remembered for the server's origin and clears it from memory. */
  async forgetKey(): Promise<void> {
    const origin = this.rememberedOrigin ?? (parseServerTarget(this.serverForm) as { origin?: string }).origin;
    if (origin) await (await this.keyStore()).forget(origin);
    this.rememberedOrigin = null;
    this.rememberKey = false;
    this.apiKey = '';
  }

  /** Whether the worker holds a confirmed connection to this API root and model. */
  isConnectedTo(apiBase: string, model: string): boolean {
    return this.server !== null && this.server.apiBase === apiBase && this.server.model === model;
  }

  private async generateOnServer(form: SetupForm): Promise<void> {
    const parsed = parseSetup(form);
    const server = parseServerForm(this.serverForm);
    const errors = [...(parsed.ok ? [] : parsed.errors), ...(server.ok ? [] : server.errors)];
    if (server.ok && !this.isConnectedTo(server.server.apiBase, server.server.model)) {
      errors.push(`Connect to ${server.server.host} and confirm it (Connect…) before generating.`);
    }
    let task = parsed.ok ? parsed.setup.task : null;
    if (task && server.ok) {
      try {
        task = withPromptStyle(task, server.server.promptStyle);
      } catch (e) {
        errors.push(errorText(e));
      }
    }
    this.formErrors = errors;
    if (!parsed.ok || !server.ok || !task || errors.length > 0) return;
    this.runError = null;
    const runId = crypto.randomUUID();
    const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' }).format(Date.now());
    const name = `${task.name} · ${server.server.model} @ ${server.server.host} · ${when}`;
    this.resetLive();
    this.activeRunId = runId;
    await this.runs.select(null);
    this.worker().send({
      type: 'generate',
      mode: 'new',
      runId,
      name,
      task: $state.snapshot(task),
      perLabel: parsed.setup.perLabel,
      sampling: $state.snapshot(parsed.setup.sampling),
      source: 'server',
      remote: server.server.settings,
    });
  }

  /** Resume of a server run: needs a confirmed connection to the same server (after a reload: connect again). */
  private resumeOnServer(run: RunRecord): boolean {
    const s = run.config.server!;
    if (this.isConnectedTo(s.apiBase, s.model)) return true;
    this.source = 'server';
    this.serverForm = {
      ...this.serverForm,
      url: s.apiBase,
      model: s.model,
      promptStyle: run.config.task.promptStyle ?? 'continuation',
      inFlight: String(s.settings.concurrency),
      perRequest: String(s.settings.samplesPerRequest),
      maxRetries: String(s.settings.maxRetries),
    };
    this.runError =
      `This run was generated on ${parseServerUrl(s.apiBase).ok ? (parseServerUrl(s.apiBase) as { host: string }).host : s.apiBase} (model "${s.model}"). ` +
      `Connect to it under "Generator source"${s.usesApiKey ? ' with its API key' : ''} and confirm, then press Resume.`;
    return false;
  }

  async resume(): Promise<void> {
    const run = this.runs.current;
    if (!run) return;
    if (this.canResume) this.runError = null; // before any await: the click answers at once, old errors go
    // Another tab may have resumed this run a moment ago (its status reached this tab between the click and now), or
    // may hold it while this tab still shows it stopped: say so instead of ignoring the click or loading a model first.
    const otherTabHasIt = !this.busy && (run.status === 'running' || (this.canResume && (await isRunLockHeld(run.id))));
    if (otherTabHasIt) {
      this.runError = new RunBusyError(run.id, 'resumed here').message;
      return;
    }
    if (!this.canResume) return;
    this.runError = null;
    if (run.config.device === 'server') {
      if (!this.resumeOnServer(run)) return;
      this.resetLive();
      this.activeRunId = run.id;
      this.worker().send({ type: 'generate', mode: 'resume', runId: run.id });
      return;
    }
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
    this.loadStartedAt = this.loadUpdatedAt = performance.now();
    this.selfTests = [];
    this.phase = 'loading';
    try {
      const choice = await detectGenerationDevice();
      const reason = [choice.reason, ...choice.notes].join('; ');
      await this.worker().load({
        modelId,
        device: choice.device,
        deviceReason: reason,
        appBaseUrl: appBaseUrl(),
        allowNetwork,
        ...(choice.deviceMemoryGB !== undefined ? { deviceMemoryGB: choice.deviceMemoryGB } : {}),
      });
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
        this.loadUpdatedAt = performance.now();
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
      case 'server':
        break; // handled by confirmConnect's promise
      case 'error':
        if (e.kind === 'server' && !e.runId && this.connecting) break; // shown by confirmConnect
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

/** A readable default run name: task, model, how many samples, and the time to the second (renamable later). */
export function defaultRunName(taskName: string, modelName: string, samples: number, at: number): string {
  const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' }).format(at);
  return `${taskName} · ${modelName} · ${samples} samples · ${when}`;
}

export function describeResolution(r: ModelResolution): string {
  if (r.kind === 'local') {
    return r.entry.bundled
      ? 'Bundled with the app — works offline.'
      : `Offline model pack at ${r.baseUrl}${r.entry.packCommand ? ` (built by ${r.entry.packCommand})` : ''} — works offline.`;
  }
  if (r.kind === 'hub') return `Will download ${formatBytes(r.downloadSizeBytes)} from the Hugging Face hub.`;
  return r.reason;
}
