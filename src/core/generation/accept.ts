// The acceptance bookkeeping every generator shares (in-page model and OpenAI-compatible server): per-label targets
// counting samples already stored, the ZeroGen parse rule, exact-duplicate removal, drop reasons and token counts.
import type { LabelSpec, TaskSpec } from '../tasks/types.ts';
import { DedupSet, parseGeneration } from './parse.ts';
import type { DropReason, GeneratedSample, GenerationProgress } from './types.ts';

export class SampleAccumulator {
  readonly acceptedByLabel: Record<string, number>;
  readonly dropped: Record<DropReason, number> = { tooShort: 0, duplicate: 0, empty: 0 };
  generatedTokens = 0;
  private readonly dedup: DedupSet;
  private readonly started = Date.now();

  constructor(
    private readonly task: TaskSpec,
    readonly perLabel: number,
    already: readonly GeneratedSample[] = [],
  ) {
    this.acceptedByLabel = Object.fromEntries(task.labels.map((l) => [l.name, 0]));
    for (const s of already) if (s.label in this.acceptedByLabel) this.acceptedByLabel[s.label]++;
    this.dedup = new DedupSet(already.map((x) => x.text));
  }

  deficit(label: LabelSpec | string): number {
    const name = typeof label === 'string' ? label : label.name;
    return Math.max(0, this.perLabel - (this.acceptedByLabel[name] ?? 0));
  }

  totalDeficit(): number {
    return this.task.labels.reduce((a, l) => a + this.deficit(l), 0);
  }

  /**
   * Parses a raw continuation and accepts it for `label` unless the label is full, the text is too short/empty or a
   * duplicate. Returns the accepted sample, or null (counted in `dropped` when it was the text's fault).
   */
  offer(raw: string, label: string, minWords: number, context?: string): GeneratedSample | null {
    if (this.deficit(label) === 0) return null; // target reached meanwhile
    const parsed = parseGeneration(raw, minWords);
    if (!parsed.ok) {
      this.dropped[parsed.reason]++;
      return null;
    }
    if (!this.dedup.add(parsed.text)) {
      this.dropped.duplicate++;
      return null;
    }
    this.acceptedByLabel[label]++;
    const sample: GeneratedSample = { text: parsed.text, label };
    if (context !== undefined) sample.context = context;
    return sample;
  }

  progress(): GenerationProgress {
    return {
      acceptedByLabel: { ...this.acceptedByLabel },
      targetPerLabel: this.perLabel,
      dropped: { ...this.dropped },
      generatedTokens: this.generatedTokens,
      elapsedMs: Date.now() - this.started,
    };
  }
}
