// Cheap diversity measures of a generated set (Li et al. 2024 report that diversity drives the value of synthetic
// data): distinct-n (unique n-grams ÷ all n-grams over the whole set, word tokens as the classifier sees them), the
// share of texts that repeat an earlier text after normalisation, and the share that open with the same first four
// words as an earlier text (template-like generations). Distinct-n falls with set size: compare sets of equal size.
import { tokenize } from './tokenizer.ts';

export interface DiversityStats {
  samples: number;
  meanTokens: number;
  distinct1: number;
  distinct2: number;
  distinct3: number;
  /** Share of texts equal to an earlier one (lowercase, word tokens). */
  duplicateShare: number;
  /** Share of texts whose first 4 tokens equal an earlier text's first 4. */
  sameOpeningShare: number;
}

const OPENING = 4;

export function diversityStats(texts: readonly string[]): DiversityStats {
  const grams = [new Set<string>(), new Set<string>(), new Set<string>()];
  const totals = [0, 0, 0];
  const seen = new Set<string>();
  const openings = new Set<string>();
  let tokens = 0;
  let dups = 0;
  let sameOpening = 0;
  for (const text of texts) {
    const t = tokenize(text);
    tokens += t.length;
    for (let n = 1; n <= 3; n++) {
      for (let i = 0; i + n <= t.length; i++) {
        grams[n - 1].add(t.slice(i, i + n).join(' '));
        totals[n - 1]++;
      }
    }
    const key = t.join(' ');
    if (seen.has(key)) dups++;
    seen.add(key);
    if (t.length >= OPENING) {
      const open = t.slice(0, OPENING).join(' ');
      if (openings.has(open)) sameOpening++;
      openings.add(open);
    }
  }
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  return {
    samples: texts.length,
    meanTokens: ratio(tokens, texts.length),
    distinct1: ratio(grams[0].size, totals[0]),
    distinct2: ratio(grams[1].size, totals[1]),
    distinct3: ratio(grams[2].size, totals[2]),
    duplicateShare: ratio(dups, texts.length),
    sameOpeningShare: ratio(sameOpening, texts.length),
  };
}

/**
 * Share of `texts` that contain a run of `n` word tokens (default 5) found in one of `sources` (e.g. the few-shot
 * examples shown in the prompts): how often the generator copies its examples instead of writing new text.
 */
export function copiedShare(texts: readonly string[], sources: readonly string[], n = 5): number {
  const grams = new Set<string>();
  for (const s of sources) {
    const t = tokenize(s);
    for (let i = 0; i + n <= t.length; i++) grams.add(t.slice(i, i + n).join(' '));
  }
  if (texts.length === 0 || grams.size === 0) return 0;
  let copied = 0;
  for (const text of texts) {
    const t = tokenize(text);
    for (let i = 0; i + n <= t.length; i++) {
      if (grams.has(t.slice(i, i + n).join(' '))) {
        copied++;
        break;
      }
    }
  }
  return copied / texts.length;
}
