// Schema migration: a real version-1 database with data, opened by the current code, keeps its data and gains the
// stores of v2 (trainings) and v3 (test sets).
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { DB_VERSION, MIGRATIONS, applyMigrations } from '../../src/core/storage/migrations.ts';
import { LabStore } from '../../src/core/storage/lab-store.ts';
import { DEFAULT_SAMPLING } from '../../src/core/tasks/validate.ts';
import { TASK_PRESETS } from '../../src/core/tasks/presets.ts';

describe('IndexedDB migrations', () => {
  it('has one migration per version, current version 3', () => {
    expect(DB_VERSION).toBe(3);
    expect(MIGRATIONS.length).toBe(DB_VERSION);
  });

  it('upgrades a v1 database with runs and samples to the current version without losing data', async () => {
    const name = 'migration-v1';
    // Create the database exactly as version 1 of the app did: only the first migration.
    const v1 = await openDB(name, 1, {
      upgrade(db, oldVersion, newVersion, tx) {
        applyMigrations(db as never, oldVersion, newVersion ?? 1, tx as never);
      },
    });
    expect([...v1.objectStoreNames].sort()).toEqual(['runs', 'samples']);
    const task = TASK_PRESETS[0];
    const run = {
      id: 'old-run',
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_000,
      name: 'made by v1',
      status: 'stopped',
      config: {
        task,
        modelId: 'karpathy/stories260K',
        dtype: 'fp32',
        device: 'wasm',
        deviceReason: 'no adapter',
        sampling: DEFAULT_SAMPLING,
        perLabel: 3,
        allowNetwork: false,
        versions: { app: '0.0.1', transformers: '4.3.1' },
      },
    };
    await v1.put('runs', run);
    const labels = task.labels.map((l) => l.name);
    for (let i = 0; i < 4; i++) {
      await v1.add('samples', { runId: 'old-run', label: labels[i % 2], text: `old sample ${i}`, seq: i, createdAt: 1 });
    }
    v1.close();

    const store = await LabStore.open(name);
    expect(store.db.version).toBe(DB_VERSION);
    expect([...store.db.objectStoreNames].sort()).toEqual(['runs', 'samples', 'testSets', 'trainings']);
    expect(await store.getRun('old-run')).toEqual(run);
    const samples = await store.getSamples('old-run');
    expect(samples.map((s) => s.text)).toEqual(['old sample 0', 'old sample 1', 'old sample 2', 'old sample 3']);
    expect(await store.countByLabel('old-run')).toEqual(new Map([[labels[0], 2], [labels[1], 2]]));

    // The new store works and old runs can grow: appended samples continue the sequence.
    await store.putTraining({ id: 't', runId: 'old-run', createdAt: 2, config: {}, metrics: { acc: 1 }, artifacts: {} });
    expect((await store.listTrainings('old-run')).length).toBe(1);
    const added = await store.appendSamples('old-run', [{ text: 'new sample', label: labels[0] }]);
    expect(added[0].seq).toBe(4);
    // v3: test sets can be stored next to the old data.
    const set = { id: 'ts', name: 'typed', createdAt: 3, updatedAt: 3, source: 'typed' as const, labels, rows: [{ text: 'a day', label: labels[0] }] };
    await store.putTestSet(set);
    expect(await store.listTestSets()).toEqual([set]);
    store.close();
  });
});
