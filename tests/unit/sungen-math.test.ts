// SunGen math: RCE closed form, top-fraction mask, hypergradient sign/scale, clipping, Adam, per-class top-K.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { rceConstant, reversedCrossEntropy } from '../../src/core/clean/sungen/rce';
import { ArrayAdam, clipL2InPlace, hypergradient, topFractionMask } from '../../src/core/clean/sungen/weight-math';
import { perClassTopK } from '../../src/core/clean/keep';

describe('reversed cross-entropy', () => {
  it('matches −Σ p·log softmax(10·onehot(y)) and known numbers', async () => {
    await tf.setBackend('cpu');
    expect(rceConstant(2)).toBeCloseTo(Math.log(Math.exp(10) + 1), 10);
    expect(rceConstant(4)).toBeCloseTo(Math.log(Math.exp(10) + 3), 10);
    const logits = tf.tensor2d([[0, 0], [2, -1], [-3, 1]]);
    const labels = tf.tensor1d([0, 0, 0], 'int32');
    const got = reversedCrossEntropy(logits, labels).arraySync();
    // logits [0,0], y=0 → p_y = 0.5 → log(e¹⁰+1) − 5 = 5.0000454
    expect(got[0]).toBeCloseTo(5.0000454, 5);
    const p = tf.softmax(logits).arraySync() as number[][];
    const logZ = Math.log(Math.exp(10) + 1);
    p.forEach((row, i) => {
      const direct = -(row[0] * (10 - logZ) + row[1] * -logZ);
      expect(got[i]).toBeCloseTo(direct, 4);
    });
    // Bounded in [log Z − 10, log Z] whatever the logits.
    expect(Math.min(...got)).toBeGreaterThanOrEqual(logZ - 10 - 1e-4);
    expect(Math.max(...got)).toBeLessThanOrEqual(logZ + 1e-4);
    tf.dispose([logits, labels]);
  });
});

describe('top-fraction mask', () => {
  it('drops the lowest 10 % and keeps ties', () => {
    const w = Float32Array.from([0.9, 0.1, 0.5, 0.8, 0.3, 0.7, 0.2, 0.6, 0.4, 0.55]);
    expect([...topFractionMask(w, 0.9)]).toEqual([1, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect([...topFractionMask(new Float32Array(5).fill(0.5), 0.9)]).toEqual([1, 1, 1, 1, 1]);
    expect(() => topFractionMask(w, 0)).toThrow(/fraction/);
  });
});

describe('hypergradient and clipping', () => {
  it('h = −(η/S)·w(1−w)·dot, and aligned samples get negative h (θ rises)', () => {
    const dots = Float32Array.from([2, -1, 0]);
    const w = Float32Array.from([0.5, 0.5, 0.25]);
    const h = hypergradient(dots, w, 0.1);
    const s = 1.25;
    expect(h[0]).toBeCloseTo((-0.1 / s) * 0.25 * 2, 7);
    expect(h[1]).toBeCloseTo((-0.1 / s) * 0.25 * -1, 7);
    expect(Math.abs(h[2])).toBe(0);
    expect(h[0]).toBeLessThan(0);
  });
  it('clips the L2 norm to the limit and leaves small vectors alone', () => {
    const v = Float32Array.from([3, 4]);
    expect(clipL2InPlace(v, 3)).toBeCloseTo(5);
    expect(Math.hypot(v[0], v[1])).toBeCloseTo(3, 5);
    expect(v[0] / v[1]).toBeCloseTo(0.75, 5);
    const small = Float32Array.from([0.1, 0.2]);
    clipL2InPlace(small, 3);
    expect([...small]).toEqual([Math.fround(0.1), Math.fround(0.2)]);
  });
  it('Adam moves each score by about lr against its gradient sign on the first step', () => {
    const theta = new Float32Array(3);
    new ArrayAdam(3, 0.25, 0.9, 0.999, 1e-20).step(theta, Float32Array.from([1e-7, -3, 0]));
    expect(theta[0]).toBeCloseTo(-0.25, 5);
    expect(theta[1]).toBeCloseTo(0.25, 5);
    expect(Math.abs(theta[2])).toBe(0);
  });
});

describe('per-class top-K', () => {
  it('keeps the best fraction of every class, even a class whose scores all sank', () => {
    const labels = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
    const scores = Float32Array.from([5, 4, 3, 2, -9, -8, -7, -6, 1, 0]);
    const kept = [...perClassTopK(scores, labels, 3, 0.5)];
    expect(kept).toEqual([0, 1, 6, 7, 8]);
    for (const c of [0, 1, 2]) expect(kept.some((i) => labels[i] === c)).toBe(true);
    expect(() => perClassTopK(scores, Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 2, 7]), 3, 0.5)).toThrow(/outside/);
  });
});
