// One sentence per cleaning method, for the Clean step's method choice (issue 8 owns the method list and default).
import type { MethodName } from '../../core/clean/methods.ts';
import { SUNGEN_FROM_ROWS } from '../../core/clean/inspect.ts';

export const METHOD_HELP: Record<MethodName, string> = {
  'sungen-safe': `sungen-safe (default) — SunGen with the quick model, checked on held-out samples: if the weights or the model collapse onto one class, or SunGen does not beat filter / plain training there, the safer method is used instead. On sets under ${SUNGEN_FROM_ROWS.toLocaleString('en-US')} samples it chooses between filter and plain training only: SunGen lost to filter on every set of that size we measured.`,
  none: 'none — train on every sample with equal weight (plain ZeroGen).',
  filter: 'filter — train once, keep the samples the model is most confident about, retrain.',
  sungen: 'sungen — learn a weight per sample with the chosen model as inner model (slow, paper setting).',
  'sungen-fast': 'sungen-fast — learn the weights with the quick bag-of-words model, then train the chosen model.',
  oof: 'oof — confident learning: score each sample with models that never saw it (4 folds), keep the most trusted.',
};
