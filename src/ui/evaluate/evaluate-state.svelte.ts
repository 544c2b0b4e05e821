// State of the Evaluate step (Svelte 5 runes): the test sets that fit the current run (bundled ones with their source,
// and stored ones typed in the page or uploaded as CSV/TSV/JSONL/TXT), the chosen set, typing examples, and evaluating
// saved trainings on the chosen set through the training worker (results are stored with each training).
import { readTextFile } from '../../core/data/read-file.ts';
import { MAX_TEST_FILE_BYTES } from '../../core/evaluate/test-file.ts';
import { presetsForLabels, type EvalPreset } from '../../core/evaluate/test-sets.ts';
import { checkTypedExample, parseTestFile } from '../../core/evaluate/test-file.ts';
import type { TestSetRecord } from '../../core/storage/schema.ts';
import type { TestSource, TrainEvent } from '../../workers/train-protocol.ts';
import { appBaseUrl } from '../shared/app-base.ts';
import { errorText } from '../../core/error-text.ts';
import type { RunsController } from '../runs/runs-state.svelte.ts';
import type { TrainWorkerClient } from '../train/train-client.ts';

/** A test set the page can offer: bundled (fetched by the worker) or stored in IndexedDB. */
export interface TestChoice {
  id: string;
  title: string;
  count: number;
  kind: 'bundled' | 'typed' | 'file';
  /** Source and licence of a bundled set, or the uploaded file's name. */
  note: string;
}

const sameLabels = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** The id of the typed test set for a label set (one per task's labels, shared by its runs). */
export function typedSetId(labels: readonly string[]): string {
  return `typed:${JSON.stringify([...labels].sort())}`;
}

export class EvaluateController {
  testSets = $state.raw<TestSetRecord[]>([]);
  /** Chosen test set id ('' = none chosen). Remembered per label set in localStorage. */
  choiceId = $state('');
  busy = $state(false);
  error = $state<string | null>(null);
  message = $state<string | null>(null);
  uploadError = $state<string | null>(null);
  typedText = $state('');
  typedLabel = $state('');
  typedError = $state<{ field: 'text' | 'label'; message: string } | null>(null);

  labelNames = $derived.by(() => this.runs.current?.config.task.labels.map((l) => l.name) ?? []);
  presets = $derived<EvalPreset[]>(presetsForLabels(this.labelNames));
  typedSet = $derived(this.testSets.find((t) => t.id === typedSetId(this.labelNames)) ?? null);
  choices = $derived.by<TestChoice[]>(() => {
    const out: TestChoice[] = this.presets.map((p) => ({ id: p.id, title: p.title, count: p.rows, kind: 'bundled', note: p.source }));
    for (const t of this.testSets) {
      if (!sameLabels(t.labels, this.labelNames) && !t.labels.every((l) => this.labelNames.includes(l))) continue;
      if (t.rows.length === 0) continue;
      out.push({ id: t.id, title: t.name, count: t.rows.length, kind: t.source, note: t.source === 'file' ? `uploaded file ${t.fileName ?? ''}` : 'typed in this page' });
    }
    return out;
  });
  choice = $derived(this.choices.find((c) => c.id === this.choiceId) ?? null);

  private nextRequest = 1_000_000;
  private pending: Record<number, () => void> = {};

  constructor(
    private readonly runs: RunsController,
    private readonly worker: () => TrainWorkerClient,
  ) {
    $effect.root(() => {
      // Follow the current run: pick the remembered set for its labels, else the first bundled one, else the typed one.
      $effect(() => {
        const ids = this.choices.map((c) => c.id);
        const current = this.choiceId;
        if (ids.includes(current)) return;
        const remembered = this.remembered();
        this.choiceId = remembered && ids.includes(remembered) ? remembered : (ids[0] ?? '');
      });
    });
  }

  async init(): Promise<void> {
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const store = this.runs.store;
    if (!store) return;
    this.testSets = await store.listTestSets();
  }

  private key(): string {
    return `sungen-lab:test-choice:${JSON.stringify([...this.labelNames].sort())}`;
  }

  private remembered(): string | null {
    try {
      return localStorage.getItem(this.key());
    } catch {
      return null;
    }
  }

  choose(id: string): void {
    this.choiceId = id;
    try {
      localStorage.setItem(this.key(), id);
    } catch {
      // Private mode: the choice is simply not remembered.
    }
  }

  /** Writes to the typed set one after another, each on top of the stored version, so quick adds are never lost. */
  private typedWrites: Promise<unknown> = Promise.resolve();

  private updateTyped(change: (rows: TestSetRecord['rows']) => TestSetRecord['rows']): Promise<void> {
    const labels = [...this.labelNames];
    const id = typedSetId(labels);
    const write = this.typedWrites.then(async () => {
      const store = this.runs.store;
      if (!store) return;
      const now = Date.now();
      const base = await store.getTestSet(id);
      const rows = change(base?.rows ?? []);
      if (rows.length === 0) await store.deleteTestSet(id);
      else await store.putTestSet(base ? { ...base, rows, updatedAt: now } : { id, name: 'Typed in the page', createdAt: now, updatedAt: now, source: 'typed', labels, rows });
      await this.refresh();
    });
    this.typedWrites = write.catch(() => {});
    return write;
  }

  /** Adds a typed example to this task's typed test set (stored at once) and selects that set. */
  async addTyped(): Promise<boolean> {
    const problem = checkTypedExample(this.typedText, this.typedLabel, this.labelNames);
    this.typedError = problem;
    if (problem) return false;
    const row = { text: this.typedText.trim(), label: this.typedLabel };
    this.typedText = '';
    try {
      await this.updateTyped((rows) => [...rows, row]);
    } catch (e) {
      this.typedError = { field: 'text', message: errorText(e) };
      this.typedText = row.text;
      return false;
    }
    this.choose(typedSetId(this.labelNames));
    return true;
  }

  async removeTyped(index: number): Promise<void> {
    await this.updateTyped((rows) => rows.filter((_, k) => k !== index));
  }

  /** Parses an uploaded test file against the current run's labels; stores it as a test set and selects it. */
  async upload(file: File): Promise<void> {
    this.uploadError = null;
    const store = this.runs.store;
    if (!store) return;
    if (this.labelNames.length === 0) {
      this.uploadError = 'Choose a run first: the test file is checked against its labels.';
      return;
    }
    try {
      // Strict UTF-8 (a bad byte is reported with its line, never replaced) and the size limit checked before reading.
      const text = await readTextFile(file, { source: file.name, maxBytes: MAX_TEST_FILE_BYTES });
      const rows = parseTestFile(file.name, text, this.labelNames);
      const now = Date.now();
      const set: TestSetRecord = {
        id: crypto.randomUUID(),
        name: file.name,
        fileName: file.name,
        createdAt: now,
        updatedAt: now,
        source: 'file',
        labels: [...this.labelNames],
        rows: rows.map((r) => ({ text: r.text, label: r.label })),
      };
      await store.putTestSet(set);
      await this.refresh();
      this.choose(set.id);
      this.message = `Loaded ${rows.length} examples from ${file.name}.`;
    } catch (e) {
      this.uploadError = errorText(e);
    }
  }

  async deleteSet(id: string): Promise<void> {
    await this.runs.store?.deleteTestSet(id);
    await this.refresh();
  }

  /** The chosen set as a worker test source (null when none is chosen). */
  source(): TestSource | null {
    const c = this.choice;
    if (!c) return null;
    if (c.kind === 'bundled') {
      const preset = this.presets.find((p) => p.id === c.id);
      return preset ? { kind: 'preset', presetId: preset.id, url: `${appBaseUrl()}eval/${preset.file}` } : null;
    }
    const set = this.testSets.find((t) => t.id === c.id);
    return set ? { kind: 'rows', id: set.id, name: set.name, rows: $state.snapshot(set.rows) } : null;
  }

  /** Evaluates the given trainings on the chosen set; resolves when all are done (results arrive via the runs state). */
  evaluate(trainingIds: string[]): Promise<void> {
    this.error = null;
    this.message = null;
    const test = this.source();
    if (!test) {
      this.error = 'Choose a test set first: a bundled one, type a few examples, or upload a file.';
      return Promise.resolve();
    }
    if (trainingIds.length === 0) {
      this.error = 'No training to evaluate yet: train one in step 4.';
      return Promise.resolve();
    }
    const requestId = this.nextRequest++;
    this.busy = true;
    const done = new Promise<void>((resolve) => (this.pending[requestId] = resolve));
    this.worker().send({ type: 'evaluate', requestId, trainingIds, test, backendQuery: location.search });
    return done;
  }

  /** Training-worker events that answer our requests. */
  onEvent(e: TrainEvent): void {
    if (e.type === 'evaluated' && e.requestId in this.pending) {
      this.runs.updateTraining(e.training);
    } else if (e.type === 'error' && e.scope === 'evaluate' && e.requestId !== undefined && e.requestId in this.pending) {
      this.error = e.message;
    } else if (e.type === 'evaluateDone' && e.requestId in this.pending) {
      const resolve = this.pending[e.requestId];
      delete this.pending[e.requestId];
      this.busy = Object.keys(this.pending).length > 0;
      resolve();
    }
  }
}
