// ZeroGen parse rule and duplicate removal for raw generations. Kept apart from the decoding loop so the rules are
// easy to read and unit-test: a generation continues an opening quote, so the sample is the quoted text.
import type { DropReason } from './types.ts';

export type ParseResult = { ok: true; text: string } | { ok: false; reason: DropReason };

/** Counts whitespace-separated words. */
export function countWords(text: string): number {
  const t = text.trim();
  return t === '' ? 0 : t.split(/\s+/).length;
}

/**
 * Cuts a raw continuation the ZeroGen way: at the closing quote if there is one, else at the first newline, else
 * after the last sentence end (. ! ?), so an unfinished sentence at the token limit is dropped from the end; when none
 * of those occur the whole text is kept. Drops the result when it is empty or has fewer than `minWords` words.
 */
export function parseGeneration(raw: string, minWords: number): ParseResult {
  let text = raw;
  const quote = text.indexOf('"');
  const newline = text.indexOf('\n');
  if (quote >= 0) text = text.slice(0, quote);
  else if (newline >= 0) text = text.slice(0, newline);
  else {
    const stop = Math.max(text.lastIndexOf('.'), text.lastIndexOf('!'), text.lastIndexOf('?'));
    if (stop >= 0) text = text.slice(0, stop + 1);
  }
  // A newline before the closing quote still ends the sample.
  const nl = text.indexOf('\n');
  if (nl >= 0) text = text.slice(0, nl);
  text = text.replace(/\s+/g, ' ').trim();
  if (text === '') return { ok: false, reason: 'empty' };
  if (countWords(text) < minWords) return { ok: false, reason: 'tooShort' };
  return { ok: true, text };
}

/** Leading words an instruct model may put before the text it was asked for ("Review: …", "Sure! Here is …:"). */
const PREAMBLE = /^(?:(?:sure|okay|ok|certainly)[!,.]?\s*)?(?:here(?:'s| is)[^:\n]{0,80}:|(?:title|review|sentence|answer|article|text|response)\s*:)\s*/i;

/**
 * The chat-style rule: the sample is the assistant's reply, cut to its first non-empty line (the decoder stops at a
 * newline), without a leading "Here is …:" / "Review:" preamble and without quotes wrapped around the whole text.
 * When the reply was cut by the token limit (`truncated`), the unfinished last sentence is dropped as in
 * parseGeneration. Same drop reasons and minWords rule as parseGeneration.
 */
export function parseChatReply(raw: string, minWords: number, truncated = false): ParseResult {
  let text = raw.split('\n').find((line) => line.trim() !== '') ?? '';
  text = text.trim().replace(PREAMBLE, '').trim();
  const m = /^["“”](.*)["“”]$/.exec(text);
  if (m) text = m[1].trim();
  else if (/^["“]/.test(text) && !/["”]/.test(text.slice(1))) text = text.slice(1).trim(); // opened, never closed
  if (truncated) {
    const stop = Math.max(text.lastIndexOf('.'), text.lastIndexOf('!'), text.lastIndexOf('?'));
    if (stop >= 0) text = text.slice(0, stop + 1);
  }
  text = text.replace(/\s+/g, ' ').trim();
  if (text === '') return { ok: false, reason: 'empty' };
  if (countWords(text) < minWords) return { ok: false, reason: 'tooShort' };
  return { ok: true, text };
}

/**
 * The chat-style rule for a context reply (e.g. a movie title): the first quoted span when the reply quotes one
 * ("One movie is "Titanic" by …" → Titanic), else the first line cut at a dash, colon or sentence end, at most
 * `maxWords` words. Empty → { ok: false, reason: 'empty' }.
 */
export function parseContextReply(raw: string, maxWords = 8): ParseResult {
  const line = (raw.split('\n').find((l) => l.trim() !== '') ?? '').trim().replace(PREAMBLE, '');
  const quoted = /["“]([^"”]{2,})["”]/.exec(line);
  let text = quoted ? quoted[1] : line.replace(/^["“*#]+/, '').split(/\s[-–—]\s|:\s|[.!?](?:\s|$)|\s\(|\sby\s/)[0];
  text = text.replace(/[*"“”]/g, '').replace(/\s+/g, ' ').trim();
  const words = text.split(' ');
  if (words.length > maxWords) text = words.slice(0, maxWords).join(' ');
  return text === '' ? { ok: false, reason: 'empty' } : { ok: true, text };
}

/** Key used for exact-duplicate detection: whitespace runs collapsed, trimmed (case is kept). */
export function dedupKey(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Exact-duplicate filter over everything accepted in a run (including resumed samples). */
export class DedupSet {
  private readonly seen = new Set<string>();

  constructor(texts: Iterable<string> = []) {
    for (const t of texts) this.seen.add(dedupKey(t));
  }

  /** Adds the text; returns false when an equal text (after whitespace normalisation) was already present. */
  add(text: string): boolean {
    const key = dedupKey(text);
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  has(text: string): boolean {
    return this.seen.has(dedupKey(text));
  }

  get size(): number {
    return this.seen.size;
  }
}
