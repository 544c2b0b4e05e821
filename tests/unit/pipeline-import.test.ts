// "Import samples" on fake-indexeddb: a JSONL file becomes a finished run only when every line is valid; malformed
// lines (with line numbers), empty texts or labels, overlong lines and single-class files store nothing.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabStore } from '../../src/core/storage/lab-store.ts';
import { MAX_LINE_CHARS } from '../../src/core/data/samples.ts';
import { importSamplesAsRun } from '../../src/core/runs/import-run.ts';

let store: LabStore;
let n = 0;
const versions = { app: 'test', transformers: 'n/a' };

beforeEach(async () => {
  store = await LabStore.open(`pipeline-import-${n++}`);
});
afterEach(() => store.close());

async function expectNothingStored(): Promise<void> {
  expect(await store.listRuns()).toEqual([]);
}

describe('importSamplesAsRun', () => {
  it('stores a valid file as a done run with its samples in file order and sorted labels', async () => {
    const text = ['{"text": "loved it", "label": "positive"}', '', '{"text": "hated it", "label": "negative"}', '{"text": "fine", "label": "positive"}'].join('\r\n');
    const { run } = await importSamplesAsRun(store, { fileName: 'mine.jsonl', text, versions });
    expect(run.status).toBe('done');
    expect(run.name).toBe('Imported: mine.jsonl');
    expect(run.config.task.labels.map((l) => l.name)).toEqual(['negative', 'positive']);
    const samples = await store.getSamples(run.id);
    expect(samples.map((s) => [s.text, s.label])).toEqual([
      ['loved it', 'positive'],
      ['hated it', 'negative'],
      ['fine', 'positive'],
    ]);
  });

  it('reports every bad line with its number and stores nothing', async () => {
    const text = ['{"text": "ok", "label": "positive"}', '{"text": "x", "label": ', '{"text": "   ", "label": "negative"}', '{"label": "negative"}', '{"text": "y", "label": 1}'].join('\n');
    await expect(importSamplesAsRun(store, { fileName: 'bad.jsonl', text, versions })).rejects.toThrow(
      /bad\.jsonl has 4 bad line\(s\):\n {2}line 2: malformed JSON.*\n {2}line 3: "text" is empty\n {2}line 4: missing "text"\n {2}line 5: "label" must be a string/s,
    );
    await expectNothingStored();
  });

  it('rejects a single-class file, an empty label, an overlong line and an empty file, storing nothing', async () => {
    const one = '{"text": "a", "label": "positive"}\n{"text": "b", "label": "positive"}\n';
    await expect(importSamplesAsRun(store, { fileName: 'one.jsonl', text: one, versions })).rejects.toThrow(/only one label \("positive"\)/);
    const blank = '{"text": "a", "label": "positive"}\n{"text": "b", "label": " "}\n';
    await expect(importSamplesAsRun(store, { fileName: 'blank.jsonl', text: blank, versions })).rejects.toThrow(/line 2: "label" is empty/);
    const long = `{"text": "a", "label": "positive"}\n{"text": "${'x'.repeat(MAX_LINE_CHARS)}", "label": "negative"}\n`;
    await expect(importSamplesAsRun(store, { fileName: 'long.jsonl', text: long, versions })).rejects.toThrow(/line 2: line is \d+ characters long/);
    await expect(importSamplesAsRun(store, { fileName: 'empty.jsonl', text: '\n \n', versions })).rejects.toThrow(/empty\.jsonl is empty/);
    await expectNothingStored();
  });
});
