// validateTask / validateSampling / validatePerLabel: every kind of bad input gets a clear message.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING, validatePerLabel, validateSampling, validateTask } from '../../src/core/tasks/validate.ts';

const good = {
  id: 't',
  name: 'T',
  labels: [
    { name: 'a', prompt: 'A: "' },
    { name: 'b', prompt: 'B: "' },
  ],
};
const errorsOf = (x: unknown) => {
  const r = validateTask(x);
  return r.ok ? [] : r.errors;
};

describe('validateTask', () => {
  it('accepts a good task as object or JSON text', () => {
    expect(validateTask(good)).toEqual({ ok: true, task: good });
    expect(validateTask(JSON.stringify(good)).ok).toBe(true);
  });
  it('rejects invalid JSON and wrong shapes', () => {
    expect(errorsOf('{oops')[0]).toMatch(/not valid JSON/);
    expect(errorsOf([1, 2])[0]).toMatch(/JSON object/);
    expect(errorsOf({ ...good, id: '' })).toContain('id must be a non-empty string.');
  });
  it('rejects no labels, one label, empty and duplicate names', () => {
    expect(errorsOf({ ...good, labels: [] })[0]).toMatch(/non-empty list/);
    expect(errorsOf({ ...good, labels: [good.labels[0]] })).toContain('A task needs at least 2 labels.');
    expect(errorsOf({ ...good, labels: [{ name: ' ', prompt: 'x' }, good.labels[1]] })).toContain('labels[0].name must be a non-empty string.');
    expect(errorsOf({ ...good, labels: [good.labels[0], { name: 'a', prompt: 'y' }] })).toContain('Duplicate label name "a".');
  });
  it('checks {context} against the context stage', () => {
    const ctx = { prompt: 'Movie: "', maxNewTokens: 8 };
    expect(errorsOf({ ...good, context: ctx })).toContain('label "a": prompt must contain {context} because the task has a context stage.');
    expect(errorsOf({ ...good, labels: [{ name: 'a', prompt: 'A {context}' }, good.labels[1]] })).toContain(
      'label "a": prompt contains {context} but the task has no context stage.',
    );
    const withCtx = { ...good, context: ctx, labels: good.labels.map((l) => ({ ...l, prompt: `${l.prompt}{context}` })) };
    expect(validateTask(withCtx).ok).toBe(true);
    expect(errorsOf({ ...withCtx, context: { ...ctx, maxNewTokens: 0 } })[0]).toMatch(/maxNewTokens/);
    expect(errorsOf({ ...withCtx, context: { ...ctx, values: [] } })[0]).toMatch(/values/);
  });
  it('checks counter labels and the decay', () => {
    const bad = { ...good, labels: [{ ...good.labels[0], counterLabels: ['zzz'] }, good.labels[1]] };
    expect(errorsOf(bad)).toContain('label "a": counter label "zzz" is not a label of this task.');
    expect(errorsOf({ ...good, selfDebiasDecay: -1 })[0]).toMatch(/selfDebiasDecay/);
  });
});

describe('validateSampling', () => {
  it('fills defaults and accepts valid values', () => {
    expect(validateSampling({})).toEqual({ ok: true, sampling: DEFAULT_SAMPLING });
    expect(validateSampling({ topK: 40, doSample: false })).toEqual({ ok: true, sampling: { ...DEFAULT_SAMPLING, topK: 40, doSample: false } });
  });
  it('rejects non-numeric, non-integer and out-of-range settings', () => {
    const r = validateSampling({ temperature: 'hot', topP: 1.5, batchSize: 2.5, maxNewTokens: 0, doSample: 'yes' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toEqual([
        'temperature must be a number (got "hot").',
        'topP must be between 0.01 and 1 (got 1.5).',
        'maxNewTokens must be between 1 and 1024 (got 0).',
        'batchSize must be a whole number (got 2.5).',
        'doSample must be true or false.',
      ]);
    }
    expect(validateSampling('nope').ok).toBe(false);
  });
  it('validates perLabel', () => {
    expect(validatePerLabel(10)).toEqual([]);
    expect(validatePerLabel(0)[0]).toMatch(/at least 1/);
    expect(validatePerLabel(-3)[0]).toMatch(/at least 1/);
    expect(validatePerLabel('5')[0]).toMatch(/whole number/);
  });
});
