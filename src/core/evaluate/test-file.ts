// Test sets from a file or typed in the page: CSV, TSV, JSONL or TXT, parsed into {text, label} rows whose labels
// must be the task's (matched by name). Every problem names the file and line; nothing partial is returned. CSV/TSV
// use papaparse (quotes, embedded commas and newlines); TXT is one example per line, `label<TAB>text` or `label: text`.
import Papa from 'papaparse';
import { CONTROL_CHAR, normalizeLabel, parseLabelledJsonl, type LabelledRow } from '../data/jsonl.ts';

export type TestFileFormat = 'jsonl' | 'csv' | 'tsv' | 'txt';

/** Largest test set accepted (rows), so a wrong file cannot freeze the page. */
export const MAX_TEST_ROWS = 20_000;
/** Longest example accepted (characters). */
export const MAX_TEST_TEXT_CHARS = 5_000;
/** Largest test file read (stated next to the upload). */
export const MAX_TEST_FILE_BYTES = 20 * 1024 * 1024;

export class TestFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TestFileError';
  }
}

export function formatFromName(fileName: string): TestFileFormat | null {
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  if (ext === 'jsonl' || ext === 'json' || ext === 'ndjson') return 'jsonl';
  if (ext === 'csv') return 'csv';
  if (ext === 'tsv' || ext === 'tab') return 'tsv';
  if (ext === 'txt' || ext === 'text') return 'txt';
  return null;
}

const quote = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);

function checkRows(rows: LabelledRow[], labelNames: readonly string[], source: string): LabelledRow[] {
  const known = new Set(labelNames);
  const problems: string[] = [];
  for (const r of rows) {
    if (problems.length >= 5) break;
    r.label = normalizeLabel(r.label); // the same NFC + trim as every other label
    const control = CONTROL_CHAR.exec(r.label);
    if (!r.text.trim()) problems.push(`line ${r.line}: the text is empty`);
    else if (control) problems.push(`line ${r.line}: the label contains the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
    else if (r.text.length > MAX_TEST_TEXT_CHARS) problems.push(`line ${r.line}: the text is longer than ${MAX_TEST_TEXT_CHARS} characters`);
    else if (!r.label.trim()) problems.push(`line ${r.line}: no label`);
    else if (!known.has(r.label)) problems.push(`line ${r.line}: unknown label ${quote(r.label)}`);
  }
  if (problems.length) {
    throw new TestFileError(
      `${source}: ${problems.join('; ')}. The task's labels are ${labelNames.map((l) => JSON.stringify(l)).join(', ')} (matched by name).`,
    );
  }
  if (rows.length === 0) throw new TestFileError(`${source} contains no examples.`);
  if (rows.length > MAX_TEST_ROWS) throw new TestFileError(`${source} has ${rows.length} examples; at most ${MAX_TEST_ROWS} are accepted.`);
  return rows;
}

function parseDelimited(text: string, delimiter: ',' | '\t', labelNames: readonly string[], source: string): LabelledRow[] {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { delimiter, skipEmptyLines: 'greedy' });
  const bad = parsed.errors.find((e) => e.type === 'Quotes' || e.type === 'Delimiter');
  if (bad) throw new TestFileError(`${source}: line ${(bad.row ?? 0) + 1}: ${bad.message}.`);
  const table = parsed.data.map((cells) => cells.map((c) => c.trim()));
  if (table.length === 0) throw new TestFileError(`${source} contains no examples.`);
  // A header naming "text" and "label" picks the columns; otherwise two columns, label first or text first.
  const header = table[0].map((c) => c.toLowerCase());
  let textCol = header.indexOf('text');
  let labelCol = header.indexOf('label');
  let start = 1;
  if (textCol < 0 || labelCol < 0) {
    start = 0;
    const width = Math.max(...table.map((r) => r.length));
    if (width !== 2) {
      throw new TestFileError(
        `${source}: expected a header with "text" and "label" columns, or exactly two columns (label and text); found ${width} column(s).`,
      );
    }
    const known = new Set(labelNames);
    const firstIsLabel = table.filter((r) => known.has(r[0])).length >= table.filter((r) => known.has(r[1] ?? '')).length;
    [labelCol, textCol] = firstIsLabel ? [0, 1] : [1, 0];
  }
  const rows: LabelledRow[] = [];
  for (let k = start; k < table.length; k++) {
    const r = table[k];
    rows.push({ text: r[textCol] ?? '', label: r[labelCol] ?? '', line: k + 1 });
  }
  return rows;
}

function parseTxt(text: string): LabelledRow[] {
  const rows: LabelledRow[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, k) => {
    if (!raw.trim()) return;
    const tab = raw.indexOf('\t');
    const colon = raw.indexOf(':');
    const cut = tab >= 0 ? tab : colon;
    if (cut < 0) rows.push({ label: '', text: raw.trim(), line: k + 1 });
    else rows.push({ label: raw.slice(0, cut).trim(), text: raw.slice(cut + 1).trim(), line: k + 1 });
  });
  return rows;
}

/** Parses a test file; `format` defaults to the one its name implies. Throws TestFileError with every problem found. */
export function parseTestFile(fileName: string, text: string, labelNames: readonly string[], format = formatFromName(fileName)): LabelledRow[] {
  const source = fileName || 'The test file';
  if (!format) throw new TestFileError(`${source}: unknown file type; use .csv, .tsv, .jsonl or .txt.`);
  if (!text.trim()) throw new TestFileError(`${source} is empty.`);
  if (format === 'jsonl') {
    try {
      return checkRows(parseLabelledJsonl(text, { source, labelNames, maxErrors: 5 }), labelNames, source);
    } catch (e) {
      if (e instanceof TestFileError) throw e;
      throw new TestFileError(e instanceof Error ? e.message : String(e));
    }
  }
  const rows = format === 'txt' ? parseTxt(text) : parseDelimited(text, format === 'csv' ? ',' : '\t', labelNames, source);
  return checkRows(rows, labelNames, source);
}

/** Checks one typed example; returns a message for the field at fault, or null when it is fine. */
export function checkTypedExample(text: string, label: string, labelNames: readonly string[]): { field: 'text' | 'label'; message: string } | null {
  if (!text.trim()) return { field: 'text', message: 'Type a sentence first.' };
  if (text.length > MAX_TEST_TEXT_CHARS) return { field: 'text', message: `Keep it under ${MAX_TEST_TEXT_CHARS} characters.` };
  if (!label) return { field: 'label', message: 'Pick the label this sentence should get.' };
  if (!labelNames.includes(label)) return { field: 'label', message: `"${label}" is not one of this task's labels.` };
  return null;
}
