// State of the Clean, Train and Evaluate steps' training worker (Svelte 5 runes): the settings (method, classifier),
// the test set choice, live progress, the last result and the "Try it" box. The run to train on is the current run
// of the runs state; saved trainings are listed there too.
import { untrack } from 'svelte';
import { presetsForLabels, type EvalPreset } from '../../core/pipeline/test-sets.ts';
import type { PipelineProgress } from '../../core/pipeline/train-samples.ts';
import { defaultSettings, validateSettings, type TrainingSettings } from '../../core/pipeline/settings.ts';
import type { TrainingSummary } from '../../core/pipeline/record.ts';
import type { Classification } from '../../core/pipeline/model-io.ts';
import type { BackendEvent, TestSource, TrainEvent, TrainPhase } from '../../workers/train-protocol.ts';
import { TrainWorkerClient } from './train-client.ts';
import { appBaseUrl } from '../shared/app-base.ts';
import type { RunsController } from '../runs/runs-state.svelte.ts';
import { notifyRunsChanged } from '../shared/runs-changed.ts';
import { readTextFile } from '../../core/data/read-file.ts';
import { parseLabelledJsonl } from '../../core/data/jsonl.ts';
import { checkLineLengths } from '../../core/pipeline/samples.ts';
import { errorText } from '../../core/error-text.ts';

export class TrainController {
  settings = $state<TrainingSettings>(defaultSettings('fast'));
  /** 'upload' or a preset id. */
  testChoice = $state<string>('upload');
  testFile = $state.raw<{ name: string; text: string; rows: number } | null>(null);
  /** Why the chosen test file cannot be used (encoding, size, bad lines, unknown labels). */
  testFileError = $state<string | null>(null);
  phase = $state<TrainPhase>('idle');
  statusMessage = $state('');
  backend = $state.raw<BackendEvent | null>(null);
  progress = $state.raw<PipelineProgress | null>(null);
  /** The run the worker is training on (progress and results belong to it). */
  trainingRunId = $state<string | null>(null);
  result = $state.raw<TrainingSummary | null>(null);
  error = $state<string | null>(null);
  /** Non-error note, e.g. "Training stopped; nothing was saved." */
  notice = $state<string | null>(null);
  tryText = $state('');
  tryTrainingId = $state<string | null>(null);
  tryResult = $state.raw<Classification | null>(null);
  tryError = $state<string | null>(null);

  /** The run to train on: the current run once it is no longer being generated. */
  run = $derived.by(() => {
    const current = this.runs.current;
    return current && current.status !== 'running' ? current : null;
  });
  labelNames = $derived(this.run?.config.task.labels.map((l) => l.name) ?? []);
  presets = $derived<EvalPreset[]>(presetsForLabels(this.labelNames));
  busy = $derived(this.phase !== 'idle');

  private client: TrainWorkerClient | null = null;
  private nextRequest = 1;

  constructor(private readonly runs: RunsController) {
    // A new current run: offer its matching bundled test set; "Try it" uses its newest training.
    $effect.root(() => {
      $effect(() => {
        const names = this.labelNames;
        const presets = presetsForLabels(names);
        const choice = untrack(() => this.testChoice);
        if (choice === 'upload' || !presets.some((p) => p.id === choice)) this.testChoice = presets[0]?.id ?? 'upload';
      });
      $effect(() => {
        const mine = this.runs.currentTrainings;
        const chosen = untrack(() => this.tryTrainingId);
        if (!mine.some((t) => t.id === chosen)) this.tryTrainingId = mine[0]?.id ?? null;
      });
    });
  }

  setModel(model: TrainingSettings['model']): void {
    const d = defaultSettings(model);
    this.settings = { ...this.settings, model, epochs: d.epochs, learningRate: d.learningRate, dropout: d.dropout };
  }

  /**
   * Reads an uploaded test set as strict UTF-8 with the stated size limit and checks it against the run's labels at
   * once, so a bad file is reported when it is chosen (not "empty", not after a training start).
   */
  async setTestFile(file: File | null): Promise<void> {
    this.testFile = null;
    this.testFileError = null;
    if (!file) return;
    try {
      const text = await readTextFile(file, { source: file.name });
      if (!text.trim()) throw new Error(`${file.name} is empty.`);
      checkLineLengths(text, file.name);
      const rows = parseLabelledJsonl(text, { source: file.name, maxErrors: 3, ...(this.labelNames.length ? { labelNames: this.labelNames } : {}) });
      this.testFile = { name: file.name, text, rows: rows.length };
    } catch (e) {
      this.testFileError = errorText(e);
    }
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
      this.error = this.runs.current
        ? 'The current run is still being generated; wait for it to finish (or stop it) first.'
        : 'Choose a run to train on (generate one, or import a JSONL file of samples).';
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
    this.trainingRunId = run.id;
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
        void this.runs.refresh().then(() => (this.tryTrainingId = e.training.id));
        notifyRunsChanged(); // other tabs list the new training without a manual refresh
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
