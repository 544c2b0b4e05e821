// The acceptance bookkeeping every generator shares (in-page model and OpenAI-compatible server): per-label targets
// counting samples already stored, the ZeroGen parse rule, exact-duplicate removal, drop reasons and token counts.
import type { LabelSpec, TaskSpec } from '../tasks/types.ts';
import { DedupSet, type ParseResult } from './parse.ts';
import type { DropReason, GeneratedSample, GenerationProgress } from './types.ts';

export class SampleAccumulator {
  /** A Map: label names are user text ("constructor", "__proto__", "toString" are valid names), never object keys. */
  readonly acceptedByLabel: Map<string, number>;
  readonly dropped: Record<DropReason, number> = { tooShort: 0, duplicate: 0, empty: 0 };
  generatedTokens = 0;
  private readonly dedup: DedupSet;
  private readonly started = Date.now();

  constructor(
    private readonly task: TaskSpec,
    readonly perLabel: number,
    already: readonly GeneratedSample[] = [],
  ) {
    this.acceptedByLabel = new Map(task.labels.map((l) => [l.name, 0]));
    for (const s of already) {
      const n = this.acceptedByLabel.get(s.label);
      if (n !== undefined) this.acceptedByLabel.set(s.label, n + 1);
    }
    this.dedup = new DedupSet(already.map((x) => x.text));
  }

  deficit(label: LabelSpec | string): number {
    const name = typeof label === 'string' ? label : label.name;
    const n = this.acceptedByLabel.get(name);
    return n === undefined ? 0 : Math.max(0, this.perLabel - n); // a label the task does not have needs nothing
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
    this.acceptedByLabel.set(label, (this.acceptedByLabel.get(label) ?? 0) + 1);
    const sample: GeneratedSample = { text: parsed.text, label };
    if (context !== undefined) sample.context = context;
    return sample;
  }

  progress(): GenerationProgress {
    return {
      acceptedByLabel: Object.fromEntries(this.acceptedByLabel), // own data properties only (safe for any label name)
      targetPerLabel: this.perLabel,
      dropped: { ...this.dropped },
      generatedTokens: this.generatedTokens,
      elapsedMs: Date.now() - this.started,
    };
  }
}
