// Turns labelled rows into an EncodedDataset (fixed-length id rows + label indices), matching labels by name, and
// checks what training needs (two or more classes present).
import type { EncodedDataset } from '../classifier/types.ts';
import type { LabelledRow } from './jsonl.ts';
import { encodeInto, vocabIndex, type Vocabulary } from './tokenizer.ts';

export const DEFAULT_MAX_LEN_TOKENS = 64;

export interface EncodeOptions {
  /** The task's label names, in class-index order. */
  labelNames: readonly string[];
  maxLenTokens?: number;
  /** Name for error messages. */
  source?: string;
}

/** Encodes rows with a vocabulary; labels not in `labelNames` are an error naming the line. */
export function encodeRows(rows: readonly LabelledRow[], vocab: Vocabulary, opts: EncodeOptions): EncodedDataset {
  const maxLenTokens = opts.maxLenTokens ?? DEFAULT_MAX_LEN_TOKENS;
  if (!(Number.isInteger(maxLenTokens) && maxLenTokens > 0)) throw new Error(`maxLenTokens must be a positive integer (got ${maxLenTokens}).`);
  if (opts.labelNames.length < 2) throw new Error(`A task needs at least 2 labels (got ${opts.labelNames.length}).`);
  const classOf = new Map(opts.labelNames.map((name, k) => [name, k]));
  const index = vocabIndex(vocab);
  const ids = new Int32Array(rows.length * maxLenTokens);
  const labels = new Int32Array(rows.length);
  rows.forEach((row, r) => {
    const c = classOf.get(row.label);
    if (c === undefined) {
      throw new Error(
        `${opts.source ?? 'Dataset'} line ${row.line}: label ${JSON.stringify(row.label)} is not one of the task's labels ` +
          `(${opts.labelNames.map((l) => JSON.stringify(l)).join(', ')}).`,
      );
    }
    labels[r] = c;
    encodeInto(row.text, index, ids.subarray(r * maxLenTokens, (r + 1) * maxLenTokens));
  });
  return { ids, labels, maxLenTokens, numClasses: opts.labelNames.length, labelNames: [...opts.labelNames] };
}

/** Count of rows per class index. */
export function classCounts(data: EncodedDataset): number[] {
  const counts = new Array<number>(data.numClasses).fill(0);
  for (const c of data.labels) counts[c] += 1;
  return counts;
}

/** Throws unless at least two classes have rows (a one-class training set cannot teach a classifier anything). */
export function assertTrainable(data: EncodedDataset, source = 'Training set'): void {
  const counts = classCounts(data);
  const present = counts.filter((n) => n > 0).length;
  if (present < 2) {
    const only = data.labelNames[counts.findIndex((n) => n > 0)] ?? '(none)';
    throw new Error(`${source} has examples of only one class (${JSON.stringify(only)}); training needs at least two classes.`);
  }
}

/** Checks that a test set's labels are the task's labels (by name, same order), else a clear error. */
export function assertSameLabels(taskLabels: readonly string[], data: EncodedDataset, source = 'Test set'): void {
  const same = taskLabels.length === data.labelNames.length && taskLabels.every((l, k) => l === data.labelNames[k]);
  if (!same) {
    throw new Error(`${source} labels [${data.labelNames.join(', ')}] do not match the task's labels [${taskLabels.join(', ')}].`);
  }
}
