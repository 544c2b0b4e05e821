// What the Clean step shows from one training's per-sample weights: per class the mean weight, the lowest- and
// highest-weighted samples with their text, the weights for a histogram, and whether one class "sinks" (its mean
// weight far below the others' — SunGen then distrusts a whole class, which usually means its prompt went wrong).
export interface WeightedText {
  id: number;
  text: string;
  label: string;
  weight: number;
}

export interface ClassWeights {
  label: string;
  count: number;
  mean: number;
  lowest: WeightedText[];
  highest: WeightedText[];
  weights: number[];
}

/** A class sinks when its mean weight is below this fraction of the highest class mean. */
export const SINK_RATIO = 0.5;

export function classWeights(items: readonly WeightedText[], labelNames: readonly string[], perClass = 5): ClassWeights[] {
  return labelNames.map((label) => {
    const mine = items.filter((x) => x.label === label);
    const sorted = [...mine].sort((a, b) => a.weight - b.weight || a.id - b.id);
    const n = Math.min(perClass, Math.floor(sorted.length / 2));
    const mean = mine.length ? mine.reduce((s, x) => s + x.weight, 0) / mine.length : Number.NaN;
    return { label, count: mine.length, mean, lowest: sorted.slice(0, n), highest: sorted.slice(sorted.length - n).reverse(), weights: mine.map((x) => x.weight) };
  });
}

/** Labels whose mean weight sinks below SINK_RATIO of the best class's mean. */
export function sinkingClasses(classes: readonly ClassWeights[]): string[] {
  const means = classes.filter((c) => c.count > 0 && Number.isFinite(c.mean));
  const best = Math.max(...means.map((c) => c.mean));
  if (!(best > 0)) return [];
  return means.filter((c) => c.mean < SINK_RATIO * best).map((c) => c.label);
}

export function byIds(ids: readonly number[], values: ArrayLike<number>): Map<number, number> {
  return new Map(ids.map((id, k) => [id, values[k]]));
}

/** The samples that have a weight, with their text and label (samples added after the training have none). */
export function joinWeights(samples: readonly { id?: number; seq: number; text: string; label: string }[], weights: Map<number, number>): WeightedText[] {
  const items: WeightedText[] = [];
  for (const s of samples) {
    const id = s.id ?? s.seq;
    const w = weights.get(id);
    if (w !== undefined) items.push({ id, text: s.text, label: s.label, weight: w });
  }
  return items;
}

/**
 * Whether stored Clean-step scores cover every sample the next training uses (all samples not dropped by hand):
 * samples generated or imported after the computation have no score, and the training then computes them all again.
 */
export function coversSamples(scoredIds: readonly number[], samples: readonly { id?: number; seq: number }[], overrides: Record<string, 'keep' | 'drop'>): boolean {
  const scored = new Set(scoredIds);
  return samples.every((s) => {
    const id = s.id ?? s.seq;
    return overrides[String(id)] === 'drop' || scored.has(id);
  });
}
