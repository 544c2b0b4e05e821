// What the Compare view shows for two or more trainings: one row per metric or setting, with the settings that differ
// marked, and the test set all of them were evaluated on (comparisons are only fair on the same set).
import type { RunRecord } from '../../core/storage/schema.ts';
import type { TrainingSummary } from '../../core/runs/record.ts';
import type { TestEvaluation } from '../../core/train/train-samples.ts';

export interface CompareRow {
  label: string;
  values: string[];
  /** True when the values are not all equal (highlighted). */
  differs: boolean;
  kind: 'metric' | 'config';
}

const key = (e: TestEvaluation) => e.testId ?? e.testName;
const pct = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '–');

/** The test set every training was evaluated on: `preferred` when all have it, else the newest common one. */
export function commonTestSet(trainings: readonly TrainingSummary[], preferred: string): string | null {
  if (trainings.length === 0) return null;
  const sets = trainings.map((t) => new Set(t.evaluations.map(key)));
  const common = trainings[0].evaluations.map(key).filter((k) => sets.every((s) => s.has(k)));
  if (common.includes(preferred)) return preferred;
  return common[common.length - 1] ?? null;
}

export function compareRows(trainings: readonly TrainingSummary[], runs: readonly RunRecord[], testId: string | null): CompareRow[] {
  const evs = trainings.map((t) => (testId ? (t.evaluations.find((e) => key(e) === testId) ?? null) : null));
  const run = (t: TrainingSummary) => runs.find((r) => r.id === t.runId);
  const rows: CompareRow[] = [];
  const add = (label: string, values: string[], kind: CompareRow['kind']) => rows.push({ label, values, kind, differs: new Set(values).size > 1 });
  add('Accuracy', evs.map((e) => pct(e?.accuracy)), 'metric');
  add('Macro-F1', evs.map((e) => pct(e?.macroF1)), 'metric');
  const labels = [...new Set(evs.flatMap((e) => e?.labelNames ?? []))];
  for (const l of labels) add(`Accuracy on “${l}”`, evs.map((e) => pct(e ? e.perClassAccuracy[e.labelNames.indexOf(l)] : undefined)), 'metric');
  add('Time (cleaning + training)', trainings.map((t) => `${t.seconds.reweight.toFixed(1)} + ${t.seconds.train.toFixed(1)} s`), 'metric');
  add('Run', trainings.map((t) => run(t)?.name ?? '(deleted run)'), 'config');
  add('Task', trainings.map((t) => run(t)?.config.task.name ?? '–'), 'config');
  add('Generator model', trainings.map((t) => run(t)?.config.modelId ?? '–'), 'config');
  add('Samples', trainings.map((t) => `${t.keptCount} kept of ${t.sampleCount}`), 'config');
  add('Sampling', trainings.map((t) => {
    const s = run(t)?.config.sampling;
    return s ? `temperature ${s.temperature}, top-k ${s.topK}, top-p ${s.topP}, seed ${s.seed}` : '–';
  }), 'config');
  add('Cleaning method', trainings.map((t) => t.settings.method), 'config');
  add('Kept / dropped by hand', trainings.map((t) => (t.overrides ? `${t.overrides.keep} / ${t.overrides.drop}` : '0 / 0')), 'config');
  add('SunGen T / keep fraction', trainings.map((t) => `${t.settings.outerIterations} / ${t.settings.keepFraction}`), 'config');
  add('Classifier', trainings.map((t) => `${t.settings.model}, ${t.settings.epochs} epochs, lr ${t.settings.learningRate}`), 'config');
  add('Training seed', trainings.map((t) => String(t.settings.seed)), 'config');
  add('Backend', trainings.map((t) => t.backend), 'config');
  add('Versions', trainings.map((t) => {
    const all = { ...(run(t)?.config.versions ?? {}), ...(t.versions ?? {}) };
    return Object.entries(all).map(([k, v]) => `${k} ${v}`).join(', ') || '–';
  }), 'config');
  return rows;
}
