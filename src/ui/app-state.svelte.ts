// The page's state root: opens the database once and wires the per-step states together (runs, task form,
// generation, import, training) and the navigation. Each step's folder owns its state; this file only connects them.
import { LabStore } from '../core/storage/lab-store.ts';
import { isRunLockHeld } from '../core/storage/run-lock.ts';
import { errorText } from '../core/error-text.ts';
import { Nav } from './shared/nav.svelte.ts';
import { RunsController } from './runs/runs-state.svelte.ts';
import { GenerateController } from './generate/generate-state.svelte.ts';
import { ImportController } from './generate/import-state.svelte.ts';
import { defaultSetupForm } from './generate/setup-form.ts';
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
  form = $state(defaultSetupForm());
  readonly gen = new GenerateController(this.runs);
  readonly importer = new ImportController(this.runs);
  readonly train = new TrainController(this.runs);
  readonly clean = new CleanController(this.runs);
  readonly evaluate = new EvaluateController(this.runs, () => this.train.worker());
  readonly pwa = new PwaState();
  readonly portable = new PortableController(this.runs);
  readonly storage = new StorageState();
  readonly models = new ModelsController();
  readonly offline = new OfflineState();
  ready = $state(false);
  /** The database could not be opened (private mode, blocked storage): shown on every step. */
  fatal = $state<string | null>(null);

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
