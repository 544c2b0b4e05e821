// JSONL parsing errors with line numbers, tokenisation, vocabulary and encoding checks.
import { describe, expect, it } from 'vitest';
import { JsonlError, parseLabelledJsonl } from '../../src/core/data/jsonl';
import { buildVocabulary, tokenize, UNK_ID } from '../../src/core/data/tokenizer';
import { loadTestJsonl, loadTrainingJsonl } from '../../src/core/data/load';
import { assertSameLabels } from '../../src/core/data/dataset';

const labels = ['negative', 'positive'];
const line = (text: unknown, label: unknown) => JSON.stringify({ text, label });

describe('parseLabelledJsonl', () => {
  it('reports each bad line with its number', () => {
    const text = [
      line('good', 'positive'),
      '{"text": "broken",',
      '',
      JSON.stringify({ label: 'positive' }),
      line('   ', 'negative'),
      line('x', 1),
      line('x', 'neutral'),
    ].join('\n');
    try {
      parseLabelledJsonl(text, { source: 'train.jsonl', labelNames: labels, maxErrors: 10 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JsonlError);
      const problems = (e as JsonlError).problems;
      expect(problems.map((p) => p.line)).toEqual([2, 4, 5, 6, 7]);
      expect(problems[0].message).toMatch(/malformed JSON/);
      expect(problems[1].message).toMatch(/missing "text"/);
      expect(problems[2].message).toMatch(/empty/);
      expect(problems[3].message).toMatch(/"label" must be a string/);
      expect(problems[4].message).toMatch(/unknown label "neutral"/);
      expect((e as Error).message).toMatch(/train\.jsonl.*\n.*line 2/);
    }
  });

  it('accepts CRLF, a BOM and blank lines', () => {
    const rows = parseLabelledJsonl('\uFEFF' + line('a', 'x') + '\r\n\r\n' + line('b', 'y') + '\r\n');
    expect(rows.map((r) => [r.text, r.label, r.line])).toEqual([['a', 'x', 1], ['b', 'y', 3]]);
  });

  it('rejects an empty file', () => {
    expect(() => parseLabelledJsonl('\n\n', { source: 'empty.jsonl' })).toThrow(/empty\.jsonl contains no rows/);
  });
});

describe('tokenizer and vocabulary', () => {
  it('lowercases and splits punctuation off words', () => {
    expect(tokenize("Moore's film, Really GOOD!")).toEqual(['moore', "'s", 'film', ',', 'really', 'good', '!']);
    expect(tokenize('no yuks , not much .')).toEqual(['no', 'yuks', ',', 'not', 'much', '.']);
  });

  it('builds a deterministic vocabulary with pad/unk, min count and size cap', () => {
    const v = buildVocabulary(['b a a c', 'a b d'], { minCount: 2 });
    expect(v.tokens).toEqual(['<pad>', '<unk>', 'a', 'b']);
    expect(buildVocabulary(['b a a c', 'a b d'], { maxSize: 3 }).tokens).toEqual(['<pad>', '<unk>', 'a']);
  });

  it('encodes to fixed-length rows, truncating very long texts', () => {
    const long = 'good '.repeat(200_000) + 'bad';
    const text = [line('good movie', 'positive'), line('bad movie', 'negative'), line(long, 'positive')].join('\n');
    const { data, vocab } = loadTrainingJsonl(text, { labelNames: labels, maxLenTokens: 8 });
    expect(data.ids.length).toBe(3 * 8);
    expect([...data.labels]).toEqual([1, 0, 1]);
    const good = vocab.tokens.indexOf('good');
    expect([...data.ids.subarray(16, 24)]).toEqual(new Array(8).fill(good));
    expect([...data.ids.subarray(0, 8)].slice(2)).toEqual([0, 0, 0, 0, 0, 0]);
    const test = loadTestJsonl(line('good unseen', 'negative'), vocab, { labelNames: labels, maxLenTokens: 8 });
    expect([...test.ids.subarray(0, 3)]).toEqual([good, UNK_ID, 0]);
  });

  it('refuses a single-class training set and a test set with other labels', () => {
    const one = [line('a', 'positive'), line('b', 'positive')].join('\n');
    expect(() => loadTrainingJsonl(one, { labelNames: labels })).toThrow(/only one class \("positive"\)/);
    const { vocab } = loadTrainingJsonl([line('a', 'positive'), line('b', 'negative')].join('\n'), { labelNames: labels });
    expect(() => loadTestJsonl([line('a', 'pos'), line('b', 'neg')].join('\n'), vocab, { labelNames: labels, source: 'test.jsonl' })).toThrow(
      /test\.jsonl has .*line 1: unknown label "pos"; the task's labels are "negative", "positive"/s,
    );
    const encoded = loadTestJsonl(line('a', 'positive'), vocab, { labelNames: labels });
    expect(() => assertSameLabels(['neg', 'pos'], encoded)).toThrow(/do not match the task's labels \[neg, pos\]/);
  });
});
