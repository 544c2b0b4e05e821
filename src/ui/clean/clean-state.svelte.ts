// State of the Clean step (Svelte 5 runes): the per-sample weights of the newest training of the current run, joined
// with the run's samples (text, label), and the hand-made keep/drop overrides stored on the run.
import { weightsBySampleId } from '../../core/runs/record.ts';
import type { RunsController } from '../runs/runs-state.svelte.ts';
import { errorText } from '../../core/error-text.ts';
import { byIds, classWeights, joinWeights, sinkingClasses, type WeightedText } from './clean-data.ts';

export class CleanController {
  /** Per-sample weights of the shown training: SunGen's learned weight when there is one, else the final weight. */
  items = $state.raw<WeightedText[]>([]);
  /** Which training the weights come from, and what kind of weight they are. */
  source = $state.raw<{ trainingId: string; kind: 'sungen' | 'final' } | null>(null);
  error = $state<string | null>(null);

  training = $derived.by(() => this.runs.currentTrainings[0] ?? null);
  labelNames = $derived.by(() => this.runs.current?.config.task.labels.map((l) => l.name) ?? []);
  classes = $derived(classWeights(this.items, this.labelNames));
  sinking = $derived(sinkingClasses(this.classes));
  overrides = $derived.by(() => this.runs.current?.overrides ?? {});

  constructor(private readonly runs: RunsController) {
    $effect.root(() => {
      $effect(() => {
        const t = this.training;
        const samples = this.runs.samples;
        void this.load(t?.id ?? null, samples);
      });
    });
  }

  private async load(trainingId: string | null, samples: RunsController['samples']): Promise<void> {
    const store = this.runs.store;
    if (!trainingId || !store) {
      this.items = [];
      this.source = null;
      return;
    }
    try {
      const rec = await store.getTraining(trainingId);
      if (!rec) return;
      const scores = (rec.config as { scores?: Float32Array; sampleIds?: number[] }).scores;
      const ids = (rec.config as { sampleIds?: number[] }).sampleIds ?? [];
      const byId = scores && scores.length === ids.length ? byIds(ids, scores) : weightsBySampleId(rec);
      this.items = joinWeights(samples, byId);
      this.source = { trainingId, kind: scores ? 'sungen' : 'final' };
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
