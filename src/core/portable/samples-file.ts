// Samples with their labels and SunGen weights as files: JSONL ({"text","label","weight",...} per line) and CSV
// (papaparse, RFC 4180 quoting, so texts with commas, quotes and newlines survive), and reading either back for
// "Import samples". Reading checks size, UTF-8, columns and every row before anything is stored.
import Papa from 'papaparse';
import { CONTROL_CHAR, normalizeLabel, type LabelledRow } from '../data/jsonl.ts';
import { checkImportedRows, parseImportJsonl, type ImportedSamples } from '../data/samples.ts';
import { ImportFormatError, MAX_TEXT_FILE_BYTES, checkFileSize, decodeUtf8 } from './text.ts';

export interface ExportableSample {
  id?: number;
  seq: number;
  text: string;
  label: string;
  context?: string;
}

export interface SampleFileRow {
  text: string;
  label: string;
  /** SunGen weight of the chosen training (absent when exported without one). */
  weight?: number;
  context?: string;
  seq: number;
}

export const CSV_COLUMNS = ['text', 'label', 'weight', 'context', 'seq'] as const;

/** Rows in `seq` order with the weight of each sample (looked up by sample id) when `weights` is given. */
export function sampleFileRows(samples: readonly ExportableSample[], weights?: ReadonlyMap<number, number>): SampleFileRow[] {
  return [...samples]
    .sort((a, b) => a.seq - b.seq)
    .map((s) => {
      const row: SampleFileRow = { text: s.text, label: s.label, seq: s.seq };
      const w = weights && s.id !== undefined ? weights.get(s.id) : undefined;
      if (w !== undefined) row.weight = w;
      if (s.context !== undefined) row.context = s.context;
      return row;
    });
}

export function toJsonl(rows: readonly SampleFileRow[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

export function toCsv(rows: readonly SampleFileRow[]): string {
  const data = rows.map((r) => [r.text, r.label, r.weight ?? '', r.context ?? '', r.seq]);
  return Papa.unparse({ fields: [...CSV_COLUMNS], data }, { newline: '\r\n' }) + '\r\n';
}

/** Parses a samples CSV with a header row holding at least `text` and `label` (the columns toCsv writes). */
export function parseSamplesCsv(text: string, source: string): LabelledRow[] {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: 'greedy' });
  const fields = (parsed.meta.fields ?? []).map((f) => f.trim());
  const missing = ['text', 'label'].filter((c) => !fields.includes(c));
  if (missing.length) {
    throw new ImportFormatError(
      `${source} needs a header row with the columns text and label (found: ${fields.length ? fields.map((f) => JSON.stringify(f)).join(', ') : 'none'}); missing ${missing.join(' and ')}.`,
    );
  }
  const unknown = fields.filter((f) => !(CSV_COLUMNS as readonly string[]).includes(f));
  if (unknown.length) throw new ImportFormatError(`${source} has unknown column(s) ${unknown.map((f) => JSON.stringify(f)).join(', ')}; allowed: ${CSV_COLUMNS.join(', ')}.`);
  const problems = parsed.errors.slice(0, 5).map((e) => `row ${(e.row ?? 0) + 1}: ${e.message}`);
  if (problems.length) throw new ImportFormatError(`${source} is not a well-formed CSV file:\n  ${problems.join('\n  ')}`);
  const rows: LabelledRow[] = [];
  const bad: string[] = [];
  parsed.data.forEach((r, k) => {
    const t = (r.text ?? '').trim() ? r.text : '';
    const label = normalizeLabel(r.label ?? ''); // the same NFC + trim as JSONL labels
    const control = CONTROL_CHAR.exec(label);
    if (!t) bad.push(`row ${k + 1}: "text" is empty`);
    else if (!label) bad.push(`row ${k + 1}: "label" is empty`);
    else if (control) bad.push(`row ${k + 1}: "label" contains the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
    else rows.push({ text: r.text, label, line: k + 2 });
  });
  if (bad.length) throw new ImportFormatError(`${source} has ${bad.length} bad row(s):\n  ${bad.slice(0, 5).join('\n  ')}`);
  return rows;
}

/** A samples file (JSONL, or CSV by its .csv name) from raw bytes, checked completely before anything is stored. */
export function parseSamplesFile(bytes: Uint8Array, fileName: string): ImportedSamples & { text: string } {
  checkFileSize(bytes.length, MAX_TEXT_FILE_BYTES, fileName, 'a samples file');
  const text = decodeUtf8(bytes, fileName);
  if (!text.trim()) throw new ImportFormatError(`${fileName} is empty.`);
  if (/\.csv$/i.test(fileName)) return { ...checkImportedRows(parseSamplesCsv(text, fileName), fileName), text };
  return { ...parseImportJsonl(text, fileName), text };
}
