// Parses labelled JSONL ({"text": str, "label": str} per line) with errors that name the file and line, so a bad
// upload or generated file is fixable by the user. Pure string → rows; reading files lives with the callers.

export interface LabelledRow {
  text: string;
  label: string;
  /** 1-based line number in the source. */
  line: number;
}

export interface ParseJsonlOptions {
  /** Name used in error messages (file name or "uploaded test set"). */
  source?: string;
  /** When given, every label must be one of these names (matched exactly, by name). */
  labelNames?: readonly string[];
  /** Stop after this many errors and report them together (default 5). */
  maxErrors?: number;
}

/** Error listing every problem found (up to maxErrors), each with its line number. */
export class JsonlError extends Error {
  readonly problems: { line: number; message: string }[];
  constructor(source: string, problems: { line: number; message: string }[], truncated: boolean) {
    const list = problems.map((p) => `  line ${p.line}: ${p.message}`).join('\n');
    super(`${source} has ${truncated ? 'at least ' : ''}${problems.length} bad line(s):\n${list}`);
    this.name = 'JsonlError';
    this.problems = problems;
  }
}

/** Short description of a wrong value for a message; never recurses into it (deep nesting must not overflow the stack). */
function preview(value: unknown): string {
  if (Array.isArray(value)) return `a list (${value.length} item${value.length === 1 ? '' : 's'})`;
  if (value !== null && typeof value === 'object') return 'an object';
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** C0/C1 control characters (NUL, escape, ...) are never part of a label. */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHAR = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The form a label is stored and matched in: Unicode NFC (so a precomposed "é" and "e" + combining accent are the
 * same label) without surrounding white space. Used for imports, test sets and the CLIs alike.
 */
export function normalizeLabel(label: string): string {
  return label.normalize('NFC').trim();
}

/** Zero-width and direction-control characters: invisible, yet they make two labels different strings. */
// eslint-disable-next-line no-misleading-character-class
const INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]/g;

/** What a person sees of a label: compatibility-normalised (NFKC: fullwidth, ligatures...) without invisible characters. */
export function labelSkeleton(label: string): string {
  return label.normalize('NFKC').replace(INVISIBLE, '').trim();
}

/**
 * Warnings for labels that are different strings but look the same (they differ only by invisible characters or by
 * compatibility look-alikes such as fullwidth letters): each would silently become its own class.
 */
export function lookAlikeLabelWarnings(labels: readonly string[], source: string): string[] {
  const bySkeleton = new Map<string, string[]>();
  for (const l of labels) {
    const key = labelSkeleton(l);
    const list = bySkeleton.get(key);
    if (list) list.push(l);
    else bySkeleton.set(key, [l]);
  }
  const warnings: string[] = [];
  for (const group of bySkeleton.values()) {
    if (group.length < 2) continue;
    const shown = group.map((l) => `${JSON.stringify(l)} (${[...l].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ')})`);
    warnings.push(`${source}: labels ${shown.join(' and ')} look the same but differ by invisible or look-alike characters, so they are separate classes. Fix the file if they should be one label.`);
  }
  return warnings;
}

/**
 * Parses JSONL text. Blank lines are skipped; a leading BOM and CRLF line ends are accepted. Labels are normalised
 * (normalizeLabel); an empty label or one with a control character (e.g. NUL) is a line error.
 */
export function parseLabelledJsonl(text: string, opts: ParseJsonlOptions = {}): LabelledRow[] {
  const source = opts.source ?? 'JSONL input';
  const maxErrors = opts.maxErrors ?? 5;
  const allowed = opts.labelNames ? new Set(opts.labelNames.map(normalizeLabel)) : null;
  const problems: { line: number; message: string }[] = [];
  const rows: LabelledRow[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let k = 0; k < lines.length && problems.length < maxErrors; k++) {
    const raw = lines[k].trim();
    if (!raw) continue;
    const line = k + 1;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      problems.push({ line, message: `malformed JSON (${(e as Error).message})` });
      continue;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      problems.push({ line, message: 'expected a JSON object like {"text": "...", "label": "..."}' });
      continue;
    }
    const { text: t, label } = obj as { text?: unknown; label?: unknown };
    if (t === undefined) problems.push({ line, message: 'missing "text"' });
    else if (typeof t !== 'string') problems.push({ line, message: `"text" must be a string, got ${preview(t)}` });
    else if (!t.trim()) problems.push({ line, message: '"text" is empty' });
    else if (label === undefined) problems.push({ line, message: 'missing "label"' });
    else if (typeof label !== 'string') problems.push({ line, message: `"label" must be a string (the label name), got ${preview(label)}` });
    else {
      const name = normalizeLabel(label);
      const control = CONTROL_CHAR.exec(name);
      if (!name) problems.push({ line, message: '"label" is empty' });
      else if (control) problems.push({ line, message: `"label" contains the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` });
      else if (allowed && !allowed.has(name)) {
        problems.push({ line, message: `unknown label ${preview(name)}; the task's labels are ${[...allowed].map((l) => JSON.stringify(l)).slice(0, 20).join(', ')}` });
      } else rows.push({ text: t, label: name, line });
    }
  }
  if (problems.length) throw new JsonlError(source, problems, problems.length >= maxErrors);
  if (!rows.length) throw new Error(`${source} contains no rows.`);
  return rows;
}
