// Merging samples read from IndexedDB with batches the generation worker reported (which may not be readable yet),
// by record id and in acceptance order, so the table never loses or repeats a row.
import type { SampleRecord } from '../../core/storage/schema.ts';

/** `base` plus the records of `extra` it does not have yet, in acceptance order. */
export function mergeSamples(base: SampleRecord[], extra: SampleRecord[]): SampleRecord[] {
  const seen = new Set(base.map((s) => s.id));
  const added = extra.filter((s) => !seen.has(s.id));
  if (added.length === 0) return base;
  return [...base, ...added].sort((a, b) => a.seq - b.seq);
}
