// The guided flow's URL hash (step + run, so a reload returns to the same place) and the sample merge that keeps
// the live samples table free of gaps and repeats.
import { describe, expect, it } from 'vitest';
import { STEPS, formatHash, parseHash } from '../../src/ui/shared/steps.ts';
import { mergeSamples } from '../../src/ui/runs/merge-samples.ts';
import type { SampleRecord } from '../../src/core/storage/schema.ts';

describe('step hash', () => {
  it('lists the six steps in order', () => {
    expect(STEPS.map((s) => s.id)).toEqual(['task', 'generate', 'clean', 'train', 'evaluate', 'runs']);
  });

  it('round-trips a step and a run id, including characters that need escaping', () => {
    const id = 'a b&c=d/é';
    expect(parseHash(formatHash('train', id))).toEqual({ step: 'train', runId: id });
    expect(parseHash(formatHash('runs', null))).toEqual({ step: 'runs', runId: null });
  });

  it('falls back for an empty, unknown or hostile hash', () => {
    expect(parseHash('')).toEqual({ step: 'task', runId: null });
    expect(parseHash('#/nope?run=x', 'clean')).toEqual({ step: 'clean', runId: 'x' });
    expect(parseHash('#/<script>alert(1)</script>')).toEqual({ step: 'task', runId: null });
    expect(parseHash('#/generate?run=%20%20')).toEqual({ step: 'generate', runId: null });
  });
});

describe('mergeSamples', () => {
  const s = (id: number, seq: number): SampleRecord => ({ id, seq, runId: 'r', label: 'a', text: `t${id}`, createdAt: 0 });

  it('adds only new ids and keeps acceptance order', () => {
    const base = [s(1, 0), s(3, 2)];
    const merged = mergeSamples(base, [s(3, 2), s(2, 1), s(4, 3)]);
    expect(merged.map((x) => x.id)).toEqual([1, 2, 3, 4]);
  });

  it('returns the same array when nothing is new', () => {
    const base = [s(1, 0)];
    expect(mergeSamples(base, [s(1, 0)])).toBe(base);
  });
});
