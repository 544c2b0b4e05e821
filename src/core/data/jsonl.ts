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

function preview(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Parses JSONL text. Blank lines are skipped; a leading BOM and CRLF line ends are accepted. */
export function parseLabelledJsonl(text: string, opts: ParseJsonlOptions = {}): LabelledRow[] {
  const source = opts.source ?? 'JSONL input';
  const maxErrors = opts.maxErrors ?? 5;
  const allowed = opts.labelNames ? new Set(opts.labelNames) : null;
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
    else if (allowed && !allowed.has(label)) {
      problems.push({ line, message: `unknown label ${preview(label)}; the task's labels are ${[...allowed].map((l) => JSON.stringify(l)).join(', ')}` });
    } else rows.push({ text: t, label, line });
  }
  if (problems.length) throw new JsonlError(source, problems, problems.length >= maxErrors);
  if (!rows.length) throw new Error(`${source} contains no rows.`);
  return rows;
}
