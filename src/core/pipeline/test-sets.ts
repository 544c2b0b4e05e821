// Test sets for evaluation: the bundled presets (public/eval/*.jsonl) offered when their labels match the run's task,
// and uploaded files, whose labels are matched to the task by name with a clear error on any mismatch.
import type { EncodedDataset } from '../tam/types.ts';
import { parseLabelledJsonl } from '../data/jsonl.ts';
import { encodeRows } from '../data/dataset.ts';
import type { Vocabulary } from '../data/tokenizer.ts';
import { checkLineLengths } from './samples.ts';

export interface EvalPreset {
  /** Also the metric prefix, e.g. 'sst2-test'. */
  id: string;
  /** File under `<base>eval/`. */
  file: string;
  title: string;
  rows: number;
  labels: string[];
}

const SENTIMENT = ['negative', 'positive'];

export const EVAL_PRESETS: readonly EvalPreset[] = [
  { id: 'sst2-test', file: 'sst2-test.jsonl', title: 'SST-2 test (movie-review sentences)', rows: 1821, labels: SENTIMENT },
  { id: 'rotten-tomatoes-test', file: 'rotten-tomatoes-test.jsonl', title: 'Rotten Tomatoes test (movie-review snippets)', rows: 1066, labels: SENTIMENT },
  { id: 'yelp-sentences-test', file: 'yelp-sentences-test.jsonl', title: 'Yelp sentences test', rows: 1000, labels: SENTIMENT },
  { id: 'amazon-sentences-test', file: 'amazon-sentences-test.jsonl', title: 'Amazon review sentences test', rows: 1000, labels: SENTIMENT },
];

function sameLabelSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}

/** Presets whose label names are exactly the task's label names (any order). */
export function presetsForLabels(labelNames: readonly string[]): EvalPreset[] {
  return EVAL_PRESETS.filter((p) => sameLabelSet(p.labels, labelNames));
}

export function findPreset(id: string): EvalPreset | undefined {
  return EVAL_PRESETS.find((p) => p.id === id);
}

/**
 * Parses a test JSONL and encodes it with the training vocabulary, in the task's class order. Labels are matched
 * by name; a test set with labels the task lacks is rejected as a whole, naming both label sets.
 */
export function loadTestSet(text: string, source: string, vocab: Vocabulary, labelNames: readonly string[], maxLenTokens: number): EncodedDataset {
  if (!text.trim()) throw new Error(`${source} is empty.`);
  checkLineLengths(text, source);
  const rows = parseLabelledJsonl(text, { source, maxErrors: 3 });
  const found = [...new Set(rows.map((r) => r.label))].sort();
  const unknown = found.filter((l) => !labelNames.includes(l));
  if (unknown.length) {
    throw new Error(
      `${source} has labels [${found.join(', ')}], which do not match the run's labels [${labelNames.join(', ')}] ` +
        `(labels are matched by name; unknown: ${unknown.map((l) => JSON.stringify(l)).join(', ')}).`,
    );
  }
  return encodeRows(rows, vocab, { labelNames, maxLenTokens, source });
}
