// Evaluates a loaded model on labelled rows (a bundled, typed or uploaded test set) and keeps what the page shows:
// metrics, the confusion matrix and the wrongly classified examples (capped), so a confusion cell can open them.
import { encodeRows } from '../data/dataset.ts';
import type { Vocabulary } from '../data/tokenizer.ts';
import type { LabelledRow } from '../data/jsonl.ts';
import { evaluateTam } from './evaluate.ts';
import { pickMetrics } from './metrics.ts';
import type { Tam } from '../classifier/types.ts';
import type { TestEvaluation } from '../train/train-samples.ts';

/** Wrong examples kept per evaluation (enough to browse every confusion cell of a small test set). */
export const MAX_MISCLASSIFIED = 400;

export interface TestRowsInput {
  id: string;
  name: string;
  rows: readonly { text: string; label: string }[];
}

export function evaluateOnRows(tam: Tam, vocab: Vocabulary, labelNames: readonly string[], test: TestRowsInput): TestEvaluation {
  const rows: LabelledRow[] = test.rows.map((r, k) => ({ text: r.text, label: r.label, line: k + 1 }));
  const unknown = [...new Set(rows.map((r) => r.label))].filter((l) => !labelNames.includes(l));
  if (unknown.length) {
    throw new Error(
      `${test.name} has labels ${unknown.map((l) => JSON.stringify(l)).join(', ')} that this model does not know (its labels: ${labelNames.join(', ')}).`,
    );
  }
  if (rows.length === 0) throw new Error(`${test.name} has no examples.`);
  const data = encodeRows(rows, vocab, { labelNames, maxLenTokens: tam.config.maxLenTokens, source: test.name });
  const ev = evaluateTam(tam, data, labelNames);
  const misclassified: NonNullable<TestEvaluation['misclassified']> = [];
  for (let k = 0; k < rows.length && misclassified.length < MAX_MISCLASSIFIED; k++) {
    const predicted = labelNames[ev.predictions[k]];
    if (predicted !== rows[k].label) misclassified.push({ text: rows[k].text, label: rows[k].label, predicted });
  }
  return {
    testId: test.id,
    testName: test.name,
    ...pickMetrics(ev),
    misclassified,
    evaluatedAt: Date.now(),
  };
}
