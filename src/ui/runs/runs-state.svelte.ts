// Saved runs and trainings (Svelte 5 runes): the list, the selected run with its samples, and deleting. Every step
// reads "the current run" from here, so the steps always agree on which run they show. Live samples from the
// generation worker are merged in by the Generate step through `mergeLive`.
import type { LabStore } from '../../core/storage/lab-store.ts';
import type { RunRecord, SampleRecord } from '../../core/storage/schema.ts';
import { summariseTraining, type TrainingSummary } from '../../core/runs/record.ts';
import { notifyRunsChanged, onRunsChanged } from '../shared/runs-changed.ts';
import { mergeSamples } from './merge-samples.ts';
import { errorText } from '../../core/error-text.ts';

export class RunsController {
  runs = $state.raw<RunRecord[]>([]);
  current = $state.raw<RunRecord | null>(null);
  samples = $state.raw<SampleRecord[]>([]);
  /** Every saved training (all runs), newest first. */
  trainings = $state.raw<TrainingSummary[]>([]);

  /** Trainings ticked for the Compare view (kept across reloads). */
  compareIds = $state.raw<string[]>(readCompare());
  compared = $derived(this.compareIds.map((id) => this.trainings.find((t) => t.id === id)).filter((t) => t !== undefined));

  /** Trainings of the current run, newest first. */
  currentTrainings = $derived(this.trainings.filter((t) => t.runId === this.current?.id));
  /** Keyed by label name in a Map: label names are user text ("constructor", "__proto__" are valid labels). */
  countsByLabel = $derived.by(() => {
    // A fresh Map per derivation (never mutated after it is returned), so a plain Map is right here.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const counts = new Map<string, number>();
    for (const l of this.current?.config.task.labels ?? []) counts.set(l.name, 0);
    for (const s of this.samples) counts.set(s.label, (counts.get(s.label) ?? 0) + 1);
    return counts;
  });
  /** Why the last delete was refused (e.g. the run is being generated in another tab). */
  error = $state<string | null>(null);

  /** Told about every selection (the page keeps the run in the URL). */
  onSelect: (runId: string | null) => void = () => {};
  /** Samples the generation worker reported for a run that may not all be in the database yet. */
  liveSamples: (runId: string) => SampleRecord[] = () => [];
  /** Whether a run is being written right now (it cannot be deleted then). */
  isActive: (runId: string) => boolean = () => false;

  store: LabStore | null = null;

  async init(store: LabStore, preferredRunId: string | null): Promise<void> {
    this.store = store;
    await this.refresh();
    const start = this.runs.find((r) => r.id === preferredRunId) ?? this.runs[0];
    await this.select(start?.id ?? null);
    onRunsChanged(() => void this.refresh());
  }

  /** Re-reads runs and trainings; the current run's record follows (status, name). */
  async refresh(): Promise<void> {
    if (!this.store) return;
    this.runs = await this.store.listRuns();
    if (this.current) this.current = this.runs.find((r) => r.id === this.current?.id) ?? null;
    const summaries: TrainingSummary[] = [];
    for (const rec of await this.store.listTrainings()) {
      try {
        summaries.push(summariseTraining(rec));
      } catch {
        // A record from another version of the page: not listed.
      }
    }
    this.trainings = summaries;
  }

  async select(runId: string | null): Promise<void> {
    if (!this.store) return;
    if (runId === null) {
      this.current = null;
      this.samples = [];
      this.onSelect(null);
      return;
    }
    const run = await this.store.getRun(runId);
    const fromDb = run ? await this.store.getSamples(runId) : [];
    // Batches that arrived from the worker while we were reading are merged in (by id), so none is lost.
    this.current = run ?? null;
    this.samples = mergeSamples(fromDb, this.liveSamples(runId));
    this.onSelect(run ? run.id : null);
  }

  /** New samples from the worker for `runId`: shown at once when that run is selected. */
  mergeLive(runId: string, samples: SampleRecord[]): void {
    if (this.current?.id === runId) this.samples = mergeSamples(this.samples, samples);
  }

  /** A training changed (e.g. a new evaluation): replace it in the list without a full re-read. */
  updateTraining(t: TrainingSummary): void {
    this.trainings = this.trainings.map((x) => (x.id === t.id ? t : x));
  }

  toggleCompare(id: string, on: boolean): void {
    this.compareIds = on ? [...this.compareIds.filter((x) => x !== id), id] : this.compareIds.filter((x) => x !== id);
    writeCompare(this.compareIds);
  }

  async deleteTraining(id: string): Promise<void> {
    if (!this.store) return;
    await this.store.deleteTraining(id);
    await this.refresh();
    notifyRunsChanged();
  }

  async rename(runId: string, name: string): Promise<void> {
    if (!this.store) return;
    await this.store.renameRun(runId, name);
    await this.refresh();
    notifyRunsChanged();
  }

  async deleteRun(runId: string): Promise<void> {
    if (!this.store || this.isActive(runId)) return;
    this.error = null;
    try {
      // Refused while any tab's worker holds the run's lock (LabStore.deleteRun checks it).
      await this.store.deleteRun(runId);
    } catch (e) {
      this.error = errorText(e);
      await this.refresh();
      return;
    }
    if (this.current?.id === runId) await this.select(null);
    await this.refresh();
    if (!this.current && this.runs.length > 0) await this.select(this.runs[0].id);
    notifyRunsChanged();
  }
}

const COMPARE_KEY = 'sungen-lab:compare';

function readCompare(): string[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(COMPARE_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function writeCompare(ids: string[]): void {
  try {
    localStorage.setItem(COMPARE_KEY, JSON.stringify(ids));
  } catch {
    // Private mode: the selection is simply not remembered.
  }
}
