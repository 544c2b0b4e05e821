// The acceptance bookkeeping every generator shares (in-page model and OpenAI-compatible server): per-label targets
// counting samples already stored, the ZeroGen parse rule, exact-duplicate removal, drop reasons and token counts.
import type { LabelSpec, TaskSpec } from '../tasks/types.ts';
import { DedupSet, type ParseResult } from './parse.ts';
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
   * Accepts a parsed generation (parseGeneration / parseChatReply) for `label` unless the label is full, the text was
   * dropped by the parse rule or is a duplicate. Returns the sample, or null (counted in `dropped` when it was the
   * text's fault).
   */
  offer(parsed: ParseResult, label: string, context?: string): GeneratedSample | null {
    if (this.deficit(label) === 0) return null; // target reached meanwhile
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
