// The persistence API for runs, samples and trainings, on top of the versioned IndexedDB schema.
// Works in the page, in the generation worker (which writes samples as they are accepted) and in Node tests.
import type { GeneratedSample } from '../generation/types.ts';
import { openLabDb, type LabDb } from './db.ts';
import { RunNotFoundError, StorageQuotaError, StorageValidationError, isQuotaError } from './errors.ts';
import type { RunConfig, RunRecord, RunStatus, SampleRecord, TestSetRecord, TrainingRecord } from './schema.ts';
import { validateRunConfig, validateSampleBatch, validateTestSet } from './validate-records.ts';

/** Samples written per IndexedDB transaction: a closed tab loses at most this many. */
export const MAX_SAMPLES_PER_TRANSACTION = 32;

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
    };
    try {
      await this.db.add('runs', run);
    } catch (e) {
      if (isQuotaError(e)) throw new StorageQuotaError(undefined, e);
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

  private async writeChunk(runId: string, chunk: readonly GeneratedSample[]): Promise<SampleRecord[]> {
    const tx = this.db.transaction(['runs', 'samples'], 'readwrite');
    const samplesStore = tx.objectStore('samples');
    const seq0 = await samplesStore.index('runId').count(runId);
    const now = Date.now();
    const records: SampleRecord[] = chunk.map((s, i) => {
      const rec: SampleRecord = { runId, label: s.label, text: s.text, seq: seq0 + i, createdAt: now };
      if (s.context !== undefined) rec.context = s.context;
      return rec;
    });
    for (const rec of records) rec.id = await samplesStore.add(rec);
    const runsStore = tx.objectStore('runs');
    const run = await runsStore.get(runId);
    if (run) await runsStore.put({ ...run, updatedAt: now });
    await tx.done;
    return records;
  }

  /**
   * Called when a write hit the quota: mark the run stopped (best effort — that write may fail too)
   * and return the typed error to throw. Samples already committed are untouched.
   */
  async stopAfterQuotaError(runId: string, cause: unknown): Promise<StorageQuotaError> {
    const err = new StorageQuotaError(runId, cause);
    try {
      await this.updateRunStatus(runId, 'stopped', err.message);
    } catch {
      // The status update needs a little space as well; the run then stays 'running' until the next page load.
    }
    return err;
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

  /** Stored samples per label of the run's task (labels without samples count 0). */
  async countByLabel(runId: string): Promise<Record<string, number>> {
    const run = await this.getRun(runId);
    if (!run) throw new RunNotFoundError(runId);
    const tx = this.db.transaction('samples', 'readonly');
    const index = tx.store.index('runId_label');
    const counts: Record<string, number> = {};
    for (const label of run.config.task.labels) counts[label.name] = await index.count([runId, label.name]);
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

  /** Deletes the run, its samples and its trainings in one transaction. */
  async deleteRun(runId: string): Promise<void> {
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
  async recoverInterruptedRuns(isActive: (runId: string) => Promise<boolean>): Promise<string[]> {
    const recovered: string[] = [];
    for (const run of await this.listRuns()) {
      if (run.status !== 'running' || (await isActive(run.id))) continue;
      await this.updateRunStatus(run.id, 'stopped', 'Interrupted (the page was closed or reloaded); press Resume to continue.');
      recovered.push(run.id);
    }
    return recovered;
  }

  async putTraining(rec: TrainingRecord): Promise<void> {
    if (!(await this.getRun(rec.runId))) throw new RunNotFoundError(rec.runId);
    try {
      await this.db.put('trainings', rec);
    } catch (e) {
      if (isQuotaError(e)) throw new StorageQuotaError(undefined, e);
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

  /** Validates the whole set first; nothing is written if it is invalid. */
  async putTestSet(set: TestSetRecord): Promise<void> {
    const errors = validateTestSet(set);
    if (errors.length) throw new StorageValidationError(errors);
    try {
      await this.db.put('testSets', set);
    } catch (e) {
      if (isQuotaError(e)) throw new StorageQuotaError(undefined, e);
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
