// One-call helpers: JSONL text → training set (builds the vocabulary) or → test set (uses the training vocabulary),
// with the checks each needs.
import type { EncodedDataset } from '../classifier/types.ts';
import { parseLabelledJsonl } from './jsonl.ts';
import { assertTrainable, encodeRows } from './dataset.ts';
import { buildVocabulary, type BuildVocabOptions, type Vocabulary } from './tokenizer.ts';

export interface TrainingSet {
  data: EncodedDataset;
  vocab: Vocabulary;
}

/** Parses and encodes a synthetic training set; the vocabulary is built from it. Needs ≥ 2 classes. */
export function loadTrainingJsonl(
  text: string,
  opts: { labelNames: readonly string[]; maxLenTokens?: number; source?: string } & BuildVocabOptions,
): TrainingSet {
  const source = opts.source ?? 'Training set';
  const rows = parseLabelledJsonl(text, { source, labelNames: opts.labelNames });
  const vocab = buildVocabulary(rows.map((r) => r.text), opts);
  const data = encodeRows(rows, vocab, { labelNames: opts.labelNames, maxLenTokens: opts.maxLenTokens, source });
  assertTrainable(data, source);
  return { data, vocab };
}

/** Parses and encodes a test set with the training vocabulary. A label the task does not have is an error with its line. */
export function loadTestJsonl(
  text: string,
  vocab: Vocabulary,
  opts: { labelNames: readonly string[]; maxLenTokens?: number; source?: string },
): EncodedDataset {
  const source = opts.source ?? 'Test set';
  const rows = parseLabelledJsonl(text, { source, labelNames: opts.labelNames, maxErrors: 3 });
  return encodeRows(rows, vocab, { labelNames: opts.labelNames, maxLenTokens: opts.maxLenTokens, source });
}
