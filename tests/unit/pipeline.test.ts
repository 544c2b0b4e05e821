// Training pipeline in Node on the real tfjs wasm backend: samples → SunGen-fast → fast TAM → evaluation; the stored
// record round-trips to a model with identical predictions, weights map to sample ids, no tensors leak, and bad test
// sets / settings fail before any training.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../src/core/tfjs/node-wasm-paths.ts';
import { parseLabelledJsonl } from '../../src/core/data/jsonl.ts';
import { DEFAULT_METHOD, METHODS } from '../../src/core/clean/methods.ts';
import { DEFAULT_METHOD_NAME } from '../../src/core/train/settings.ts';
import { evaluateTam } from '../../src/core/evaluate/evaluate.ts';
import { classifyTexts, loadModel } from '../../src/core/classifier/model-io.ts';
import { type PipelineSample } from '../../src/core/data/samples.ts';
import { EVAL_PRESETS, loadTestSet, presetsForLabels } from '../../src/core/evaluate/test-sets.ts';
import { modelFromRecord, summariseTraining, toTrainingRecord, weightsBySampleId } from '../../src/core/runs/record.ts';
import { METHOD_NAMES, defaultSettings, validateSettings, type TrainingSettings } from '../../src/core/train/settings.ts';
import { extremeSamples, trainOnSamples, type PipelineProgress } from '../../src/core/train/train-samples.ts';
import { sharedPath } from '../shared-path.ts';
import { evaluateOnRows } from '../../src/core/evaluate/evaluate-rows.ts';
import { withEvaluation } from '../../src/core/runs/record.ts';

const LABELS = ['negative', 'positive'];
const trainRows = parseLabelledJsonl(readFileSync(sharedPath('data/synthetic/imdb-gpt2-xl-small.jsonl'), 'utf8'));
// Every third row (both classes), ids offset so a mix-up of row index and sample id would show.
const samples: PipelineSample[] = trainRows.filter((_, k) => k % 3 === 0).map((r, k) => ({ id: 1000 + 7 * k, text: r.text, label: r.label }));
const testText = readFileSync('public/eval/sst2-test.jsonl', 'utf8').split('\n').slice(0, 300).join('\n');
const settings: TrainingSettings = { ...defaultSettings('fast'), method: 'sungen-fast', outerIterations: 2, outerSetSize: 200, epochs: 3, vocabSize: 4000 };

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('trainOnSamples', () => {
  it('trains, reports progress, maps weights to sample ids, round-trips the model exactly and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const events: PipelineProgress[] = [];
    const outcome = await trainOnSamples({ samples, labelNames: LABELS, test: { name: 'sst2-head', text: testText }, settings }, { onProgress: (p) => events.push(p) });
    expect(tf.memory().numTensors).toBe(before);

    expect(events.map((e) => e.phase)).toEqual(expect.arrayContaining(['preparing', 'reweighting', 'training', 'evaluating']));
    const outer = events.filter((e) => e.phase === 'reweighting' && e.weightStats);
    expect(outer.map((e) => e.outerIteration)).toEqual([1, 2]);
    expect(events.some((e) => e.phase === 'training' && Number.isFinite(e.losses.train) && e.innerStep !== undefined)).toBe(true);

    expect(outcome.evaluation!.count).toBe(300);
    expect(outcome.evaluation!.accuracy).toBeGreaterThan(0.5);
    expect(outcome.sampleIds).toEqual(samples.map((s) => s.id));
    expect(outcome.weights.length).toBe(samples.length);
    expect(outcome.scores?.length).toBe(samples.length);
    expect(outcome.keptCount).toBe([...outcome.weights].filter((w) => w > 0).length);
    // The lowest/highest lists name real samples with their own texts and SunGen scores.
    const byId = new Map(samples.map((s, k) => [s.id, k]));
    for (const s of [...outcome.lowest, ...outcome.highest]) {
      const k = byId.get(s.sampleId)!;
      expect(samples[k].text).toBe(s.text);
      expect(s.weight).toBeCloseTo(outcome.scores![k], 6);
    }
    expect(outcome.lowest[0].weight).toBeLessThanOrEqual(outcome.highest[0].weight);

    const record = toTrainingRecord(outcome, { id: 't1', runId: 'r1', createdAt: 5, backend: 'wasm' });
    const cloned = structuredClone(record); // what IndexedDB stores
    const weights = weightsBySampleId(cloned);
    expect(weights.get(samples[3].id)).toBe(outcome.weights[3]);
    expect(summariseTraining(cloned).evaluations[0].accuracy).toBe(outcome.evaluation!.accuracy);
    expect(cloned.metrics['sst2-head/accuracy']).toBe(outcome.evaluation!.accuracy);

    const a = loadModel(outcome.model);
    const b = loadModel(modelFromRecord(cloned));
    try {
      const texts = ['a wonderful , moving film', 'boring and far too long', 'the plot makes no sense'];
      const pa = classifyTexts(a, outcome.model.vocab, LABELS, texts);
      const pb = classifyTexts(b, outcome.model.vocab, LABELS, texts);
      expect(pb).toEqual(pa);
      // The saved parameters are the trained ones: evaluating the reloaded model reproduces the reported accuracy.
      const test = loadTestSet(testText, 'sst2-head', outcome.model.vocab, LABELS, settings.maxLenTokens);
      expect(evaluateTam(b, test, LABELS).accuracy).toBe(outcome.evaluation!.accuracy);

      // Evaluating the saved model on rows (typed/uploaded sets) gives the same numbers and lists the mistakes;
      // the evaluation is stored with the training, replacing an earlier one on the same set.
      const rows = parseLabelledJsonl(testText);
      const ev = evaluateOnRows(b, outcome.model.vocab, LABELS, { id: 'sst2-head', name: 'SST-2 head', rows });
      expect(ev.accuracy).toBe(outcome.evaluation!.accuracy);
      expect(ev.count).toBe(300);
      expect(ev.misclassified!.length).toBe(Math.round(300 * (1 - ev.accuracy)));
      for (const m of ev.misclassified!) expect(m.predicted).not.toBe(m.label);
      const typed = evaluateOnRows(b, outcome.model.vocab, LABELS, { id: 'typed', name: 'Typed', rows: [{ text: 'a wonderful film', label: 'positive' }] });
      const once = withEvaluation(cloned, typed);
      const twice = withEvaluation(once, { ...typed, accuracy: 0 });
      expect(summariseTraining(twice).evaluations.map((e) => [e.testId ?? e.testName, e.accuracy])).toEqual([
        ['sst2-head', outcome.evaluation!.accuracy],
        ['typed', 0],
      ]);
      expect(() => evaluateOnRows(b, outcome.model.vocab, LABELS, { id: 'x', name: 'Wrong', rows: [{ text: 'x', label: 'pos' }] })).toThrow(/Wrong has labels "pos"/);
    } finally {
      a.dispose();
      b.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a test set whose labels do not match the task before training, naming both label sets', async () => {
    const before = tf.memory().numTensors;
    const bad = '{"text": "great", "label": "pos"}\n{"text": "awful", "label": "neg"}\n';
    const progress: string[] = [];
    await expect(
      trainOnSamples({ samples, labelNames: LABELS, test: { name: 'my-test.jsonl', text: bad }, settings }, { onProgress: (p) => progress.push(p.phase) }),
    ).rejects.toThrow(/my-test\.jsonl has labels \[neg, pos\], which do not match the run's labels \[negative, positive\]/);
    expect(progress).toEqual(['preparing']);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a single-class run, a malformed test line and bad settings with clear messages', async () => {
    const oneClass = samples.filter((s) => s.label === 'positive');
    await expect(trainOnSamples({ samples: oneClass, labelNames: LABELS, test: { name: 't', text: testText }, settings })).rejects.toThrow(/only one class/);
    await expect(
      trainOnSamples({ samples, labelNames: LABELS, test: { name: 'test.jsonl', text: '{"text": "ok", "label": "positive"}\n{oops\n' }, settings }),
    ).rejects.toThrow(/test\.jsonl has 1 bad line\(s\):\n {2}line 2: malformed JSON/);
    expect(validateSettings({ ...settings, keepFraction: 0, method: 'magic' as TrainingSettings['method'] })).toEqual([
      'Unknown method "magic" (choose from none, filter, oof, sungen, sungen-fast, sungen-safe).',
      'Keep fraction must be in (0, 1] (got 0).',
    ]);
  });

  it('stops on an aborted signal with an AbortError and no leaked tensors', async () => {
    const before = tf.memory().numTensors;
    const ctrl = new AbortController();
    const run = trainOnSamples(
      { samples, labelNames: LABELS, test: { name: 't', text: testText }, settings: { ...settings, method: 'none' } },
      { signal: ctrl.signal, onProgress: (p) => p.phase === 'training' && ctrl.abort() },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('pipeline helpers', () => {
  it('keeps its method list in step with the harness and offers presets only for matching labels', () => {
    expect([...METHOD_NAMES]).toEqual([...METHODS]);
    expect(DEFAULT_METHOD_NAME).toBe(DEFAULT_METHOD);
    expect(defaultSettings().method).toBe(DEFAULT_METHOD);
    expect(presetsForLabels(['positive', 'negative']).map((p) => p.id)).toContain('sst2-test');
    expect(presetsForLabels(['World', 'Sports', 'Business', 'Sci/Tech']).map((p) => p.id)).toEqual(['agnews-test-sample']);
    expect(presetsForLabels(['happy', 'sad'])).toEqual([]);
    // Every bundled file exists with the stated row count and labels.
    for (const p of EVAL_PRESETS) {
      const rows = parseLabelledJsonl(readFileSync(`public/eval/${p.file}`, 'utf8'));
      expect(rows.length).toBe(p.rows);
      expect([...new Set(rows.map((r) => r.label))].sort()).toEqual([...p.labels].sort());
      expect(p.source).toMatch(/\w/);
    }
  });

  it('picks distinct lowest and highest samples', () => {
    const s = [1, 2, 3, 4, 5].map((id) => ({ id, text: `t${id}`, label: 'x' }));
    const { lowest, highest } = extremeSamples(s, Float32Array.from([0.5, 0.1, 0.9, 0.3, 0.7]), 2);
    expect(lowest.map((x) => x.sampleId)).toEqual([2, 4]);
    expect(highest.map((x) => x.sampleId)).toEqual([3, 5]);
  });
});
