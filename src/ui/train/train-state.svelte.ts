// State of the Clean, Train and Evaluate steps' training worker (Svelte 5 runes): the settings (method, classifier),
// the test set choice, live progress, the last result and the "Try it" box. The run to train on is the current run
// of the runs state; saved trainings are listed there too.
import { notifyRunsChanged } from '../shared/runs-changed.ts';
import { untrack } from 'svelte';
import { version as APP_VERSION } from '../../../package.json';
import type { PipelineProgress } from '../../core/train/train-samples.ts';
import { defaultSettings, validateSettings, type TrainingSettings } from '../../core/train/settings.ts';
import type { TrainingSummary } from '../../core/runs/record.ts';
import type { Classification } from '../../core/classifier/model-io.ts';
import type { BackendEvent, TestSource, TrainEvent, TrainPhase } from '../../workers/train-protocol.ts';
import { TrainWorkerClient } from './train-client.ts';
import { ProgressTrack, type LossPoint, type PhaseProgress } from '../shared/progress-track.ts';
import type { RunsController } from '../runs/runs-state.svelte.ts';

export class TrainController {
  settings = $state<TrainingSettings>(defaultSettings('fast'));
  phase = $state<TrainPhase>('idle');
  statusMessage = $state('');
  backend = $state.raw<BackendEvent | null>(null);
  progress = $state.raw<PipelineProgress | null>(null);
  /** Loss history of the running (or last) training, for the live loss chart. */
  losses = $state.raw<LossPoint[]>([]);
  /** Completion and ETA of the current phase. */
  phaseProgress = $state.raw<PhaseProgress | null>(null);
  private track = new ProgressTrack();
  private lastDraw = 0;
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
  /** Label names of the training used by "Try it" (class order of its probabilities). */
  tryLabels = $derived.by(() => this.runs.trainings.find((t) => t.id === this.tryTrainingId)?.evaluations[0]?.labelNames ?? this.labelNames);

  /** The run to train on: the current run once it is no longer being generated. */
  run = $derived.by(() => {
    const current = this.runs.current;
    return current && current.status !== 'running' ? current : null;
  });
  labelNames = $derived(this.run?.config.task.labels.map((l) => l.name) ?? []);
  busy = $derived(this.phase !== 'idle');

  private client: TrainWorkerClient | null = null;
  private nextRequest = 1;
  /** The test set chosen in the Evaluate step (a training is evaluated on it right away when there is one). */
  testSource: () => TestSource | null = () => null;
  /** Other listeners on the training worker's events (the Evaluate step). */
  private readonly listeners: ((e: TrainEvent) => void)[] = [];

  constructor(private readonly runs: RunsController) {
    // "Try it" uses the newest training of the current run unless another one of it was chosen.
    $effect.root(() => {
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

  /** The training worker (started on first use); shared with the Evaluate step. */
  worker(): TrainWorkerClient {
    if (!this.client) {
      this.client = new TrainWorkerClient();
      this.client.on((e) => this.onEvent(e));
      for (const l of this.listeners) this.client.on(l);
    }
    return this.client;
  }

  onWorkerEvent(listener: (e: TrainEvent) => void): void {
    this.listeners.push(listener);
    this.client?.on(listener);
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
    const test = this.testSource() ?? undefined;
    this.progress = null;
    this.track.reset();
    this.losses = [];
    this.phaseProgress = null;
    this.result = null;
    this.notice = null;
    this.phase = 'starting';
    this.trainingRunId = run.id;
    this.worker().send({ type: 'start', runId: run.id, settings, test, versions: { app: APP_VERSION }, backendQuery: location.search });
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
      case 'progress': {
        this.progress = e.progress;
        this.track.add(e.progress);
        this.phaseProgress = this.track.phase(e.progress) ?? this.phaseProgress;
        // Redraw the chart at most 4 times a second.
        const now = performance.now();
        if (now - this.lastDraw > 250 || e.progress.phase === 'evaluating') {
          this.lastDraw = now;
          this.losses = [...this.track.losses];
        }
        break;
      }
      case 'result':
        this.result = e.training;
        this.progress = null; // the result block replaces the live progress
        this.losses = [...this.track.losses];
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
        if (e.scope === 'classify') this.tryError = e.message;
        else if (e.scope === undefined) this.error = e.message;
        break;
    }
  }
}
