// State of the Clean step (Svelte 5 runes): "Compute weights" runs the chosen method's scoring on its own in the
// training worker (SunGen's θ, filter/oof confidence; progress with ETA), stores the scores on the run, and the next
// training reuses them when its settings still fit. Shows those scores — or, before any were computed, the newest
// training's — joined with the run's samples (text, label), and the hand-made keep/drop overrides stored on the run.
import { weightsBySampleId } from '../../core/runs/record.ts';
import { scoreKey, scoreName, scoreSourceOf } from '../../core/clean/score-source.ts';
import type { RunsController } from '../runs/runs-state.svelte.ts';
import type { TrainController } from '../train/train-state.svelte.ts';
import type { TrainingSettings } from '../../core/train/settings.ts';
import type { TrainEvent } from '../../workers/train-protocol.ts';
import { errorText } from '../../core/error-text.ts';
import { ProgressTrack, type LossPoint, type PhaseProgress } from '../shared/progress-track.ts';
import { byIds, classWeights, coversSamples, joinWeights, sinkingClasses, type WeightedText } from './clean-data.ts';

const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));

/** Where the shown scores come from. */
export type ScoresOrigin =
  | { kind: 'computed'; method: string; name: string; createdAt: number; seconds: number; heldOut: number; current: boolean }
  | { kind: 'training'; trainingId: string; name: string }
  | null;

export class CleanController {
  /** Per-sample scores shown: computed in this step when there are, else the newest training's. */
  items = $state.raw<WeightedText[]>([]);
  origin = $state.raw<ScoresOrigin>(null);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  /** The run being computed (progress belongs to it), null when idle. */
  computingRunId = $state<string | null>(null);
  progress = $state.raw<PhaseProgress | null>(null);
  progressMessage = $state('');
  /** SunGen's inner/outer losses (or the scoring model's training loss) of the last computation, for the live chart. */
  losses = $state.raw<LossPoint[]>([]);
  /** The run those losses belong to (the chart shows only under its own run). */
  lossesRunId = $state<string | null>(null);
  private track = new ProgressTrack();
  private lastDraw = 0;

  training = $derived.by(() => this.runs.currentTrainings[0] ?? null);
  labelNames = $derived.by(() => this.runs.current?.config.task.labels.map((l) => l.name) ?? []);
  classes = $derived(classWeights(this.items, this.labelNames));
  sinking = $derived(sinkingClasses(this.classes));
  /** True when every shown sample has the same score (nothing was learned that tells them apart). */
  flat = $derived.by(() => {
    const w = this.items.map((x) => x.weight);
    return w.length > 0 && Math.max(...w) - Math.min(...w) < 1e-6;
  });
  overrides = $derived.by(() => this.runs.current?.overrides ?? {});
  busy = $derived(this.computingRunId !== null);
  /** What the chosen method ranks samples by ("SunGen weight", "filter confidence"), or null for none. */
  methodScoreName = $derived.by(() => {
    const src = scoreSourceOf(this.train.settings.method, this.train.settings.model);
    return src ? scoreName(src.source) : null;
  });
  /** Whether the scores stored on the run fit the current settings and samples (the next training then reuses them). */
  reusable = $derived.by(() => {
    const c = this.runs.current?.cleaning;
    return !!c && c.key === scoreKey(this.train.settings) && coversSamples(c.sampleIds, this.runs.samples, this.overrides);
  });

  constructor(
    private readonly runs: RunsController,
    private readonly train: TrainController,
  ) {
    train.onWorkerEvent((e) => this.onEvent(e));
    $effect.root(() => {
      $effect(() => {
        const run = this.runs.current;
        const t = this.training;
        const samples = this.runs.samples;
        const key = scoreKey(this.train.settings);
        void this.load(run, t?.id ?? null, samples, key);
      });
    });
  }

  /** Computes the chosen method's scores for the current run in the training worker. */
  compute(): void {
    const run = this.train.run;
    if (this.busy || this.train.busy) return;
    this.error = null;
    this.notice = null;
    if (!run) {
      this.error = 'Choose a finished run first (generate one, or import samples).';
      return;
    }
    const settings = $state.snapshot(this.train.settings) as TrainingSettings;
    if (!scoreSourceOf(settings.method, settings.model)) {
      this.notice = 'The method "none" gives every sample the same weight: there is nothing to compute.';
      return;
    }
    this.track.reset();
    this.losses = [];
    this.lossesRunId = run.id;
    this.progress = null;
    this.progressMessage = 'Starting…';
    this.computingRunId = run.id;
    this.train.worker().send({ type: 'clean', runId: run.id, settings, backendQuery: location.search });
  }

  stop(): void {
    if (this.busy) this.train.worker().send({ type: 'interrupt' });
  }

  private onEvent(e: TrainEvent): void {
    if (e.type === 'cleanProgress' && e.runId === this.computingRunId) {
      this.track.add(e.progress);
      this.progress = this.track.phase(e.progress) ?? this.progress;
      this.progressMessage = e.progress.message;
      // Redraw the chart at most 4 times a second.
      const now = performance.now();
      if (now - this.lastDraw > 250) {
        this.lastDraw = now;
        this.losses = [...this.track.losses];
      }
    } else if (e.type === 'cleaned') {
      this.computingRunId = null;
      this.losses = [...this.track.losses];
      this.progress = null;
      this.notice = e.message;
      void this.runs.refresh();
    } else if (e.type === 'error' && e.scope === 'clean') {
      this.computingRunId = null;
      this.progress = null;
      this.error = e.message;
    }
  }

  private async load(run: RunsController['current'], trainingId: string | null, samples: RunsController['samples'], key: string | null): Promise<void> {
    const c = run?.cleaning;
    if (c) {
      const values = c.source === 'sungen' ? c.scores.map(sigmoid) : c.scores;
      const byId = byIds(c.sampleIds, values);
      for (const id of c.validationIds) byId.delete(id);
      this.items = joinWeights(samples, byId);
      this.origin = { kind: 'computed', method: c.method, name: scoreName(c.source), createdAt: c.createdAt, seconds: c.seconds, heldOut: c.validationIds.length, current: c.key === key && coversSamples(c.sampleIds, samples, run?.overrides ?? {}) };
      this.error = null;
      return;
    }
    const store = this.runs.store;
    if (!trainingId || !store) {
      this.items = [];
      this.origin = null;
      return;
    }
    try {
      const rec = await store.getTraining(trainingId);
      if (!rec) return;
      const config = rec.config as { scores?: Float32Array; sampleIds?: number[]; settings?: TrainingSettings };
      const ids = config.sampleIds ?? [];
      const scores = config.scores;
      const byId = scores && scores.length === ids.length ? byIds(ids, scores) : weightsBySampleId(rec);
      this.items = joinWeights(samples, byId);
      const method = config.settings?.method ?? 'none';
      this.origin = { kind: 'training', trainingId, name: scores ? 'SunGen weight' : method === 'none' ? 'weight' : 'final weight' };
      this.error = null;
    } catch (e) {
      this.error = errorText(e);
    }
  }

  async setOverride(sampleId: number, value: 'keep' | 'drop' | null): Promise<void> {
    const run = this.runs.current;
    const store = this.runs.store;
    if (!run || !store) return;
    try {
      await store.setOverride(run.id, sampleId, value);
      await this.runs.refresh();
    } catch (e) {
      this.error = errorText(e);
    }
  }
}
