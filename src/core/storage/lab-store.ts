// The persistence API for runs, samples and trainings, on top of the versioned IndexedDB schema.
// Works in the page, in the generation worker (which writes samples as they are accepted) and in Node tests.
import type { GeneratedSample } from '../generation/types.ts';
import { openLabDb, type LabDb } from './db.ts';
import { ImportCancelledError, RunBusyError, RunNotFoundError, StorageQuotaError, StorageValidationError, isQuotaError } from './errors.ts';
import { isRunLockHeld } from './run-lock.ts';
import type { CleaningRecord, RunConfig, RunRecord, RunStatus, SampleRecord, TestSetRecord, TrainingRecord } from './schema.ts';
import { validateCleaning, validateRunConfig, validateSampleBatch, validateTestSet } from './validate-records.ts';

/** Samples written per IndexedDB transaction: a closed tab loses at most this many. */
export const MAX_SAMPLES_PER_TRANSACTION = 32;

/** Samples added between two progress reports (and cancel checks) of an import. */
export const IMPORT_PROGRESS_EVERY = 2_000;

export interface ImportRunInput {
  name: string;
  config: RunConfig;
  samples: readonly GeneratedSample[];
  /** Called with the number of samples queued so far (synchronously, inside the transaction). */
  onProgress?: (written: number, total: number) => void;
  /** Aborting rolls the whole import back. */
  signal?: AbortSignal;
}

export interface NewRun {
  /** Optional caller-chosen id (e.g. so the page knows it before the worker creates the run). */
  id?: string;
  name: string;
  config: RunConfig;
}

export class LabStore {
  private constructor(readonly db: LabDb) {}

  static async open(name?: string): Promise<LabStore> {
    return new LabStore(await openLabDb(name));
  }

  close(): void {
    this.db.close();
  }

  /** Validates the whole config first; nothing is written if it is invalid. */
  async createRun(input: NewRun): Promise<RunRecord> {
    const errors = validateRunConfig(input.config);
    if (typeof input.name !== 'string' || input.name.trim() === '') errors.push('run name must be a non-empty string');
    if (input.id !== undefined && (typeof input.id !== 'string' || input.id === '')) errors.push('run id must be a non-empty string');
    if (errors.length > 0) throw new StorageValidationError(errors);
    const now = Date.now();
    const run: RunRecord = {
      id: input.id ?? crypto.randomUUID(),
      createdAt: now,
      updatedAt: now,
      name: input.name.trim(),
      status: 'running',
      config: input.config,
      sampleCount: 0,
    };
    try {
      await this.db.add('runs', run);
    } catch (e) {
      if (isQuotaError(e)) throw new StorageQuotaError(undefined, e, 'generation');
      if ((e as { name?: string }).name === 'ConstraintError') throw new StorageValidationError([`a run with id "${run.id}" already exists`]);
      throw e;
    }
    return run;
  }

  /**
   * Append accepted samples to a run, in order, one transaction per small batch (≤ MAX_SAMPLES_PER_TRANSACTION).
   * The batch is validated against the run's labels before anything is written.
   * On a full disk the run is marked 'stopped', earlier samples stay, and a StorageQuotaError is thrown.
   */
  async appendSamples(runId: string, samples: readonly GeneratedSample[]): Promise<SampleRecord[]> {
    const run = await this.getRun(runId);
    if (!run) throw new RunNotFoundError(runId);
    const errors = validateSampleBatch(samples, run.config.task.labels.map((l) => l.name));
    if (errors.length > 0) throw new StorageValidationError(errors);
    const written: SampleRecord[] = [];
    for (let start = 0; start < samples.length; start += MAX_SAMPLES_PER_TRANSACTION) {
      const chunk = samples.slice(start, start + MAX_SAMPLES_PER_TRANSACTION);
      try {
        written.push(...(await this.writeChunk(runId, chunk)));
      } catch (e) {
        if (isQuotaError(e)) throw await this.stopAfterQuotaError(runId, e);
        throw e;
      }
    }
    return written;
  }

  /**
   * One small transaction: the run record carries `sampleCount`, so the first seq is known without counting the
   * run's samples (counting made every write O(run size) and a large import quadratic).
   */
  private async writeChunk(runId: string, chunk: readonly GeneratedSample[]): Promise<SampleRecord[]> {
    const tx = this.db.transaction(['runs', 'samples'], 'readwrite');
    const samplesStore = tx.objectStore('samples');
    const runsStore = tx.objectStore('runs');
    const run = await runsStore.get(runId);
    if (!run) {
      tx.abort();
      await tx.done.catch(() => undefined);
      throw new RunNotFoundError(runId);
    }
    const seq0 = run.sampleCount ?? (await samplesStore.index('runId').count(runId));
    const now = Date.now();
    const records: SampleRecord[] = chunk.map((s, i) => toRecord(runId, s, seq0 + i, now));
    for (const rec of records) rec.id = await samplesStore.add(rec);
    await runsStore.put({ ...run, updatedAt: now, sampleCount: seq0 + records.length });
    await tx.done;
    return records;
  }

  /**
   * Stores a complete run (e.g. an imported file) in ONE transaction: the run record and every sample become
   * visible together when it commits, or not at all (a closed tab, a full disk or Cancel abort it and roll everything
   * back — no half run, nothing to clean up). Writes are queued without waiting for each one, so the time is linear in
   * the number of samples. Validates everything before writing.
   */
  async importRun(input: ImportRunInput): Promise<RunRecord> {
    const errors = validateRunConfig(input.config);
    if (typeof input.name !== 'string' || input.name.trim() === '') errors.push('run name must be a non-empty string');
    errors.push(...validateSampleBatch(input.samples, input.config.task.labels.map((l) => l.name)).slice(0, 10));
    if (input.samples.length === 0) errors.push('there are no samples to import');
    if (errors.length > 0) throw new StorageValidationError(errors);
    if (input.signal?.aborted) throw new ImportCancelledError();
    const now = Date.now();
    const run: RunRecord = {
      id: crypto.randomUUID(),
      createdAt: now,
      updatedAt: now,
      name: input.name.trim(),
      status: 'done',
      config: input.config,
      sampleCount: input.samples.length,
    };
    const tx = this.db.transaction(['runs', 'samples'], 'readwrite');
    const samplesStore = tx.objectStore('samples');
    const total = input.samples.length;
    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
    };
    input.signal?.addEventListener('abort', onAbort);
    try {
      // Requests are queued synchronously chunk by chunk; awaiting the chunk's last request keeps the transaction
      // active (no other await in between) and lets progress and Cancel in between chunks.
      void tx.objectStore('runs').add(run);
      for (let start = 0; start < total; start += IMPORT_PROGRESS_EVERY) {
        if (cancelled) {
          tx.abort();
          break;
        }
        const end = Math.min(total, start + IMPORT_PROGRESS_EVERY);
        let last: Promise<number> | undefined;
        for (let k = start; k < end; k++) {
          last = samplesStore.add(toRecord(run.id, input.samples[k], k, now));
          last.catch(() => undefined); // failures surface through tx.done
        }
        await last;
        input.onProgress?.(end, total);
      }
      await tx.done;
    } catch (e) {
      await tx.done.catch(() => undefined);
      if (cancelled) throw new ImportCancelledError();
      if (isQuotaError(e) || isQuotaError(tx.error)) throw new StorageQuotaError(undefined, e, 'import');
      throw e;
    } finally {
      input.signal?.removeEventListener('abort', onAbort);
    }
    if (cancelled) throw new ImportCancelledError();
    return run;
  }

  /**
   * Called when a write hit the quota: mark the run stopped (best effort — that write may fail too)
   * and return the typed error to throw, saying which of the two happened. Samples already committed are untouched.
   */
  async stopAfterQuotaError(runId: string, cause: unknown): Promise<StorageQuotaError> {
    let stopped = true;
    try {
      await this.updateRunStatus(runId, 'stopped', new StorageQuotaError(runId, cause, 'generation', true).message);
    } catch {
      // The status update needs a little space as well; the run then stays 'running' (and is shown so) until a
      // later start-up recovers it.
      stopped = false;
    }
    return new StorageQuotaError(runId, cause, 'generation', stopped);
  }

  /** Newest first. */
  async listRuns(): Promise<RunRecord[]> {
    const runs = await this.db.getAllFromIndex('runs', 'createdAt');
    return runs.reverse();
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return this.db.get('runs', runId);
  }

  /** In acceptance order (seq). */
  async getSamples(runId: string): Promise<SampleRecord[]> {
    const rows = await this.db.getAllFromIndex('samples', 'runId', runId);
    return rows.sort((a, b) => a.seq - b.seq);
  }

  /** Stored samples per label of the run's task (labels without samples count 0), keyed by label name. */
  async countByLabel(runId: string): Promise<Map<string, number>> {
    const run = await this.getRun(runId);
    if (!run) throw new RunNotFoundError(runId);
    const tx = this.db.transaction('samples', 'readonly');
    const index = tx.store.index('runId_label');
    const counts = new Map<string, number>();
    for (const label of run.config.task.labels) counts.set(label.name, await index.count([runId, label.name]));
    await tx.done;
    return counts;
  }

  async updateRunStatus(runId: string, status: RunStatus, message?: string): Promise<RunRecord> {
    const tx = this.db.transaction('runs', 'readwrite');
    const run = await tx.store.get(runId);
    if (!run) {
      await tx.done;
      throw new RunNotFoundError(runId);
    }
    const next: RunRecord = { ...run, status, updatedAt: Date.now() };
    if (message !== undefined) next.message = message;
    else delete next.message;
    await tx.store.put(next);
    await tx.done;
    return next;
  }

  /**
   * Deletes the run, its samples and its trainings in one transaction. Refuses (RunBusyError) while a live worker in
   * any tab holds the run's lock, i.e. is generating it. Deleting needs no free space, so it works on a full disk.
   */
  async deleteRun(runId: string): Promise<void> {
    if (await isRunLockHeld(runId)) throw new RunBusyError(runId, 'deleted');
    const tx = this.db.transaction(['runs', 'samples', 'trainings'], 'readwrite');
    await tx.objectStore('runs').delete(runId);
    const sampleKeys = await tx.objectStore('samples').index('runId').getAllKeys(runId);
    for (const key of sampleKeys) await tx.objectStore('samples').delete(key);
    const trainingKeys = await tx.objectStore('trainings').index('runId').getAllKeys(runId);
    for (const key of trainingKeys) await tx.objectStore('trainings').delete(key);
    await tx.done;
  }

  /**
   * Runs left 'running' by a closed tab become 'stopped' (so they can be resumed).
   * `isActive` tells whether some live worker still owns the run (see run-lock.ts).
   */
  /**
   * Best effort and never throws: start-up must not depend on a write. A run whose status cannot be written (full
   * disk) stays 'running' in storage, is shown as stored, and is tried again on the next call.
   */
  async recoverInterruptedRuns(isActive: (runId: string) => Promise<boolean>): Promise<string[]> {
    const recovered: string[] = [];
    let runs: RunRecord[];
    try {
      runs = await this.listRuns();
    } catch {
      return recovered;
    }
    for (const run of runs) {
      try {
        if (run.status !== 'running' || (await isActive(run.id))) continue;
        await this.updateRunStatus(run.id, 'stopped', 'Interrupted (the page was closed or reloaded); press Resume to continue.');
        recovered.push(run.id);
      } catch {
        // e.g. QuotaExceededError: leave it as stored.
      }
    }
    return recovered;
  }

  async putTraining(rec: TrainingRecord): Promise<void> {
    if (!(await this.getRun(rec.runId))) throw new RunNotFoundError(rec.runId);
    try {
      await this.db.put('trainings', rec);
    } catch (e) {
      if (isQuotaError(e)) throw new StorageQuotaError(undefined, e, 'training');
      throw e;
    }
  }

  async getTraining(id: string): Promise<TrainingRecord | undefined> {
    return this.db.get('trainings', id);
  }

  /** Trainings of one run (or all), newest first. */
  async listTrainings(runId?: string): Promise<TrainingRecord[]> {
    const rows = runId === undefined ? await this.db.getAll('trainings') : await this.db.getAllFromIndex('trainings', 'runId', runId);
    return rows.sort((a, b) => b.createdAt - a.createdAt);
  }

  async deleteTraining(id: string): Promise<void> {
    await this.db.delete('trainings', id);
  }

  /** Gives a run a new name (trimmed, non-empty, at most 200 characters). */
  async renameRun(runId: string, name: string): Promise<RunRecord> {
    const clean = typeof name === 'string' ? name.trim() : '';
    if (!clean) throw new StorageValidationError(['run name must not be empty']);
    if (clean.length > 200) throw new StorageValidationError(['run name must be at most 200 characters']);
    const tx = this.db.transaction('runs', 'readwrite');
    const run = await tx.store.get(runId);
    if (!run) {
      await tx.done;
      throw new RunNotFoundError(runId);
    }
    const next: RunRecord = { ...run, name: clean, updatedAt: Date.now() };
    await tx.store.put(next);
    await tx.done;
    return next;
  }

  /** Records (or with `null` clears) a hand-made keep/drop decision for one sample of a run. */
  async setOverride(runId: string, sampleId: number, value: 'keep' | 'drop' | null): Promise<RunRecord> {
    if (value !== null && value !== 'keep' && value !== 'drop') throw new StorageValidationError([`override must be "keep", "drop" or null`]);
    if (!Number.isInteger(sampleId)) throw new StorageValidationError([`sample id must be a whole number`]);
    const tx = this.db.transaction('runs', 'readwrite');
    const run = await tx.store.get(runId);
    if (!run) {
      await tx.done;
      throw new RunNotFoundError(runId);
    }
    const overrides = { ...(run.overrides ?? {}) };
    if (value === null) delete overrides[String(sampleId)];
    else overrides[String(sampleId)] = value;
    const next: RunRecord = { ...run, overrides, updatedAt: Date.now() };
    await tx.store.put(next);
    await tx.done;
    return next;
  }

  /** Stores (or with `null` clears) the cleaning scores computed in the Clean step for a run; checked first. */
  async setCleaning(runId: string, cleaning: CleaningRecord | null): Promise<RunRecord> {
    if (cleaning !== null) {
      const errors = validateCleaning(cleaning);
      if (errors.length) throw new StorageValidationError(errors);
    }
    const tx = this.db.transaction('runs', 'readwrite');
    const run = await tx.store.get(runId);
    if (!run) {
      await tx.done;
      throw new RunNotFoundError(runId);
    }
    const next: RunRecord = { ...run, updatedAt: Date.now() };
    if (cleaning) next.cleaning = cleaning;
    else delete next.cleaning;
    await tx.store.put(next);
    await tx.done;
    return next;
  }

  /** Validates the whole set first; nothing is written if it is invalid. */
  async putTestSet(set: TestSetRecord): Promise<void> {
    const errors = validateTestSet(set);
    if (errors.length) throw new StorageValidationError(errors);
    try {
      await this.db.put('testSets', set);
    } catch (e) {
      if (isQuotaError(e)) throw new StorageQuotaError(undefined, e, 'other');
      throw e;
    }
  }

  async getTestSet(id: string): Promise<TestSetRecord | undefined> {
    return this.db.get('testSets', id);
  }

  /** Newest first. */
  async listTestSets(): Promise<TestSetRecord[]> {
    return (await this.db.getAllFromIndex('testSets', 'createdAt')).reverse();
  }

  async deleteTestSet(id: string): Promise<void> {
    await this.db.delete('testSets', id);
  }
}

function toRecord(runId: string, s: GeneratedSample, seq: number, now: number): SampleRecord {
  const rec: SampleRecord = { runId, label: s.label, text: s.text, seq, createdAt: now };
  if (s.context !== undefined) rec.context = s.context;
  return rec;
}
