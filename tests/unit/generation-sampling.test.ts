// Token choice (greedy, temperature, top-k, top-p), self-debiasing, seeded PRNG and prompt filling.
import { describe, expect, it } from 'vitest';
import { mixSeed, mulberry32 } from '../../src/core/generation/prng.ts';
import { counterLabelsOf, fillPrompt } from '../../src/core/generation/prompt.ts';
import { argmax, createScratch, kthLargest, pickToken, selfDebiasInto, softmaxInto } from '../../src/core/generation/sampling.ts';
import { findTaskPreset } from '../../src/core/tasks/presets.ts';

const logits = Float32Array.from([0, 2, 1, -1, 3, 0.5]);

function counts(cfg: { topK: number; topP: number; temperature: number }, n = 4000): number[] {
  const rng = mulberry32(7);
  const scratch = createScratch(logits.length);
  const c = new Array(logits.length).fill(0);
  for (let i = 0; i < n; i++) c[pickToken(logits, { doSample: true, ...cfg }, rng, scratch)]++;
  return c;
}

describe('pickToken', () => {
  it('greedy picks the argmax', () => {
    expect(argmax(logits)).toBe(4);
    expect(pickToken(logits, { doSample: false, temperature: 1, topK: 0, topP: 1 }, mulberry32(1), createScratch(6))).toBe(4);
  });
  it('top-k keeps only the k most likely tokens', () => {
    const c = counts({ topK: 2, topP: 1, temperature: 1 });
    expect(c.filter((x) => x > 0).length).toBe(2);
    expect(c[4] + c[1]).toBe(4000);
  });
  it('top-p keeps the smallest set reaching the mass', () => {
    // softmax: token 4 ≈ 0.61, token 1 ≈ 0.22 → top-p 0.7 keeps {4, 1}
    const c = counts({ topK: 0, topP: 0.7, temperature: 1 });
    expect(c[4] + c[1]).toBe(4000);
    expect(c[4]).toBeGreaterThan(c[1]);
  });
  it('sampling follows the softmax and low temperature sharpens it', () => {
    const p = new Float32Array(6);
    softmaxInto(logits, p);
    const c = counts({ topK: 0, topP: 1, temperature: 1 }, 20000);
    for (let i = 0; i < 6; i++) expect(Math.abs(c[i] / 20000 - p[i])).toBeLessThan(0.02);
    expect(counts({ topK: 0, topP: 1, temperature: 0.05 })[4]).toBe(4000);
  });
  it('is reproducible for a seed and differs across seeds', () => {
    const run = (seed: number) => {
      const rng = mulberry32(seed);
      const s = createScratch(6);
      return Array.from({ length: 50 }, () => pickToken(logits, { doSample: true, temperature: 1, topK: 0, topP: 1 }, rng, s));
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
  });
  it('kthLargest finds order statistics', () => {
    const v = Float32Array.from([5, 1, 4, 1, 3, 9, 2]);
    const w = new Float32Array(v.length);
    expect([1, 2, 3, 7].map((k) => kthLargest(v, k, w))).toEqual([9, 5, 4, 1]);
  });
});

describe('selfDebiasInto', () => {
  it('applies p̃ = α(Δ)·p with α = exp(λΔ) for Δ < 0', () => {
    const main = Float32Array.from([Math.log(0.5), Math.log(0.3), Math.log(0.2)]);
    const counter = Float32Array.from([Math.log(0.2), Math.log(0.6), Math.log(0.2)]);
    const out = new Float32Array(3);
    selfDebiasInto(main, [counter], 10, out, createScratch(3));
    const q = Array.from(out, Math.exp);
    expect(q[0]).toBeCloseTo(0.5, 5); // Δ = 0.3 ≥ 0
    expect(q[1]).toBeCloseTo(0.3 * Math.exp(10 * -0.3), 5); // Δ = -0.3
    expect(q[2]).toBeCloseTo(0.2, 5); // Δ = 0
  });
});

describe('fillPrompt / counterLabelsOf', () => {
  it('fills {context} and rejects mismatches', () => {
    expect(fillPrompt('The movie review for movie "{context}" is: "', ' Up ')).toBe('The movie review for movie "Up" is: "');
    expect(fillPrompt('Plain: "')).toBe('Plain: "');
    expect(() => fillPrompt('Plain: "', 'x')).toThrow(/no \{context\}/);
    expect(() => fillPrompt('Needs {context}')).toThrow(/needs a context/);
  });
  it('resolves counter labels by name only when debiasing is on', () => {
    const agnews = findTaskPreset('ag-news')!;
    expect(counterLabelsOf(agnews, agnews.labels[0]).map((l) => l.name)).toEqual(['Sports', 'Business', 'Sci/Tech']);
    expect(counterLabelsOf({ ...agnews, selfDebiasDecay: 0 }, agnews.labels[0])).toEqual([]);
  });
});

describe('pickToken top-p fast path', () => {
  /** The definition: softmax in float32, all tokens by probability (ties: lower id), smallest prefix reaching topP. */
  function reference(row: Float32Array, temperature: number, topP: number, u: number, topK = 0): number {
    let max = -Infinity;
    for (const x of row) if (x > max) max = x;
    const probs = row.map((x) => Math.exp((x - max) / temperature));
    if (topK > 0) {
      const kth = Array.from(probs).sort((a, b) => b - a)[topK - 1];
      for (let i = 0; i < probs.length; i++) if (probs[i] < kth) probs[i] = 0;
    }
    let total = 0;
    for (const p of probs) total += p;
    const ids = Array.from(probs.keys()).filter((i) => probs[i] > 0);
    ids.sort((a, b) => probs[b] - probs[a] || a - b);
    let cum = 0;
    let cut = ids.length;
    for (let r = 0; r < ids.length; r++) {
      cum += probs[ids[r]];
      if (cum >= topP * total) {
        cut = r + 1;
        break;
      }
    }
    const nucleus = ids.slice(0, cut).sort((a, b) => a - b);
    let sum = 0;
    for (const id of nucleus) sum += probs[id];
    let left = u * sum;
    for (const id of nucleus) {
      left -= probs[id];
      if (left < 0) return id;
    }
    return nucleus[nucleus.length - 1];
  }

  it('draws exactly the token the definition draws (peaked, flat and tied rows; small and large nuclei)', () => {
    const V = 3000;
    const gen = mulberry32(11);
    const scratch = createScratch(V);
    let checked = 0;
    for (const spread of [0.5, 2, 6, 15]) {
      for (const topP of [0.5, 0.9, 0.99]) {
        for (const temperature of [0.7, 1, 1.3]) {
          for (let rep = 0; rep < 4; rep++) {
            // Gaussian-ish logits with a few dominant tokens, rounded so that ties occur.
            const row = Float32Array.from({ length: V }, () => Math.round((gen() + gen() + gen() - 1.5) * spread * 4) / 4);
            for (let k = 0; k < 5; k++) row[Math.floor(gen() * V)] += spread * 2;
            const u = gen();
            const got = pickToken(row, { doSample: true, temperature, topK: 0, topP }, () => u, scratch);
            expect(got).toBe(reference(row, temperature, topP, u));
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(144);
  });

  it('matches the definition on a 49,152-token vocabulary, with top-k, and when the nucleus is nearly everything', () => {
    const V = 49152;
    const gen = mulberry32(5);
    const scratch = createScratch(V);
    let checked = 0;
    for (const spread of [0.3, 3, 12]) {
      for (const [topP, topK] of [[0.9, 0], [0.999999, 0], [0.95, 40], [0.5, 2000]] as const) {
        const row = Float32Array.from({ length: V }, () => Math.round((gen() + gen() + gen() - 1.5) * spread * 8) / 8);
        for (let k = 0; k < 3; k++) row[Math.floor(gen() * V)] += spread;
        for (const u of [0, gen(), 0.999999]) {
          const got = pickToken(row, { doSample: true, temperature: 1, topK, topP }, () => u, scratch);
          expect(got).toBe(reference(row, 1, topP, u, topK));
          checked++;
        }
      }
    }
    expect(checked).toBe(36);
  });
});
