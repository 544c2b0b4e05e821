// The collapse guard: statistics every cleaning run computes, and the rule that says when they show harm. Per-class
// weight statistics show whether the weights track the class instead of the noise; the predicted-class distribution
// of the trained model on a held-out split of the synthetic set shows whether it predicts (mostly) one class.
// Neither needs a human label. When either shows collapse the run says why and falls back to a safe method.

export interface ClassWeightStats {
  label: string;
  /** Training rows of this class, and how many the method kept. */
  count: number;
  kept: number;
  /** Mean / std / min / max of the method's score (e.g. SunGen's w = sigmoid θ; 1 for unweighted) over all rows of the class. */
  mean: number;
  std: number;
  min: number;
  max: number;
}

export interface ClassDistribution {
  /** Share of each class among the synthetic validation labels and among the model's predictions there. */
  labelShare: number[];
  predictedShare: number[];
}

export interface GuardReport {
  collapsed: boolean;
  /** Readable reasons (empty when not collapsed). */
  reasons: string[];
  /** Readable warnings that do not trigger the fallback (tiny set, rare class, duplicates, …). */
  warnings: string[];
}

/** Per-class statistics of `scores` over rows (indexed by row id) of each class; `kept` marks the rows kept. */
export function classWeightStats(scores: ArrayLike<number>, labels: Int32Array, rows: ArrayLike<number>, kept: ArrayLike<number>, labelNames: readonly string[]): ClassWeightStats[] {
  const keptSet = new Set<number>(Array.from(kept));
  return labelNames.map((label, c) => {
    const xs: number[] = [];
    let keptCount = 0;
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k];
      if (labels[r] !== c) continue;
      xs.push(scores[r]);
      if (keptSet.has(r)) keptCount += 1;
    }
    const mean = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
    const std = xs.length ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) : 0;
    return { label, count: xs.length, kept: keptCount, mean, std, min: xs.length ? Math.min(...xs) : 0, max: xs.length ? Math.max(...xs) : 0 };
  });
}

/** Label and prediction shares per class from labels and predicted class ids. */
export function classDistribution(labels: ArrayLike<number>, predictions: ArrayLike<number>, numClasses: number): ClassDistribution {
  const labelShare = new Array<number>(numClasses).fill(0);
  const predictedShare = new Array<number>(numClasses).fill(0);
  const n = labels.length;
  for (let i = 0; i < n; i++) {
    labelShare[labels[i]] += 1 / n;
    predictedShare[predictions[i]] += 1 / n;
  }
  return { labelShare, predictedShare };
}

export interface GuardThresholds {
  /** A class predicted for less than this fraction of its label share (on the synthetic validation split) is collapsed. */
  minPredictedRatio: number;
  /** …unless the unweighted reference model predicts it as rarely: the method must not be this much worse (ratio). */
  maxRatioDropVsReference: number;
  /** Class-mean weights whose min/max ratio falls below this track the class rather than the noise. */
  minClassWeightRatio: number;
}

export const DEFAULT_GUARD: GuardThresholds = { minPredictedRatio: 0.5, maxRatioDropVsReference: 0.15, minClassWeightRatio: 0.5 };

/** min over classes (with at least one validation label) of predictedShare / labelShare. */
export function minPredictedRatio(d: ClassDistribution): number {
  let min = Infinity;
  d.labelShare.forEach((share, c) => {
    if (share > 0) min = Math.min(min, d.predictedShare[c] / share);
  });
  return Number.isFinite(min) ? min : 1;
}

/**
 * Decides whether a cleaning run collapsed: its model predicts a class far less often than the class occurs (and
 * clearly less often than the unweighted reference model does, when given), or its class-mean weights differ so much
 * that the weights track the class.
 */
export function detectCollapse(
  input: { distribution: ClassDistribution; reference?: ClassDistribution; classWeights?: ClassWeightStats[]; labelNames: readonly string[] },
  thresholds: GuardThresholds = DEFAULT_GUARD,
): GuardReport {
  const reasons: string[] = [];
  const ratio = minPredictedRatio(input.distribution);
  const refRatio = input.reference ? minPredictedRatio(input.reference) : 1;
  if (ratio < thresholds.minPredictedRatio && ratio < refRatio - thresholds.maxRatioDropVsReference) {
    const c = input.distribution.labelShare.reduce((best, share, k) => (share > 0 && input.distribution.predictedShare[k] / share < input.distribution.predictedShare[best] / (input.distribution.labelShare[best] || Infinity) ? k : best), 0);
    reasons.push(
      `The model predicts "${input.labelNames[c]}" for ${(input.distribution.predictedShare[c] * 100).toFixed(1)} % of held-out synthetic samples, ` +
        `though ${(input.distribution.labelShare[c] * 100).toFixed(1)} % carry that label` +
        (input.reference ? ` (unweighted model: ${(input.reference.predictedShare[c] * 100).toFixed(1)} %)` : '') + ' — it has collapsed towards the other class(es).',
    );
  }
  if (input.classWeights && input.classWeights.length > 1) {
    const means = input.classWeights.filter((s) => s.count > 0).map((s) => s.mean);
    const lo = Math.min(...means);
    const hi = Math.max(...means);
    if (hi > 0 && lo / hi < thresholds.minClassWeightRatio) {
      const low = input.classWeights.find((s) => s.mean === lo)!;
      const high = input.classWeights.find((s) => s.mean === hi)!;
      reasons.push(`The weights track the class: mean weight ${lo.toFixed(3)} for "${low.label}" against ${hi.toFixed(3)} for "${high.label}".`);
    }
  }
  return { collapsed: reasons.length > 0, reasons, warnings: [] };
}
