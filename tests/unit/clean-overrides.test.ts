// Keep/drop decisions made by hand in the Clean step: stored on the run (clearable, validated), and a "keep" makes the
// cleaning method keep the sample with full weight even when it would have dropped it.
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../src/core/tfjs/node-wasm-paths.ts';
import { parseLabelledJsonl } from '../../src/core/data/jsonl.ts';
import { type PipelineSample } from '../../src/core/data/samples.ts';
import { defaultSettings } from '../../src/core/train/settings.ts';
import { trainOnSamples } from '../../src/core/train/train-samples.ts';
import { LabStore } from '../../src/core/storage/lab-store.ts';
import { DEFAULT_SAMPLING } from '../../src/core/tasks/validate.ts';
import { TASK_PRESETS } from '../../src/core/tasks/presets.ts';
import { sharedPath } from '../shared-path.ts';

const LABELS = ['negative', 'positive'];
const rows = parseLabelledJsonl(readFileSync(sharedPath('data/synthetic/imdb-gpt2-xl-small.jsonl'), 'utf8'));
const samples: PipelineSample[] = rows.filter((_, k) => k % 6 === 0).map((r, k) => ({ id: 500 + k, text: r.text, label: r.label }));

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('hand-made keep overrides', () => {
  it('keeps every forced sample with full weight under filter and sungen-fast', async () => {
    for (const method of ['filter', 'sungen-fast'] as const) {
      const settings = { ...defaultSettings('fast'), method, keepFraction: 0.3, outerIterations: 2, outerSetSize: 100, epochs: 2, vocabSize: 3000 };
      const plain = await trainOnSamples({ samples, labelNames: LABELS, settings });
      // Force the samples the method dropped (the first few) to be kept.
      const dropped = samples.map((s, k) => ({ s, k })).filter(({ k }) => plain.weights[k] === 0).slice(0, 5);
      expect(dropped.length).toBe(5);
      const forced = await trainOnSamples({ samples, labelNames: LABELS, settings, forceKeepIds: dropped.map(({ s }) => s.id) });
      for (const { k } of dropped) expect(forced.weights[k], `${method}: forced sample ${k}`).toBeGreaterThan(0);
      expect(forced.keptCount).toBe(plain.keptCount + 5);
    }
  });
});

describe('LabStore.setOverride', () => {
  it('stores, clears and validates keep/drop decisions on the run', async () => {
    const store = await LabStore.open('overrides-test');
    const run = await store.createRun({
      name: 'r',
      config: { task: TASK_PRESETS[0], modelId: 'm', dtype: 'fp32', device: 'wasm', deviceReason: '', sampling: DEFAULT_SAMPLING, perLabel: 2, allowNetwork: false, versions: { app: '0', transformers: '0' } },
    });
    expect((await store.getRun(run.id))?.overrides).toBeUndefined();
    await store.setOverride(run.id, 3, 'drop');
    await store.setOverride(run.id, 4, 'keep');
    expect((await store.getRun(run.id))?.overrides).toEqual({ 3: 'drop', 4: 'keep' });
    await store.setOverride(run.id, 3, null);
    expect((await store.getRun(run.id))?.overrides).toEqual({ 4: 'keep' });
    await expect(store.setOverride(run.id, 4, 'maybe' as never)).rejects.toThrow(/override/);
    await expect(store.setOverride('nope', 4, 'keep')).rejects.toThrow();
    store.close();
  });
});
