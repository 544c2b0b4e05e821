// Page state of the "Clean & train" panel (Svelte 5 runes): runs to train on, settings, the test set choice, the
// JSONL import, live progress from the training worker, the result, saved trainings and the "Try it" box.
import { version as APP_VERSION } from '../../../package.json';
import { LabStore } from '../../core/storage/lab-store.ts';
import type { RunRecord } from '../../core/storage/schema.ts';
import { importSamplesAsRun } from '../../core/pipeline/import-run.ts';
import { presetsForLabels, type EvalPreset } from '../../core/pipeline/test-sets.ts';
import type { PipelineProgress } from '../../core/pipeline/train-samples.ts';
import { defaultSettings, validateSettings, type TrainingSettings } from '../../core/pipeline/settings.ts';
import { summariseTraining, type TrainingSummary } from '../../core/pipeline/record.ts';
import type { Classification } from '../../core/pipeline/model-io.ts';
import type { BackendEvent, TestSource, TrainEvent, TrainPhase } from '../../workers/train-protocol.ts';
import { TrainWorkerClient } from './train-client.ts';
import { notifyRunsChanged, onRunsChanged } from '../runs-changed.ts';
import { errorText } from '../../core/error-text.ts';

function appBaseUrl(): string {
  return new URL(import.meta.env.BASE_URL, document.baseURI).href;
}

export class TrainController {
  runs = $state.raw<RunRecord[]>([]);
  runId = $state<string | null>(null);
  settings = $state<TrainingSettings>(defaultSettings('fast'));
  /** 'upload' or a preset id. */
  testChoice = $state<string>('upload');
  testFile = $state.raw<{ name: string; text: string } | null>(null);
  phase = $state<TrainPhase>('idle');
  statusMessage = $state('');
  backend = $state.raw<BackendEvent | null>(null);
  progress = $state.raw<PipelineProgress | null>(null);
  result = $state.raw<TrainingSummary | null>(null);
  error = $state<string | null>(null);
  /** Non-error note, e.g. "Training stopped; nothing was saved." */
  notice = $state<string | null>(null);
  trainings = $state.raw<TrainingSummary[]>([]);
  importMessage = $state<string | null>(null);
  importError = $state<string | null>(null);
  importing = $state(false);
  tryText = $state('');
  tryTrainingId = $state<string | null>(null);
  tryResult = $state.raw<Classification | null>(null);
  tryError = $state<string | null>(null);
  ready = $state(false);

  run = $derived(this.runs.find((r) => r.id === this.runId) ?? null);
  labelNames = $derived(this.run?.config.task.labels.map((l) => l.name) ?? []);
  presets = $derived<EvalPreset[]>(presetsForLabels(this.labelNames));
  busy = $derived(this.phase !== 'idle');

  private store: LabStore | null = null;
  private client: TrainWorkerClient | null = null;
  private nextRequest = 1;

  async init(): Promise<void> {
    try {
      this.store = await LabStore.open();
      await this.refresh();
      onRunsChanged(() => void this.refresh());
    } catch (e) {
      this.error = `Could not open the browser database: ${errorText(e)}`;
    }
    this.ready = true;
  }

  /** Re-reads runs and saved trainings (e.g. after a generation run finished). */
  async refresh(): Promise<void> {
    if (!this.store) return;
    this.runs = (await this.store.listRuns()).filter((r) => r.status !== 'running');
    if (!this.run) this.selectRun(this.runs[0]?.id ?? null);
    const all = await this.store.listTrainings();
    const summaries: TrainingSummary[] = [];
    for (const rec of all) {
      try {
        summaries.push(summariseTraining(rec));
      } catch {
        // A record from another version of the page: not listed.
      }
    }
    this.trainings = summaries;
    if (!this.tryTrainingId || !summaries.some((t) => t.id === this.tryTrainingId)) this.tryTrainingId = summaries[0]?.id ?? null;
  }

  selectRun(id: string | null): void {
    this.runId = id;
    const presets = presetsForLabels(this.runs.find((r) => r.id === id)?.config.task.labels.map((l) => l.name) ?? []);
    if (this.testChoice === 'upload' || !presets.some((p) => p.id === this.testChoice)) this.testChoice = presets[0]?.id ?? 'upload';
  }

  setModel(model: TrainingSettings['model']): void {
    const d = defaultSettings(model);
    this.settings = { ...this.settings, model, epochs: d.epochs, learningRate: d.learningRate, dropout: d.dropout };
  }

  async importFile(file: File): Promise<void> {
    if (!this.store) return;
    this.importError = null;
    this.importMessage = null;
    this.importing = true;
    try {
      const { run, warnings } = await importSamplesAsRun(this.store, {
        fileName: file.name,
        text: await file.text(),
        versions: { app: APP_VERSION, transformers: 'n/a (imported samples)' },
      });
      await this.refresh();
      this.selectRun(run.id);
      notifyRunsChanged();
      const counts = run.config.task.labels.map((l) => l.name).join(', ');
      this.importMessage = [`Imported ${file.name} as a new run (labels: ${counts}).`, ...warnings].join('\n');
    } catch (e) {
      this.importError = errorText(e);
    } finally {
      this.importing = false;
    }
  }

  async setTestFile(file: File | null): Promise<void> {
    this.testFile = file ? { name: file.name, text: await file.text() } : null;
  }

  private worker(): TrainWorkerClient {
    if (!this.client) {
      this.client = new TrainWorkerClient();
      this.client.on((e) => this.onEvent(e));
    }
    return this.client;
  }

  train(): void {
    if (this.busy) return;
    this.error = null;
    const run = this.run;
    if (!run) {
      this.error = 'Choose a run to train on (generate one, or import a JSONL file of samples).';
      return;
    }
    const settings = $state.snapshot(this.settings) as TrainingSettings;
    const problems = validateSettings(settings);
    if (problems.length) {
      this.error = problems.join('\n');
      return;
    }
    let test: TestSource;
    if (this.testChoice === 'upload') {
      if (!this.testFile) {
        this.error = 'Choose a test set: a bundled one, or upload a JSONL test file.';
        return;
      }
      test = { kind: 'file', name: this.testFile.name, text: this.testFile.text };
    } else {
      const preset = this.presets.find((p) => p.id === this.testChoice);
      if (!preset) {
        this.error = `The bundled test set "${this.testChoice}" does not match this run's labels.`;
        return;
      }
      test = { kind: 'preset', presetId: preset.id, url: `${appBaseUrl()}eval/${preset.file}` };
    }
    this.progress = null;
    this.result = null;
    this.notice = null;
    this.phase = 'starting';
    this.worker().send({ type: 'start', runId: run.id, settings, test, backendQuery: location.search });
  }

  stop(): void {
    if (this.client && this.busy) this.client.send({ type: 'interrupt' });
  }

  classify(): void {
    this.tryError = null;
    this.tryResult = null;
    if (!this.tryTrainingId) {
      this.tryError = 'No saved model yet: train one first.';
      return;
    }
    if (!this.tryText.trim()) {
      this.tryError = 'Type a sentence to classify.';
      return;
    }
    this.worker().send({ type: 'classify', requestId: this.nextRequest++, trainingId: this.tryTrainingId, text: this.tryText, backendQuery: location.search });
  }

  private onEvent(e: TrainEvent): void {
    switch (e.type) {
      case 'backend':
        this.backend = e;
        break;
      case 'status':
        this.phase = e.phase;
        this.statusMessage = e.message;
        break;
      case 'progress':
        this.progress = e.progress;
        break;
      case 'result':
        this.result = e.training;
        this.progress = null; // the result block replaces the live progress
        this.tryTrainingId = e.training.id;
        void this.refresh();
        break;
      case 'stopped':
        this.notice = e.message;
        break;
      case 'classified':
        this.tryResult = e.results[0] ?? null;
        break;
      case 'error':
        if (e.requestId !== undefined) this.tryError = e.message;
        else this.error = e.message;
        break;
    }
  }
}
