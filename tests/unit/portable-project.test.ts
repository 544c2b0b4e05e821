// Project files (src/core/portable/project.ts) on a real IndexedDB implementation (fake-indexeddb): a full round trip
// into another database (runs, samples, trainings with exact float32 weights and parameter files), a second import
// adding nothing, and every kind of bad file — not a project, newer schema, truncated, zip bomb, damaged entry, bad
// UTF-8, a record that fails validation, storage full mid-import — leaving the target database untouched.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { LabStore } from '../../src/core/storage/lab-store.ts';
import type { TrainingRecord } from '../../src/core/storage/schema.ts';
import { defaultTask, testRunConfig } from './run-config-fixture.ts';
import {
  ImportQuotaError,
  PROJECT_SCHEMA_VERSION,
  exportProject,
  importProject,
  readProject,
} from '../../src/core/portable/project.ts';
import { readZip } from '../../src/core/portable/zip.ts';
import { ImportFormatError } from '../../src/core/portable/text.ts';

const task = defaultTask;
const config = testRunConfig({ perLabel: 3, seed: 7 });
const [L0, L1] = task.labels.map((l) => l.name);

let n = 0;
const open: LabStore[] = [];
async function freshStore(): Promise<LabStore> {
  const s = await LabStore.open(`portable-${++n}-${Math.random()}`);
  open.push(s);
  return s;
}
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

/** A store with two runs: one with samples and a training (weights, scores, parameter files), one empty. */
async function sourceStore(): Promise<LabStore> {
  const store = await freshStore();
  const run = await store.createRun({ id: 'run-a', name: 'Happy vs sad', config });
  const samples = await store.appendSamples(run.id, [
    { text: 'She smiled at the sun.', label: L0 },
    { text: 'He cried, "no"\nand left.', label: L1, context: 'park' },
    { text: 'Ünïcödé 😀 text', label: L0 },
  ]);
  await store.updateRunStatus(run.id, 'done');
  const weights = new Float32Array([0.1, 1 / 3, Math.PI]);
  const params = new Float32Array([1.5, -2.25, 1e-30, 3.4e38]);
  const training: TrainingRecord = {
    id: 'train-1',
    runId: run.id,
    createdAt: 123,
    config: { format: 'sungen-lab/training@1', sampleIds: samples.map((s) => s.id), scores: new Float32Array([0.5, 0.25, 0.125]), nested: { a: [1, 2] } },
    weights,
    metrics: { 'sst2-test/accuracy': 0.71, 'sst2-test/macroF1': 0.7 },
    artifacts: { 'param-000.f32': params.buffer },
  };
  await store.putTraining(training);
  await store.setOverride(run.id, samples[1].id as number, 'drop');
  await store.setCleaning(run.id, {
    method: 'sungen-fast', key: '{"source":"sungen"}', source: 'sungen', model: 'fast', sampleIds: samples.map((s) => s.id as number),
    scores: [0.5, -1.25, 2], validationIds: [samples[2].id as number], createdAt: 9, seconds: 1.5, backend: 'wasm',
  });
  await store.putTestSet({ id: 'ts-1', name: 'Our sentences', createdAt: 5, updatedAt: 6, source: 'typed', labels: [L0, L1], rows: [{ text: 'yay', label: L0 }, { text: 'boo', label: L1 }] });
  await store.createRun({ id: 'run-b', name: 'Still generating', config });
  return store;
}

async function exportBytes(store: LabStore): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const summary = await exportProject(store, { appVersion: '0.1.0', onChunk: (c) => chunks.push(c) });
  const out = new Uint8Array(summary.bytes);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

async function snapshot(store: LabStore) {
  const runs = await store.listRuns();
  return Promise.all(
    runs.map(async (r) => ({
      run: { ...r, overrides: r.overrides ? Object.values(r.overrides) : undefined, cleaning: r.cleaning ? { ...r.cleaning, sampleIds: undefined, validationIds: undefined } : undefined },
      samples: (await store.getSamples(r.id)).map(({ id: _id, ...s }) => s),
      trainings: (await store.listTrainings(r.id)).map((t) => ({ ...t, config: { ...t.config, sampleIds: undefined } })),
    })),
  );
}

describe('project file round trip', () => {
  it('imports into another database with nothing lost, and a second import adds nothing', async () => {
    const src = await sourceStore();
    const bytes = await exportBytes(src);
    const contents = await readProject(bytes, 'lab.zip');
    expect(contents.manifest.schemaVersion).toBe(PROJECT_SCHEMA_VERSION);
    const dst = await freshStore();
    const first = await importProject(dst, contents);
    expect(first).toEqual({ runsAdded: 2, runsSkipped: 0, samplesAdded: 3, trainingsAdded: 1, trainingsSkipped: 0, testSetsAdded: 1 });
    expect(await dst.getTestSet('ts-1')).toEqual(await src.getTestSet('ts-1'));
    // The hand-made "drop" follows its sample (the second one) to its new id.
    const newSecond = (await dst.getSamples('run-a'))[1];
    expect((await dst.getRun('run-a'))!.overrides).toEqual({ [String(newSecond.id)]: 'drop' });
    // So do the Clean step's scores.
    const newIds = (await dst.getSamples('run-a')).map((x) => x.id);
    expect((await dst.getRun('run-a'))!.cleaning).toMatchObject({ sampleIds: newIds, validationIds: [newIds[2]], scores: [0.5, -1.25, 2] });

    const before = await snapshot(src);
    const after = await snapshot(dst);
    const stored = await snapshot(dst);
    // run-b was 'running' when exported: it arrives stopped (resumable), everything else is identical.
    const b = after.find((x) => x.run.id === 'run-b')!;
    expect(b.run.status).toBe('stopped');
    b.run.status = 'running';
    delete b.run.message;
    expect(after).toEqual(before);

    const t = (await dst.getTraining('train-1'))!;
    expect(t.weights).toBeInstanceOf(Float32Array);
    expect(Array.from(t.weights!)).toEqual(Array.from(new Float32Array([0.1, 1 / 3, Math.PI])));
    expect(Array.from(new Float32Array(t.artifacts['param-000.f32']))).toEqual(Array.from(new Float32Array([1.5, -2.25, 1e-30, 3.4e38])));
    expect(t.config.scores).toBeInstanceOf(Float32Array);
    // The training's sample ids point at the new database's samples, in the same order.
    const dstSamples = await dst.getSamples('run-a');
    expect(t.config.sampleIds).toEqual(dstSamples.map((s) => s.id));

    const second = await importProject(dst, await readProject(bytes, 'lab.zip'));
    expect(second).toEqual({ runsAdded: 0, runsSkipped: 2, samplesAdded: 0, trainingsAdded: 0, trainingsSkipped: 1, testSetsAdded: 0 });
    expect((await dst.listTestSets()).length).toBe(1);
    expect(await snapshot(dst)).toEqual(stored);
    expect((await dst.getSamples('run-a')).length).toBe(3);
  });

  it('adds a training that is new to an already imported run, mapping its samples by position', async () => {
    const src = await sourceStore();
    const dst = await freshStore();
    await importProject(dst, await readProject(await exportBytes(src), 'a.zip'));
    const samples = await src.getSamples('run-a');
    await src.putTraining({ id: 'train-2', runId: 'run-a', createdAt: 5, config: { sampleIds: samples.map((s) => s.id) }, weights: new Float32Array(3).fill(1), metrics: {}, artifacts: {} });
    const report = await importProject(dst, await readProject(await exportBytes(src), 'b.zip'));
    expect(report).toMatchObject({ runsAdded: 0, trainingsAdded: 1, trainingsSkipped: 1 });
    expect((await dst.getTraining('train-2'))!.config.sampleIds).toEqual((await dst.getSamples('run-a')).map((s) => s.id));
  });
});

describe('bad project files change nothing', () => {
  const expectRejected = async (bytes: Uint8Array, message: RegExp) => {
    const dst = await freshStore();
    await dst.createRun({ id: 'keep', name: 'existing', config });
    await expect(readProject(bytes, 'x.zip')).rejects.toThrow(message);
    expect((await dst.listRuns()).map((r) => r.id)).toEqual(['keep']);
  };

  it('a zip that is not a project', async () => {
    await expectRejected(zipSync({ 'notes.txt': strToU8('hello') }), /not a SunGen Lab project/);
  });

  it('a file that is not a zip at all, and a truncated project', async () => {
    await expectRejected(strToU8('{"text":"a","label":"b"}\n'), /not a readable zip/);
    const bytes = await exportBytes(await sourceStore());
    await expectRejected(bytes.subarray(0, Math.floor(bytes.length * 0.7)), /not a readable zip|truncated/);
    await expectRejected(bytes.subarray(0, bytes.length - 10), /not a readable zip|truncated/);
  });

  it('a project from a newer schema version', async () => {
    const files = readZip(await exportBytes(await sourceStore()), 'src');
    const manifest = JSON.parse(new TextDecoder().decode(files.get('project.json')));
    manifest.schemaVersion = PROJECT_SCHEMA_VERSION + 1;
    files.set('project.json', strToU8(JSON.stringify(manifest)));
    await expectRejected(zipSync(Object.fromEntries(files)), /newer SunGen Lab.*Nothing was imported/);
  });

  it('a zip bomb (huge declared sizes) is refused before inflating', async () => {
    const bomb = zipSync({ 'project.json': new Uint8Array(64 * 1024 * 1024) }, { level: 9 });
    expect(bomb.length).toBeLessThan(200_000);
    // Declare 5 GB for the entry in its central directory record.
    const dv = new DataView(bomb.buffer);
    for (let i = bomb.length - 22; i >= 0; i--) {
      if (dv.getUint32(i, true) === 0x02014b50) dv.setUint32(i + 24, 0xfffffff0, true);
    }
    const t0 = performance.now();
    await expectRejected(bomb, /would unpack to .*refused/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('an entry whose data does not match its declared size or checksum', async () => {
    const bytes = await exportBytes(await sourceStore());
    const files = readZip(bytes, 'src');
    files.set('runs/0/samples.jsonl', strToU8('{"tampered": true}\n'));
    await expectRejected(zipSync(Object.fromEntries(files)), /damaged \(its checksum/);
  });

  it('bad UTF-8 inside a project', async () => {
    const files = readZip(await exportBytes(await sourceStore()), 'src');
    files.set('project.json', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    await expectRejected(zipSync(Object.fromEntries(files)), /not valid UTF-8/);
  });

  it('a record that fails validation (unknown label) even with matching checksums', async () => {
    const src = await sourceStore();
    // Tamper through the database, so the exported checksums match the bad content.
    const tx = src.db.transaction('samples', 'readwrite');
    const s = (await tx.store.getAll())[0];
    await tx.store.put({ ...s, label: 'nonsense' });
    await tx.done;
    await expectRejected(await exportBytes(src), /label "nonsense" is not one of the run's labels/);
  });

  it('storage full mid-import: the transaction is rolled back and a clear message says what to do', async () => {
    const contents = await readProject(await exportBytes(await sourceStore()), 'lab.zip');
    const dst = await freshStore();
    await dst.createRun({ id: 'keep', name: 'existing', config });
    // Make the third sample write fail the way a full disk does.
    const proto = Object.getPrototypeOf(dst.db.transaction('samples').objectStore('samples'));
    const realAdd = proto.add;
    let calls = 0;
    proto.add = function (...args: unknown[]) {
      if (this.name === 'samples' && ++calls === 3) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return realAdd.apply(this, args);
    };
    try {
      await expect(importProject(dst, contents)).rejects.toBeInstanceOf(ImportQuotaError);
    } finally {
      proto.add = realAdd;
    }
    expect((await dst.listRuns()).map((r) => r.id)).toEqual(['keep']);
    expect(await dst.listTrainings()).toEqual([]);
    expect(await dst.getSamples('run-a')).toEqual([]);
    // The database still works afterwards and the same import then succeeds.
    expect((await importProject(dst, contents)).runsAdded).toBe(2);
  });

  it('errors are ImportFormatError so the page can show them as one message', async () => {
    await expect(readProject(strToU8('junk'), 'junk.zip')).rejects.toBeInstanceOf(ImportFormatError);
  });
});
