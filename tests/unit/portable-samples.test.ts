// Samples files (src/core/portable/samples-file.ts): JSONL and CSV round trips with weights, texts with commas,
// quotes and newlines, and the bad inputs — wrong columns, broken quoting, bad UTF-8, a file over the size limit.
import { describe, expect, it } from 'vitest';
import { parseLabelledJsonl } from '../../src/core/data/jsonl.ts';
import { parseSamplesCsv, parseSamplesFile, sampleFileRows, toCsv, toJsonl } from '../../src/core/portable/samples-file.ts';
import { ImportFormatError, MAX_TEXT_FILE_BYTES } from '../../src/core/portable/text.ts';

const samples = [
  { id: 11, seq: 1, text: 'He said "no", then left.\nThe end.', label: 'sad', context: 'park, at night' },
  { id: 10, seq: 0, text: 'Plain happy text', label: 'happy' },
  { id: 12, seq: 2, text: '  Ünïcödé 😀, tabs\tand "quotes"  ', label: 'happy' },
];
const weights = new Map([
  [10, 0.125],
  [11, 1 / 3],
  [12, 0],
]);
const enc = new TextEncoder();

describe('samples export formats', () => {
  it('JSONL rows carry text, label, weight, context and seq, in seq order', () => {
    const rows = sampleFileRows(samples, weights);
    const back = toJsonl(rows).trim().split('\n').map((l) => JSON.parse(l));
    expect(back).toEqual([
      { text: 'Plain happy text', label: 'happy', seq: 0, weight: 0.125 },
      { text: samples[0].text, label: 'sad', seq: 1, weight: 1 / 3, context: 'park, at night' },
      { text: samples[2].text, label: 'happy', seq: 2, weight: 0 },
    ]);
    // The same file is accepted by the labelled-JSONL reader (extra fields ignored).
    expect(parseLabelledJsonl(toJsonl(rows)).map((r) => r.label)).toEqual(['happy', 'sad', 'happy']);
  });

  it('CSV round-trips texts with commas, quotes, tabs and newlines exactly', () => {
    const csv = toCsv(sampleFileRows(samples, weights));
    expect(csv.split('\r\n')[0]).toBe('text,label,weight,context,seq');
    const rows = parseSamplesCsv(csv, 'out.csv');
    expect(rows.map((r) => [r.text, r.label])).toEqual([
      ['Plain happy text', 'happy'],
      [samples[0].text, 'sad'],
      [samples[2].text, 'happy'],
    ]);
  });

  it('without a training, the weight column is empty', () => {
    const csv = toCsv(sampleFileRows(samples));
    expect(csv.split('\r\n')[1]).toBe('Plain happy text,happy,,,0');
  });
});

describe('samples import: bad input gets one clear message', () => {
  it('wrong columns', () => {
    expect(() => parseSamplesCsv('sentence,class\nhi,happy\n', 'x.csv')).toThrow(/needs a header row with the columns text and label \(found: "sentence", "class"\)/);
    expect(() => parseSamplesCsv('text,label,mood\nhi,happy,1\n', 'x.csv')).toThrow(/unknown column\(s\) "mood"/);
  });

  it('a quoted newline is part of the text; an unclosed quote is an error', () => {
    const ok = parseSamplesCsv('text,label\n"line one\nline two",happy\nbye,sad\n', 'x.csv');
    expect(ok.map((r) => r.text)).toEqual(['line one\nline two', 'bye']);
    expect(() => parseSamplesCsv('text,label\n"never closed,happy\nbye,sad\n', 'x.csv')).toThrow(/not a well-formed CSV/);
  });

  it('empty cells and a single label', () => {
    expect(() => parseSamplesCsv('text,label\n,happy\nhi,\n', 'x.csv')).toThrow(/row 1: "text" is empty[\s\S]*row 2: "label" is empty/);
    expect(() => parseSamplesFile(enc.encode('text,label\na,happy\nb,happy\n'), 'x.csv')).toThrow(/only one label/);
  });

  it('bad UTF-8 names the file and the byte', () => {
    const bytes = new Uint8Array([...enc.encode('text,label\nna'), 0xc3, 0x28, ...enc.encode(',happy\n')]);
    expect(() => parseSamplesFile(bytes, 'latin1.csv')).toThrow(ImportFormatError);
    expect(() => parseSamplesFile(bytes, 'latin1.csv')).toThrow(/latin1\.csv is not valid UTF-8 text: line \d+ \(byte 1[34]\)/);
  });

  it('a 50 MB file is refused up front with its size', () => {
    const big = new Uint8Array(50 * 1024 * 1024);
    expect(big.length).toBeGreaterThan(MAX_TEXT_FILE_BYTES);
    expect(() => parseSamplesFile(big, 'huge.jsonl')).toThrow(/huge\.jsonl is 50\.0 MB; a samples file can be at most 40\.0 MB/);
  });

  it('reads JSONL and CSV files by name', () => {
    const rows = sampleFileRows(samples, weights);
    expect(parseSamplesFile(enc.encode(toCsv(rows)), 'a.csv').countsByLabel).toEqual(new Map([['happy', 2], ['sad', 1]]));
    expect(parseSamplesFile(enc.encode(toJsonl(rows)), 'a.jsonl').labelNames).toEqual(['happy', 'sad']);
  });
});
