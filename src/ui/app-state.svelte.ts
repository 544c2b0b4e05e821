// The page's state root: opens the database once and wires the per-step states together (runs, task form,
// generation, import, training) and the navigation. Each step's folder owns its state; this file only connects them.
import { LabStore } from '../core/storage/lab-store.ts';
import { isRunLockHeld } from '../core/storage/run-lock.ts';
import { errorText } from '../core/error-text.ts';
import { Nav } from './shared/nav.svelte.ts';
import { RunsController } from './runs/runs-state.svelte.ts';
import { GenerateController } from './generate/generate-state.svelte.ts';
import { ImportController } from './generate/import-state.svelte.ts';
import { defaultSetupForm, type SetupForm } from './generate/setup-form.ts';
import { TrainController } from './train/train-state.svelte.ts';
import { EvaluateController } from './evaluate/evaluate-state.svelte.ts';
import { CleanController } from './clean/clean-state.svelte.ts';
import { PwaState } from './shared/pwa.svelte.ts';
import { PortableController } from './runs/portable-state.svelte.ts';
import { StorageState } from './runs/storage-state.svelte.ts';
import { ModelsController } from './generate/models-state.svelte.ts';
import { OfflineState } from './runs/offline-state.svelte.ts';

export class Lab {
  readonly nav = new Nav();
  readonly runs = new RunsController();
  /** The Task and Generate steps' form (raw strings as typed). */
  form = $state(loadForm());
  readonly gen = new GenerateController(this.runs);
  readonly importer = new ImportController(this.runs);
  readonly train = new TrainController(this.runs);
  readonly clean = new CleanController(this.runs, this.train);
  readonly evaluate = new EvaluateController(this.runs, () => this.train.worker());
  readonly pwa = new PwaState();
  readonly portable = new PortableController(this.runs);
  readonly storage = new StorageState();
  readonly models = new ModelsController();
  readonly offline = new OfflineState();
  ready = $state(false);
  /** The database could not be opened (private mode, blocked storage): shown on every step. */
  fatal = $state<string | null>(null);

  constructor() {
    // The task and generation form is kept in this browser, so a reload keeps what the class typed.
    $effect.root(() => {
      $effect(() => {
        const json = JSON.stringify(this.form);
        try {
          localStorage.setItem(FORM_KEY, json);
        } catch {
          // Private mode or full storage: the form is simply not kept.
        }
      });
    });
  }

  async init(): Promise<void> {
    try {
      const store = await LabStore.open();
      await store.recoverInterruptedRuns(isRunLockHeld);
      this.runs.onSelect = (id) => this.nav.setRun(id);
      await this.runs.init(store, this.nav.initialRunId);
      this.gen.init(store);
      this.train.testSource = () => this.evaluate.source();
      this.train.onWorkerEvent((e) => this.evaluate.onEvent(e));
      await this.evaluate.init();
    } catch (e) {
      this.fatal = `Could not open the browser database: ${errorText(e)}`;
    }
    this.ready = true;
  }
}

const FORM_KEY = 'sungen-lab:form';

/** A saved draft's lever fields, dropped where they do not have the expected shape (a form from another version). */
function leverSafe(draft: SetupForm['draft']): SetupForm['draft'] {
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((t) => typeof t === 'string');
  const examplesOk = Array.isArray(draft.examples) && draft.examples.every((e) => e && typeof e.text === 'string' && typeof e.label === 'string');
  return {
    ...draft,
    topics: strings(draft.topics) ? draft.topics : [],
    topicTemplate: typeof draft.topicTemplate === 'string' ? draft.topicTemplate : '',
    examples: examplesOk ? draft.examples : [],
    shots: typeof draft.shots === 'string' ? draft.shots : '2',
  };
}

/** The saved form merged over the defaults (a form from another version of the page keeps only what still fits). */
function loadForm(): SetupForm {
  const form = defaultSetupForm();
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(FORM_KEY) ?? 'null');
    if (!saved || typeof saved !== 'object') return form;
    const s = saved as Partial<SetupForm>;
    const sameType = <T>(v: unknown, d: T): T => (typeof v === typeof d && v !== null ? (v as T) : d);
    const draft = s.draft;
    const draftOk = !!draft && typeof draft.name === 'string' && typeof draft.basePresetId === 'string' && Array.isArray(draft.labels) &&
      draft.labels.every((l) => l && typeof l.name === 'string' && typeof l.prompt === 'string');
    return {
      ...form,
      taskMode: s.taskMode === 'custom' ? 'custom' : 'preset',
      presetId: sameType(s.presetId, form.presetId),
      customJson: sameType(s.customJson, form.customJson),
      draft: draftOk ? leverSafe(draft) : form.draft,
      modelId: sameType(s.modelId, form.modelId),
      perLabel: sameType(s.perLabel, form.perLabel),
      doSample: sameType(s.doSample, form.doSample),
      sampling: { ...form.sampling, ...(s.sampling && typeof s.sampling === 'object' ? Object.fromEntries(Object.entries(s.sampling).filter(([, v]) => typeof v === 'string')) : {}) },
    };
  } catch {
    return form;
  }
}
