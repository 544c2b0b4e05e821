// Few-shot examples from a small labelled file (JSONL, CSV or TSV with text and label, or TXT `label<TAB>text`),
// for the few-shot lever of a task. Reuses the test-file reader (same formats, same label matching by name, same
// line-numbered messages) and adds what examples need: every task label present, a size cap, and an optional
// seeded pick of a few examples per label from a larger labelled file.
import { parseTestFile, TestFileError } from '../evaluate/test-file.ts';
import type { FewShotExample } from '../tasks/types.ts';
import { LEVER_LIMITS } from '../tasks/validate.ts';
import { mixSeed, mulberry32 } from './prng.ts';

/** Largest few-shot file read (bytes). */
export const MAX_FEW_SHOT_FILE_BYTES = 2 * 1024 * 1024;

export class FewShotFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FewShotFileError';
  }
}

export interface FewShotFileOptions {
  /** Keep only this many examples per label, drawn by `seed` (for a labelled file larger than a few-shot pool). */
  perLabel?: number;
  seed?: number;
}

/**
 * Reads few-shot examples for a task with `labelNames`. Throws FewShotFileError naming the file and what is wrong:
 * unknown format, bad lines (with their numbers), a label that is not the task's, a task label with no example, or
 * too many examples (with the way out: `perLabel`).
 */
export function parseFewShotFile(fileName: string, text: string, labelNames: readonly string[], opts: FewShotFileOptions = {}): FewShotExample[] {
  const source = `Few-shot file ${fileName || '(unnamed)'}`;
  let rows;
  try {
    rows = parseTestFile(fileName, text, labelNames);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new FewShotFileError(e instanceof TestFileError ? `${source}: ${msg}` : msg);
  }
  const long = rows.find((r) => r.text.length > LEVER_LIMITS.exampleChars);
  if (long) throw new FewShotFileError(`${source}: line ${long.line}: the text is longer than ${LEVER_LIMITS.exampleChars} characters; few-shot examples are short.`);
  let examples: FewShotExample[] = rows.map((r) => ({ text: r.text.trim(), label: r.label }));
  const missing = labelNames.filter((n) => !examples.some((e) => e.label === n));
  if (missing.length) {
    throw new FewShotFileError(`${source} has no example for label(s) ${missing.map((m) => JSON.stringify(m)).join(', ')}; every label of the task needs at least one.`);
  }
  if (opts.perLabel !== undefined) {
    if (!Number.isInteger(opts.perLabel) || opts.perLabel < 1) throw new FewShotFileError(`The number of examples per label must be a whole number ≥ 1 (got ${opts.perLabel}).`);
    const rng = mulberry32(mixSeed(opts.seed ?? 0, 0x706f6f6c));
    const picked: FewShotExample[] = [];
    for (const name of labelNames) {
      const pool = examples.filter((e) => e.label === name);
      for (let i = pool.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [pool[i], pool[j]] = [pool[j], pool[i]];
      }
      picked.push(...pool.slice(0, opts.perLabel));
    }
    examples = picked;
  }
  if (examples.length > LEVER_LIMITS.examples) {
    throw new FewShotFileError(`${source} has ${examples.length} examples; at most ${LEVER_LIMITS.examples} are kept with a task. Use a smaller file or pick a few per label.`);
  }
  return examples;
}
