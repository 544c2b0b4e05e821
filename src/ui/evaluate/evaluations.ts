// Which stored evaluation of a training to show for a chosen test set: the one on that set, else the newest.
import type { TrainingSummary } from '../../core/runs/record.ts';
import type { TestEvaluation } from '../../core/train/train-samples.ts';

export function evaluationOn(t: TrainingSummary, testId: string): TestEvaluation | null {
  const evs = t.evaluations;
  return evs.find((e) => (e.testId ?? e.testName) === testId) ?? evs[evs.length - 1] ?? null;
}

/** Only the evaluation on exactly that test set (for comparisons, which must use the same set). */
export function evaluationExactlyOn(t: TrainingSummary, testId: string): TestEvaluation | null {
  return t.evaluations.find((e) => (e.testId ?? e.testName) === testId) ?? null;
}

/** A readable name for a training: method, classifier and time to the second. */
export function trainingLabel(t: TrainingSummary): string {
  const when = new Date(t.createdAt).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
  return `${t.settings.method} · ${t.settings.model} · ${when}`;
}
