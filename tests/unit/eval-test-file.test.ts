// Test sets from files and typing: CSV/TSV (with and without header, quoted commas/newlines), JSONL and TXT parse into
// the same rows; wrong labels, empty text, unknown types and HTML are handled with messages naming the line.
import { describe, expect, it } from 'vitest';
import { checkTypedExample, parseTestFile, TestFileError } from '../../src/core/evaluate/test-file.ts';

const LABELS = ['happy', 'sad'];
const rows = (r: { text: string; label: string }[]) => r.map(({ text, label }) => ({ text, label }));

describe('parseTestFile', () => {
  it('reads the same examples from CSV, TSV, JSONL and TXT', () => {
    const want = [
      { text: 'She smiled, and laughed.', label: 'happy' },
      { text: 'He cried all day', label: 'sad' },
    ];
    expect(rows(parseTestFile('t.csv', 'text,label\n"She smiled, and laughed.",happy\nHe cried all day,sad\n', LABELS))).toEqual(want);
    expect(rows(parseTestFile('t.csv', 'happy,"She smiled, and laughed."\nsad,He cried all day', LABELS))).toEqual(want);
    expect(rows(parseTestFile('t.tsv', 'label\ttext\nhappy\tShe smiled, and laughed.\nsad\tHe cried all day', LABELS))).toEqual(want);
    expect(rows(parseTestFile('t.jsonl', want.map((w) => JSON.stringify(w)).join('\n'), LABELS))).toEqual(want);
    expect(rows(parseTestFile('t.txt', 'happy: She smiled, and laughed.\r\n\r\nsad\tHe cried all day\n', LABELS))).toEqual(want);
  });

  it('accepts text before the label in a two-column file', () => {
    expect(rows(parseTestFile('t.csv', 'a sunny day,happy\na rainy day,sad', LABELS))).toEqual([
      { text: 'a sunny day', label: 'happy' },
      { text: 'a rainy day', label: 'sad' },
    ]);
  });

  it('names the line and the task labels when a label is not the task’s', () => {
    expect(() => parseTestFile('t.csv', 'text,label\nok,happy\nbad,angry', LABELS)).toThrow(/line 3: unknown label "angry".*"happy", "sad"/);
    expect(() => parseTestFile('t.jsonl', '{"text":"x","label":"positive"}', LABELS)).toThrow(/line 1: unknown label/);
    expect(() => parseTestFile('t.txt', 'no label here', LABELS)).toThrow(/line 1: no label/);
  });

  it('rejects empty files, empty texts, unknown types and wrong column counts', () => {
    expect(() => parseTestFile('t.csv', '  \n', LABELS)).toThrow(TestFileError);
    expect(() => parseTestFile('t.csv', 'text,label\n,happy', LABELS)).toThrow(/line 2: the text is empty/);
    expect(() => parseTestFile('t.xlsx', 'x', LABELS)).toThrow(/unknown file type/);
    expect(() => parseTestFile('t.csv', 'a,b,c\nd,e,f', LABELS)).toThrow(/exactly two columns/);
  });

  it('keeps HTML as plain text', () => {
    const r = parseTestFile('t.csv', 'text,label\n<script>alert(1)</script>,happy', LABELS);
    expect(r[0].text).toBe('<script>alert(1)</script>');
  });
});

describe('checkTypedExample', () => {
  it('points at the field at fault', () => {
    expect(checkTypedExample('  ', 'happy', LABELS)).toEqual({ field: 'text', message: expect.any(String) });
    expect(checkTypedExample('a fine day', '', LABELS)).toEqual({ field: 'label', message: expect.stringMatching(/Pick the label/) });
    expect(checkTypedExample('a fine day', 'angry', LABELS)?.field).toBe('label');
    expect(checkTypedExample('a fine day', 'happy', LABELS)).toBeNull();
  });
});
