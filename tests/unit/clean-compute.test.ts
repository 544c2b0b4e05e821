// The Clean step on its own: cleanOnSamples computes a method's per-sample scores (SunGen θ, filter confidence)
// without a final model; the next trainOnSamples with the same samples and score settings reuses them instead of
// computing them again (also after samples were dropped by hand, and keeping hand-kept samples), and computes them
// afresh when a setting they depend on changed. LabStore keeps them on the run.
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../src/core/tfjs/node-wasm-paths.ts';
import { parseLabelledJsonl } from '../../src/core/data/jsonl.ts';
import type { PipelineSample } from '../../src/core/data/samples.ts';
import { defaultSettings, type TrainingSettings } from '../../src/core/train/settings.ts';
import { cleanOnSamples, trainOnSamples, type PipelineProgress } from '../../src/core/train/train-samples.ts';
import { scoreKey, scoreSourceOf } from '../../src/core/clean/score-source.ts';
import { LabStore } from '../../src/core/storage/lab-store.ts';
import { DEFAULT_SAMPLING } from '../../src/core/tasks/validate.ts';
import { TASK_PRESETS } from '../../src/core/tasks/presets.ts';
import type { CleaningRecord } from '../../src/core/storage/schema.ts';
import { sharedPath } from '../shared-path.ts';

const LABELS = ['negative', 'positive'];
const rows = parseLabelledJsonl(readFileSync(sharedPath('data/synthetic/imdb-gpt2-xl-small.jsonl'), 'utf8'));
const samples: PipelineSample[] = rows.filter((_, k) => k % 6 === 0).map((r, k) => ({ id: 700 + k, text: r.text, label: r.label }));
const settings = (method: TrainingSettings['method'], extra: Partial<TrainingSettings> = {}): TrainingSettings => ({
  ...defaultSettings('fast'),
  method,
  keepFraction: 0.5,
  outerIterations: 2,
  outerSetSize: 100,
  epochs: 2,
  vocabSize: 3000,
  ...extra,
});
const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('score keys', () => {
  it('change with what the scores depend on, not with the rest', () => {
    const s = settings('sungen-fast');
    expect(scoreKey({ ...s, method: 'sungen-safe' })).toBe(scoreKey(s)); // both use SunGen-fast's θ
    const finalOnly: TrainingSettings = { ...s, keepFraction: 0.9, epochs: 7 };
    expect(scoreKey(finalOnly)).toBe(scoreKey(s)); // only the final training changes
    expect(scoreKey({ ...s, outerIterations: 3 })).not.toBe(scoreKey(s));
    expect(scoreKey({ ...s, method: 'sungen', model: 'lstm' })).not.toBe(scoreKey({ ...s, method: 'sungen', model: 'fast' }));
    expect(scoreKey({ ...s, method: 'filter', epochs: 3 })).not.toBe(scoreKey({ ...s, method: 'filter' }));
    expect(scoreKey({ ...s, method: 'none' })).toBeNull();
    expect(scoreSourceOf('oof', 'lstm')).toEqual({ source: 'oof', model: 'lstm' });
  });
});

describe('cleanOnSamples → trainOnSamples', () => {
  it('SunGen: computes θ with progress, and the next training reuses it (also after drops, keeping hand-kept samples)', async () => {
    const s = settings('sungen-fast');
    const progress: PipelineProgress[] = [];
    const scores = await cleanOnSamples({ samples, labelNames: LABELS, settings: s }, { onProgress: (p) => progress.push(p) });
    expect(scores).not.toBeNull();
    expect(scores!.source).toBe('sungen');
    expect(scores!.sampleIds).toEqual(samples.map((x) => x.id));
    expect(scores!.scores.every(Number.isFinite)).toBe(true);
    expect(scores!.validationIds.length).toBeGreaterThan(0);
    expect(new Set(scores!.scores.map((v) => v.toFixed(4))).size).toBeGreaterThan(10); // learned, not constant
    expect(progress.some((p) => p.phase === 'reweighting' && p.outerIteration === 2 && p.outerIterations === 2)).toBe(true);

    const reuseProgress: PipelineProgress[] = [];
    const trained = await trainOnSamples({ samples, labelNames: LABELS, settings: s, precomputed: scores! }, { onProgress: (p) => reuseProgress.push(p) });
    expect(trained.cleaning.reusedScores).toBe(true);
    expect(reuseProgress.some((p) => p.phase === 'reweighting')).toBe(false); // no SunGen iteration ran again
    const held = new Set(scores!.validationIds);
    samples.forEach((x, k) => {
      if (!held.has(x.id)) expect(trained.scores![k]).toBeCloseTo(sigmoid(scores!.scores[k]), 5);
    });

    // Drop two trained-on samples by hand and keep the lowest-scored one: still reused, the kept one is trained on.
    const trainedOn = samples.filter((x) => !held.has(x.id));
    const dropped = new Set(trainedOn.slice(0, 2).map((x) => x.id));
    const rest = samples.filter((x) => !dropped.has(x.id));
    const lowest = rest.filter((x) => !held.has(x.id)).reduce((a, b) => (scores!.scores[samples.indexOf(a)] <= scores!.scores[samples.indexOf(b)] ? a : b));
    const after = await trainOnSamples({ samples: rest, labelNames: LABELS, settings: s, precomputed: scores!, forceKeepIds: [lowest.id] });
    expect(after.cleaning.reusedScores).toBe(true);
    expect(after.weights[rest.indexOf(lowest)]).toBeGreaterThan(0);

    // A setting the scores depend on changed: computed afresh.
    const fresh = await trainOnSamples({ samples, labelNames: LABELS, settings: { ...s, outerIterations: 1 }, precomputed: scores! });
    expect(fresh.cleaning.reusedScores).toBeUndefined();
  });

  it('stops on request (Stop in the Clean step) with an AbortError', async () => {
    const abort = new AbortController();
    const run = cleanOnSamples({ samples, labelNames: LABELS, settings: settings('sungen-fast', { outerIterations: 50 }) }, {
      signal: abort.signal,
      onProgress: (p) => p.outerIteration === 2 && abort.abort(),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('filter: the confidences are reused; none has no scores', async () => {
    const s = settings('filter');
    const scores = await cleanOnSamples({ samples, labelNames: LABELS, settings: s });
    expect(scores!.source).toBe('filter');
    expect(scores!.scores.every((v) => v >= 0 && v <= 1)).toBe(true);
    const trained = await trainOnSamples({ samples, labelNames: LABELS, settings: s, precomputed: scores! });
    expect(trained.cleaning.reusedScores).toBe(true);
    expect(await cleanOnSamples({ samples, labelNames: LABELS, settings: settings('none') })).toBeNull();
  });
});

describe('LabStore.setCleaning', () => {
  it('stores, clears and validates the scores on the run', async () => {
    const store = await LabStore.open('cleaning-test');
    const run = await store.createRun({
      name: 'r',
      config: { task: TASK_PRESETS[0], modelId: 'm', dtype: 'fp32', device: 'wasm', deviceReason: '', sampling: DEFAULT_SAMPLING, perLabel: 2, allowNetwork: false, versions: { app: '0', transformers: '0' } },
    });
    const rec: CleaningRecord = { method: 'sungen-fast', key: 'k', source: 'sungen', model: 'fast', sampleIds: [1, 2], scores: [0.5, -1], validationIds: [2], createdAt: 1, seconds: 2, backend: 'wasm' };
    await store.setCleaning(run.id, rec);
    expect((await store.getRun(run.id))?.cleaning).toEqual(rec);
    await expect(store.setCleaning(run.id, { ...rec, scores: [0.5] })).rejects.toThrow(/1 scores for 2 samples/);
    await expect(store.setCleaning(run.id, { ...rec, scores: [0.5, Number.NaN] })).rejects.toThrow(/finite/);
    expect((await store.getRun(run.id))?.cleaning).toEqual(rec); // a bad record changes nothing
    await store.setCleaning(run.id, null);
    expect((await store.getRun(run.id))?.cleaning).toBeUndefined();
    store.close();
  });
});
