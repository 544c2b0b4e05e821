// The confidence filter, a cleaning baseline: train once on everything, score each sample by its self-confidence
// p_y = exp(−CE) under that model, so that the per-class top fraction can be kept for a second training run.
import type { EncodedDataset, Tam } from '../classifier/types.ts';
import { perSampleLosses } from '../train/per-sample.ts';
import { allRows, rowCount } from '../train/rows.ts';

/** Self-confidence p_y of every row under `tam` (inference mode), indexed by row id. */
export function selfConfidence(tam: Tam, data: EncodedDataset, batchSize = 256): Float32Array {
  return perSampleLosses(tam, data, allRows(rowCount(data)), batchSize).map((ce) => Math.exp(-ce));
}
