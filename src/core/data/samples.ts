// Checks on labelled samples before they are trained on or stored: the JSONL import of a run (line-numbered errors,
// empty texts, overlong lines, labels, a single class) and the stored samples of a run handed to the pipeline.
import { JsonlError, lookAlikeLabelWarnings, parseLabelledJsonl, type LabelledRow } from './jsonl.ts';

/** Longest accepted line of an imported or uploaded JSONL file, in characters (a review is far shorter). */
export const MAX_LINE_CHARS = 20_000;
/** Most rows an imported run may have (keeps IndexedDB writes and training in the browser reasonable). */
export const MAX_IMPORT_ROWS = 200_000;
/** Most distinct labels an imported run may have (a classifier over more classes is not what this lab is for). */
export const MAX_IMPORT_LABELS = 1_000;

/** A sample as the pipeline needs it: its storage id, text and label name. */
export interface PipelineSample {
  id: number;
  text: string;
  label: string;
}

/** Line-numbered errors for lines longer than MAX_LINE_CHARS (checked before JSON parsing). */
export function checkLineLengths(text: string, source: string, maxChars = MAX_LINE_CHARS): void {
  const problems: { line: number; message: string }[] = [];
  const lines = text.split('\n');
  for (let k = 0; k < lines.length && problems.length < 5; k++) {
    if (lines[k].length > maxChars) problems.push({ line: k + 1, message: `line is ${lines[k].length} characters long (at most ${maxChars} allowed)` });
  }
  if (problems.length) throw new JsonlError(source, problems, problems.length >= 5);
}

export interface ImportedSamples {
  rows: LabelledRow[];
  /** Distinct labels, sorted (class-index order of the new run's task). */
  labelNames: string[];
  /** Keyed by label name (a Map: labels such as "constructor" or "__proto__" are ordinary names). */
  countsByLabel: Map<string, number>;
  /** Problems that do not stop the import but the user should see (look-alike labels). */
  warnings: string[];
}

/** Parses and fully validates a `{"text","label"}` JSONL file to import as a run. Throws before anything is stored. */
export function parseImportJsonl(text: string, source: string): ImportedSamples {
  if (!text.trim()) throw new Error(`${source} is empty.`);
  checkLineLengths(text, source);
  return checkImportedRows(parseLabelledJsonl(text, { source }), source);
}

/** Checks parsed rows (JSONL or CSV) for import as a run: row count, empty labels, at least two labels. */
export function checkImportedRows(rows: LabelledRow[], source: string): ImportedSamples {
  if (rows.length > MAX_IMPORT_ROWS) throw new Error(`${source} has ${rows.length} rows; at most ${MAX_IMPORT_ROWS} can be imported.`);
  const countsByLabel = new Map<string, number>();
  for (const r of rows) countsByLabel.set(r.label, (countsByLabel.get(r.label) ?? 0) + 1);
  const labelNames = [...countsByLabel.keys()].sort();
  if (labelNames.length < 2) {
    throw new Error(`${source} has examples of only one label (${JSON.stringify(labelNames[0])}); a classifier needs at least two labels.`);
  }
  if (labelNames.length > MAX_IMPORT_LABELS) {
    throw new Error(`${source} has ${labelNames.length} different labels; at most ${MAX_IMPORT_LABELS} can be imported. Is "label" really the class name?`);
  }
  return { rows, labelNames, countsByLabel, warnings: lookAlikeLabelWarnings(labelNames, source) };
}

/** Checks stored samples against the run's labels; returns them as labelled rows (line = position + 1). */
export function samplesToRows(samples: readonly PipelineSample[], labelNames: readonly string[]): LabelledRow[] {
  if (samples.length === 0) throw new Error('This run has no samples to train on.');
  const known = new Set(labelNames);
  return samples.map((s, k) => {
    if (typeof s.text !== 'string' || !s.text.trim()) throw new Error(`Sample ${s.id} has an empty text.`);
    if (!known.has(s.label)) throw new Error(`Sample ${s.id} has label ${JSON.stringify(s.label)}, which is not one of the run's labels (${labelNames.join(', ')}).`);
    return { text: s.text, label: s.label, line: k + 1 };
  });
}
