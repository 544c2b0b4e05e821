// ZeroGen parse rule and duplicate removal.
import { describe, expect, it } from 'vitest';
import { countWords, DedupSet, dedupKey, parseGeneration } from '../../src/core/generation/parse.ts';

describe('parseGeneration', () => {
  it('cuts at the closing quote', () => {
    expect(parseGeneration('I love this film so much." She left.', 3)).toEqual({ ok: true, text: 'I love this film so much.' });
  });
  it('cuts at a newline when there is no closing quote', () => {
    expect(parseGeneration('A good movie overall\nNext review: bad', 2)).toEqual({ ok: true, text: 'A good movie overall' });
  });
  it('cuts after the last sentence end when the token limit was hit', () => {
    expect(parseGeneration('It was great. I would see it again and the', 2)).toEqual({ ok: true, text: 'It was great.' });
    expect(parseGeneration('Why did I watch it? The plot was', 2)).toEqual({ ok: true, text: 'Why did I watch it?' });
  });
  it('keeps the whole text when it has no quote, newline or sentence end', () => {
    expect(parseGeneration('  simply   wonderful acting ', 2)).toEqual({ ok: true, text: 'simply wonderful acting' });
  });
  it('drops empty and too-short generations with a reason', () => {
    expect(parseGeneration('" and then', 1)).toEqual({ ok: false, reason: 'empty' });
    expect(parseGeneration('   ', 1)).toEqual({ ok: false, reason: 'empty' });
    expect(parseGeneration('Too short."', 3)).toEqual({ ok: false, reason: 'tooShort' });
    expect(parseGeneration('Exactly three words."', 3)).toEqual({ ok: true, text: 'Exactly three words.' });
  });
  it('counts words', () => {
    expect(countWords('')).toBe(0);
    expect(countWords(' a  b\tc ')).toBe(3);
  });
});

describe('DedupSet', () => {
  it('removes exact duplicates after whitespace normalisation, keeps case differences', () => {
    const d = new DedupSet(['Already  here.']);
    expect(d.add('Already here.')).toBe(false);
    expect(d.add(' New   one ')).toBe(true);
    expect(d.add('New one')).toBe(false);
    expect(d.add('new one')).toBe(true);
    expect(d.size).toBe(3);
    expect(dedupKey('a \n b')).toBe('a b');
  });
});
