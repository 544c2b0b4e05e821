// The guided flow's URL hash (step + run, so a reload returns to the same place) and the sample merge that keeps
// the live samples table free of gaps and repeats.
import { describe, expect, it } from 'vitest';
import { STEPS, formatHash, parseHash } from '../../src/ui/shared/steps.ts';
import { mergeSamples } from '../../src/ui/runs/merge-samples.ts';
import { coversSamples } from '../../src/ui/clean/clean-data.ts';
import { byteRate, formatEta, ProgressTrack } from '../../src/ui/shared/progress-track.ts';
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

describe('progress ETA', () => {
  it('download speed and time left from bytes loaded', () => {
    expect(byteRate(50, 200, 5)).toEqual({ bytesPerSecond: 10, etaSeconds: 15 });
    expect(byteRate(0, 200, 0).etaSeconds).toBeNull(); // nothing came yet
    expect(byteRate(50, 0, 5).etaSeconds).toBeNull(); // total unknown
    expect(byteRate(250, 200, 5).etaSeconds).toBe(0);
  });
  it('SunGen rounds and training epochs get an ETA from their own pace', () => {
    const track = new ProgressTrack();
    const base = { losses: {}, message: '' };
    expect(track.phase({ ...base, phase: 'reweighting', outerIteration: 1, outerIterations: 4, innerStep: 0, innerSteps: 1, elapsedSeconds: 1 })!.etaSeconds).toBeNull();
    const p = track.phase({ ...base, phase: 'reweighting', outerIteration: 2, outerIterations: 4, innerStep: 0, innerSteps: 1, elapsedSeconds: 3 })!;
    expect(p.fraction).toBe(0.5);
    expect(p.etaSeconds).toBeCloseTo(4); // 0.25 of the work took 2 s, 0.5 is left
    expect(p.label).toMatch(/SunGen round 2 of 4/);
    const e = track.phase({ ...base, phase: 'training', epoch: 0, epochs: 2, innerStep: 0, innerSteps: 1, elapsedSeconds: 10 })!;
    expect(e.label).toMatch(/epoch 1 of 2/);
    expect(formatEta(4)).toBe('about 4 s left');
    expect(formatEta(125)).toBe('about 2 min 5 s left');
    expect(formatEta(null)).toBe('estimating…');
  });
});

describe('coversSamples', () => {
  it('stored scores fit when every sample not dropped by hand has one', () => {
    const samples = [{ id: 1, seq: 0 }, { id: 2, seq: 1 }, { id: 3, seq: 2 }];
    expect(coversSamples([1, 2, 3], samples, {})).toBe(true);
    expect(coversSamples([1, 2], samples, {})).toBe(false); // sample 3 came later
    expect(coversSamples([1, 2], samples, { 3: 'drop' })).toBe(true);
  });
});
