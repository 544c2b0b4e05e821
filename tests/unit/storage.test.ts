// LabStore on a real IndexedDB implementation (fake-indexeddb): runs, samples, counts, status, delete, trainings,
// validation before writing, and the storage-full path.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabStore, MAX_SAMPLES_PER_TRANSACTION } from '../../src/core/storage/lab-store.ts';
import { RunNotFoundError, StorageQuotaError, StorageValidationError, isQuotaError } from '../../src/core/storage/errors.ts';
import { DEFAULT_SAMPLING } from '../../src/core/tasks/validate.ts';
import { defaultTask, testRunConfig } from './run-config-fixture.ts';

const task = defaultTask;
const config = testRunConfig({ perLabel: 4, seed: 7 });

let store: LabStore;
let dbName: string;
let n = 0;

beforeEach(async () => {
  dbName = `storage-test-${++n}`;
  store = await LabStore.open(dbName);
});
afterEach(() => store.close());

describe('LabStore runs and samples', () => {
  it('creates a run with its full config and lists runs newest first', async () => {
    const a = await store.createRun({ name: 'first', config });
    await new Promise((r) => setTimeout(r, 2));
    const b = await store.createRun({ id: 'run-b', name: 'second', config });
    expect(a.status).toBe('running');
    expect(b.id).toBe('run-b');
    const runs = await store.listRuns();
    expect(runs.map((r) => r.name)).toEqual(['second', 'first']);
    const got = await store.getRun(a.id);
    expect(got?.config).toEqual(config);
    expect(got?.config.sampling.seed).toBe(7);
  });

  it('appends samples in order with seq numbers, counts per label and keeps contexts', async () => {
    const run = await store.createRun({ name: 'r', config });
    await store.appendSamples(run.id, [
      { text: 'I am so glad', label: 'happy' },
      { text: 'I miss my dog', label: 'sad', context: 'park' },
    ]);
    await store.appendSamples(run.id, [{ text: 'What a sunny day', label: 'happy' }]);
    const samples = await store.getSamples(run.id);
    expect(samples.map((s) => [s.seq, s.label, s.text])).toEqual([
      [0, 'happy', 'I am so glad'],
      [1, 'sad', 'I miss my dog'],
      [2, 'happy', 'What a sunny day'],
    ]);
    expect(samples[1].context).toBe('park');
    expect('context' in samples[0]).toBe(false);
    expect(await store.countByLabel(run.id)).toEqual(new Map([['happy', 2], ['sad', 1]]));
  });

  it('splits a large batch into small transactions and keeps order', async () => {
    const run = await store.createRun({ name: 'big', config });
    const batch = Array.from({ length: MAX_SAMPLES_PER_TRANSACTION * 2 + 5 }, (_, i) => ({ text: `story ${i}`, label: i % 2 ? 'sad' : 'happy' }));
    const written = await store.appendSamples(run.id, batch);
    expect(written.map((s) => s.seq)).toEqual(batch.map((_, i) => i));
    const samples = await store.getSamples(run.id);
    expect(samples.map((s) => s.text)).toEqual(batch.map((s) => s.text));
  });

  it('updates status with a message and recovers runs left running by a closed tab', async () => {
    const run = await store.createRun({ name: 'r', config });
    const stopped = await store.updateRunStatus(run.id, 'stopped', 'by user');
    expect(stopped.message).toBe('by user');
    expect((await store.updateRunStatus(run.id, 'done')).message).toBeUndefined();
    const orphan = await store.createRun({ name: 'orphan', config });
    const live = await store.createRun({ name: 'live', config });
    const recovered = await store.recoverInterruptedRuns(async (id) => id === live.id);
    expect(recovered).toEqual([orphan.id]);
    expect((await store.getRun(orphan.id))?.status).toBe('stopped');
    expect((await store.getRun(live.id))?.status).toBe('running');
    await expect(store.updateRunStatus('nope', 'done')).rejects.toBeInstanceOf(RunNotFoundError);
  });

  it('deletes a run with its samples and trainings, leaving other runs alone', async () => {
    const a = await store.createRun({ name: 'a', config });
    const b = await store.createRun({ name: 'b', config });
    await store.appendSamples(a.id, [{ text: 'one two three', label: 'happy' }]);
    await store.appendSamples(b.id, [{ text: 'four five six', label: 'sad' }]);
    await store.putTraining({ id: 't1', runId: a.id, createdAt: 1, config: {}, metrics: {}, artifacts: {} });
    await store.deleteRun(a.id);
    expect(await store.getRun(a.id)).toBeUndefined();
    expect(await store.getSamples(a.id)).toEqual([]);
    expect(await store.getTraining('t1')).toBeUndefined();
    expect((await store.getSamples(b.id)).map((s) => s.text)).toEqual(['four five six']);
  });
});

describe('validation before writing', () => {
  it('rejects an invalid config with every message and stores nothing', async () => {
    const bad = { ...config, task: { ...task, labels: [] }, perLabel: 0, sampling: { ...DEFAULT_SAMPLING, temperature: -1 } };
    const err = await store.createRun({ name: ' ', config: bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageValidationError);
    const messages = (err as StorageValidationError).errors;
    expect(messages.some((m) => m.startsWith('task:'))).toBe(true);
    expect(messages.some((m) => m.startsWith('sampling:'))).toBe(true);
    expect(messages).toContain('perLabel must be a whole number from 1 to 100000');
    expect(messages).toContain('run name must be a non-empty string');
    expect(await store.listRuns()).toEqual([]);
  });

  it('rejects a duplicate run id clearly', async () => {
    await store.createRun({ id: 'same', name: 'x', config });
    await expect(store.createRun({ id: 'same', name: 'y', config })).rejects.toThrow('a run with id "same" already exists');
  });

  it('rejects a batch with an unknown label or empty text as a whole', async () => {
    const run = await store.createRun({ name: 'r', config });
    const err = await store
      .appendSamples(run.id, [
        { text: 'fine sample here', label: 'happy' },
        { text: 'wrong label', label: 'angry' },
        { text: '  ', label: 'sad' },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageValidationError);
    expect((err as Error).message).toContain('sample 1: label "angry" is not one of the run\'s labels (happy, sad)');
    expect((err as Error).message).toContain('sample 2: text must be a non-empty string');
    expect(await store.getSamples(run.id)).toEqual([]);
    await expect(store.appendSamples('missing', [{ text: 'a b c', label: 'happy' }])).rejects.toBeInstanceOf(RunNotFoundError);
  });
});

describe('storage full', () => {
  it('recognises QuotaExceededError, also when wrapped', () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    expect(isQuotaError(quota)).toBe(true);
    expect(isQuotaError(new Error('wrapped', { cause: quota }))).toBe(true);
    expect(isQuotaError(new DOMException('x', 'AbortError'))).toBe(false);
  });

  it('marks the run stopped, keeps stored samples and returns a typed error with a clear message', async () => {
    const run = await store.createRun({ name: 'r', config });
    await store.appendSamples(run.id, [{ text: 'kept sample one', label: 'happy' }]);
    const err = await store.stopAfterQuotaError(run.id, new DOMException('quota', 'QuotaExceededError'));
    expect(err).toBeInstanceOf(StorageQuotaError);
    expect(err.message).toMatch(/Browser storage is full.*samples saved so far are kept/);
    const after = await store.getRun(run.id);
    expect(after?.status).toBe('stopped');
    expect(after?.message).toBe(err.message);
    expect((await store.getSamples(run.id)).map((s) => s.text)).toEqual(['kept sample one']);
  });
});

describe('trainings', () => {
  it('round-trips weights as Float32Array and artifacts as ArrayBuffer, listed per run', async () => {
    const run = await store.createRun({ name: 'r', config });
    const weights = new Float32Array([0.25, 0.5, 1]);
    const artifact = new Uint8Array([1, 2, 3, 4]).buffer;
    await store.putTraining({ id: 't-old', runId: run.id, createdAt: 1, config: { kind: 'lstm' }, weights, metrics: { acc: 0.5 }, artifacts: { 'weights.bin': artifact } });
    await store.putTraining({ id: 't-new', runId: run.id, createdAt: 2, config: { kind: 'fast' }, metrics: { acc: 0.7 }, artifacts: {} });
    const got = await store.getTraining('t-old');
    expect(got?.weights).toBeInstanceOf(Float32Array);
    expect(Array.from(got!.weights!)).toEqual([0.25, 0.5, 1]);
    expect(new Uint8Array(got!.artifacts['weights.bin'])).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect((await store.listTrainings(run.id)).map((t) => t.id)).toEqual(['t-new', 't-old']);
    expect((await store.listTrainings()).length).toBe(2);
    await expect(store.putTraining({ id: 'x', runId: 'missing', createdAt: 3, config: {}, metrics: {}, artifacts: {} })).rejects.toBeInstanceOf(
      RunNotFoundError,
    );
  });
});
