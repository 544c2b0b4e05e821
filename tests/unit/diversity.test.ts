// The cheap diversity measures reported by bench:levers and bench:pipeline: distinct-n, duplicates, same openings.
import { describe, expect, it } from 'vitest';
import { copiedShare, diversityStats } from '../../src/core/data/diversity.ts';

describe('diversityStats', () => {
  it('counts distinct n-grams, duplicates (case-insensitive) and repeated openings', () => {
    const s = diversityStats(['A great film .', 'a GREAT film .', 'A great film . Long though', 'Dull .']);
    expect(s.samples).toBe(4);
    expect(s.meanTokens).toBe((4 + 4 + 6 + 2) / 4);
    // unigrams: a great film . long though dull = 7 unique of 16
    expect(s.distinct1).toBeCloseTo(7 / 16);
    // bigrams: a great, great film, film ., . long, long though, dull . = 6 of 3+3+5+1
    expect(s.distinct2).toBeCloseTo(6 / 12);
    expect(s.duplicateShare).toBe(1 / 4);
    expect(s.sameOpeningShare).toBe(2 / 4);
  });

  it('gives zeros for an empty set and 1 for all-different texts', () => {
    expect(diversityStats([])).toMatchObject({ samples: 0, distinct1: 0, duplicateShare: 0 });
    expect(diversityStats(['one two', 'three four']).distinct2).toBe(1);
  });

  it('finds texts that copy a run of 5 words from the examples', () => {
    const pool = ['that is a compliment to kuras and miller .'];
    expect(copiedShare(['That is a compliment to the cast .', 'a compliment to kuras and friends', 'new words here'], pool)).toBeCloseTo(2 / 3);
    expect(copiedShare(['x'], [])).toBe(0);
  });
});
