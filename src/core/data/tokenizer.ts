// Word tokeniser and vocabulary for the task models: lowercase, words and punctuation as separate tokens (the eval
// sets are pre-tokenised, e.g. "moore 's"), vocabulary built from the synthetic training set only.

/** Reserved ids. */
export const PAD_ID = 0;
export const UNK_ID = 1;
export const MAX_VOCAB_SIZE = 50_000;

// Words (letters/digits, with inner apostrophes split off as in "moore 's" / "do n't" is not attempted) or single
// punctuation characters.
export const TOKEN_RE = /[\p{L}\p{N}]+|'[\p{L}]+|[^\s\p{L}\p{N}]/gu;

/** Lowercased word and punctuation tokens. `maxTokens` stops early on very long texts. */
export function tokenize(text: string, maxTokens = Number.POSITIVE_INFINITY): string[] {
  const out: string[] = [];
  const lower = text.toLowerCase();
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(lower); m && out.length < maxTokens; m = TOKEN_RE.exec(lower)) out.push(m[0]);
  return out;
}

export interface Vocabulary {
  /** tokens[id] is the token; tokens[0] = '<pad>', tokens[1] = '<unk>'. */
  tokens: string[];
  /** Minimum count a token needed in the training texts. */
  minCount: number;
}

export interface BuildVocabOptions {
  /** Upper bound on ids including pad/unk (default and hard cap 50,000). */
  maxSize?: number;
  /** Tokens seen fewer times are mapped to unk (default 1). */
  minCount?: number;
}

/** Most frequent tokens first (ties broken alphabetically, so the vocabulary is deterministic). */
export function buildVocabulary(texts: Iterable<string>, opts: BuildVocabOptions = {}): Vocabulary {
  const maxSize = Math.min(opts.maxSize ?? MAX_VOCAB_SIZE, MAX_VOCAB_SIZE);
  const minCount = opts.minCount ?? 1;
  if (!(Number.isInteger(maxSize) && maxSize >= 3)) throw new Error(`Vocabulary size must be an integer ≥ 3 (got ${opts.maxSize}).`);
  const counts = new Map<string, number>();
  for (const t of texts) for (const tok of tokenize(t)) counts.set(tok, (counts.get(tok) ?? 0) + 1);
  const kept = [...counts.entries()]
    .filter(([, n]) => n >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, maxSize - 2)
    .map(([tok]) => tok);
  return { tokens: ['<pad>', '<unk>', ...kept], minCount };
}

/** token → id lookup for a vocabulary (build once per dataset, not per text). */
export function vocabIndex(vocab: Vocabulary): Map<string, number> {
  return new Map(vocab.tokens.map((tok, id) => [tok, id]));
}

/** Writes the ids of `text` into `out` (length maxLenTokens, already zero = pad); extra tokens are dropped. */
export function encodeInto(text: string, index: Map<string, number>, out: Int32Array): number {
  const toks = tokenize(text, out.length);
  for (let k = 0; k < toks.length; k++) out[k] = index.get(toks[k]) ?? UNK_ID;
  return toks.length;
}
