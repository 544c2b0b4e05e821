// Evaluates a trained TAM on an encoded test set (labels matched to the task by name).
import type { EncodedDataset, Tam } from '../classifier/types.ts';
import { assertSameLabels } from '../data/dataset.ts';
import { argmaxRows, predictLogits } from './predict.ts';
import { confusionMatrix, metricsFromConfusion, type Metrics } from './metrics.ts';

export interface Evaluation extends Metrics {
  predictions: Int32Array;
}

/** `taskLabels`: the label names the model was trained with (class-index order). */
export function evaluateTam(tam: Tam, test: EncodedDataset, taskLabels: readonly string[], opts: { batchSize?: number } = {}): Evaluation {
  assertSameLabels(taskLabels, test);
  if (test.numClasses !== tam.config.numClasses) throw new Error(`Test set has ${test.numClasses} classes, the model ${tam.config.numClasses}.`);
  const predictions = argmaxRows(predictLogits(tam, test, opts), test.numClasses);
  const metrics = metricsFromConfusion(confusionMatrix(test.labels, predictions, test.numClasses), [...test.labelNames]);
  return { ...metrics, predictions };
}
