// Classification metrics from a confusion matrix: accuracy, macro-F1, per-class accuracy (recall).

export interface Metrics {
  accuracy: number;
  macroF1: number;
  /** Per class (by index): fraction of that class's rows predicted correctly; NaN when the class has no rows. */
  perClassAccuracy: number[];
  /** confusion[trueClass][predictedClass] = count. */
  confusion: number[][];
  labelNames: string[];
  count: number;
}

/** Just the metrics of an evaluation (drops extras such as per-row predictions), for what is stored with a training. */
export function pickMetrics(m: Metrics): Metrics {
  const { accuracy, macroF1, perClassAccuracy, confusion, labelNames, count } = m;
  return { accuracy, macroF1, perClassAccuracy, confusion, labelNames, count };
}

export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, numClasses: number): number[][] {
  if (labels.length !== predictions.length) throw new Error(`Got ${labels.length} labels and ${predictions.length} predictions.`);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let k = 0; k < labels.length; k++) m[labels[k]][predictions[k]] += 1;
  return m;
}

/** Metrics of a confusion matrix. Macro-F1 averages over classes that occur in the labels or the predictions. */
export function metricsFromConfusion(confusion: number[][], labelNames: string[]): Metrics {
  const C = confusion.length;
  let total = 0;
  let correct = 0;
  const perClassAccuracy: number[] = [];
  const f1s: number[] = [];
  for (let c = 0; c < C; c++) {
    const rowSum = confusion[c].reduce((a, b) => a + b, 0); // true c
    let colSum = 0; // predicted c
    for (let r = 0; r < C; r++) colSum += confusion[r][c];
    const tp = confusion[c][c];
    total += rowSum;
    correct += tp;
    perClassAccuracy.push(rowSum ? tp / rowSum : NaN);
    if (rowSum + colSum > 0) f1s.push((2 * tp) / (rowSum + colSum));
  }
  return {
    accuracy: total ? correct / total : NaN,
    macroF1: f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : NaN,
    perClassAccuracy,
    confusion,
    labelNames,
    count: total,
  };
}
