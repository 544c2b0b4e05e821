// Generated hostile inputs for the hostile-input suite (hostile.e2e.test.ts): files for Import and the test-set
// upload, and command lines for both CLIs. Nothing here is a committed blob: every file is written into a temporary
// folder when the suite runs. Each case says what a correct outcome is: a clear error (matching `message` when
// given), or a correct import / accepted file with exactly `rows` rows.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Expect = { kind: 'error'; message?: RegExp } | { kind: 'ok'; rows: number };

export interface FileCase {
  name: string;
  /** File name as the user's file has it (may hold HTML, quotes, {context}, non-ASCII). */
  fileName: string;
  bytes: Uint8Array;
  expect: Expect;
}

const enc = new TextEncoder();
const u8 = (s: string) => enc.encode(s);
const line = (o: unknown) => JSON.stringify(o);
const jsonl = (rows: unknown[], sep = '\n') => u8(rows.map(line).join(sep) + sep);
const rowsOf = (n: number, labels: string[], text = (k: number) => `sample text number ${k}`) =>
  Array.from({ length: n }, (_, k) => ({ text: text(k), label: labels[k % labels.length] }));
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const utf16 = (s: string, le: boolean) => {
  const out = new Uint8Array(2 + s.length * 2);
  out.set(le ? [0xff, 0xfe] : [0xfe, 0xff]);
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    out[2 + 2 * k] = le ? c & 0xff : c >> 8;
    out[3 + 2 * k] = le ? c >> 8 : c & 0xff;
  }
  return out;
};
const seeded = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);

const XSS = `<img src=x onerror="window.__pwned=1;document.body.setAttribute('data-pwned','1')">`;
const SCRIPT = `<script>window.__pwned=1</script>`;
/** File names cannot hold '/': the same markup with a look-alike slash. */
const SCRIPT_NAME = SCRIPT.replace(/\//g, '\u2215');
/** Deep enough to overflow a recursive JSON.stringify, short enough (< 20,000 characters) to reach the JSON parser. */
const DEEP = 9_000;
const PN = ['positive', 'negative'];

/** Cases for "Import samples". `ok` rows = rows stored in the new run. */
export function importCases(): FileCase[] {
  const c: FileCase[] = [];
  const add = (name: string, fileName: string, bytes: Uint8Array, expect: Expect) => c.push({ name, fileName, bytes, expect });
  const ok = (rows: number): Expect => ({ kind: 'ok', rows });
  const err = (message?: RegExp): Expect => ({ kind: 'error', ...(message ? { message } : {}) });
  // Encodings, BOM, line ends.
  add('plain valid', 'valid.jsonl', jsonl(rowsOf(10, PN)), ok(10));
  add('UTF-8 BOM', 'bom.jsonl', concat(new Uint8Array([0xef, 0xbb, 0xbf]), jsonl(rowsOf(6, PN))), ok(6));
  add('CRLF line ends', 'crlf.jsonl', jsonl(rowsOf(6, PN), '\r\n'), ok(6));
  add('CR-only line ends', 'cr.jsonl', u8(rowsOf(4, PN).map(line).join('\r')), err());
  add('UTF-16 LE with BOM', 'utf16le.jsonl', utf16(rowsOf(4, PN).map(line).join('\n'), true), err(/not valid UTF-8|malformed JSON/));
  add('UTF-16 BE with BOM', 'utf16be.jsonl', utf16(rowsOf(4, PN).map(line).join('\n'), false), err(/not valid UTF-8|malformed JSON/));
  add('Latin-1 é', 'latin1.jsonl', concat(u8('{"text":"ok","label":"positive"}\n{"text":"caf'), new Uint8Array([0xe9]), u8('","label":"negative"}\n')), err(/not valid UTF-8 text: line 2/));
  add('overlong UTF-8', 'overlong.jsonl', concat(u8('{"text":"a'), new Uint8Array([0xc0, 0xaf]), u8('","label":"positive"}\n{"text":"b","label":"negative"}\n')), err(/not valid UTF-8 text: line 1/));
  add('lone surrogate bytes', 'surrogate.jsonl', concat(jsonl(rowsOf(2, PN)), u8('{"text":"'), new Uint8Array([0xed, 0xa0, 0x80]), u8('","label":"positive"}\n')), err(/line 3/));
  add('truncated UTF-8 at end', 'truncated.jsonl', concat(jsonl(rowsOf(2, PN)), new Uint8Array([0xe2, 0x82])), err(/not valid UTF-8/));
  add('escaped lone surrogate in JSON', 'esc-surrogate.jsonl', u8('{"text":"a \\ud800 b","label":"positive"}\n{"text":"c","label":"negative"}\n'), ok(2));
  // Wrong types, missing and extra fields.
  add('array per line', 'arrays.jsonl', u8('["a","positive"]\n["b","negative"]\n'), err(/expected a JSON object/));
  add('number per line', 'numbers.jsonl', u8('1\n2\n'), err(/expected a JSON object/));
  add('null per line', 'nulls.jsonl', u8('null\nnull\n'), err(/expected a JSON object/));
  add('string per line', 'strings.jsonl', u8('"positive"\n"negative"\n'), err(/expected a JSON object/));
  add('text is a number', 'text-number.jsonl', jsonl([{ text: 5, label: 'positive' }, { text: 'b', label: 'negative' }]), err(/"text" must be a string/));
  add('text is an object', 'text-object.jsonl', jsonl([{ text: { a: 1 }, label: 'positive' }, { text: 'b', label: 'negative' }]), err(/"text" must be a string, got an object/));
  add('label is a number', 'label-number.jsonl', jsonl([{ text: 'a', label: 1 }, { text: 'b', label: 0 }]), err(/"label" must be a string/));
  add('label is a list', 'label-list.jsonl', jsonl([{ text: 'a', label: ['positive'] }, { text: 'b', label: 'negative' }]), err(/"label" must be a string/));
  add('label is null', 'label-null.jsonl', jsonl([{ text: 'a', label: null }, { text: 'b', label: 'negative' }]), err(/"label" must be a string/));
  add('label is boolean', 'label-bool.jsonl', jsonl([{ text: 'a', label: true }, { text: 'b', label: 'negative' }]), err(/"label" must be a string/));
  add('missing text', 'no-text.jsonl', jsonl([{ label: 'positive' }, { text: 'b', label: 'negative' }]), err(/missing "text"/));
  add('missing label', 'no-label.jsonl', jsonl([{ text: 'a' }, { text: 'b', label: 'negative' }]), err(/missing "label"/));
  add('extra fields ignored', 'extra.jsonl', jsonl(rowsOf(6, PN).map((r, k) => ({ ...r, weight: k, source: 'x', nested: { deep: [1, 2] } }))), ok(6));
  add('empty text', 'empty-text.jsonl', jsonl([{ text: '', label: 'positive' }, { text: 'b', label: 'negative' }]), err(/"text" is empty/));
  add('whitespace text', 'ws-text.jsonl', jsonl([{ text: ' \t ', label: 'positive' }, { text: 'b', label: 'negative' }]), err(/"text" is empty/));
  add('trailing comma JSON', 'trailing-comma.jsonl', u8('{"text":"a","label":"positive",}\n{"text":"b","label":"negative"}\n'), err(/line 1: malformed JSON/));
  add('JSON array file', 'array-file.json', u8(JSON.stringify(rowsOf(4, PN))), err(/expected a JSON object/));
  add('pretty-printed JSON', 'pretty.jsonl', u8(JSON.stringify(rowsOf(2, PN)[0], null, 2)), err(/malformed JSON/));
  add('duplicate keys (last wins)', 'dup-keys.jsonl', u8('{"text":"a","label":"x","label":"positive"}\n{"text":"b","label":"negative"}\n'), ok(2));
  // Labels: one class, many classes, empty, look-alike, control characters, prototype keys, templates.
  add('one class', 'one-class.jsonl', jsonl(rowsOf(5, ['positive'])), err(/only one label/));
  add('10k labels', '10k-labels.jsonl', jsonl(Array.from({ length: 10_000 }, (_, k) => ({ text: `t${k}`, label: `label-${k}` }))), err(/10000 different labels; at most 1000/));
  add('1000 labels (the limit)', '1000-labels.jsonl', jsonl(Array.from({ length: 2000 }, (_, k) => ({ text: `t${k}`, label: `label-${k % 1000}` }))), ok(2000));
  add('empty label', 'empty-label.jsonl', jsonl([{ text: 'a', label: '' }, { text: 'b', label: 'negative' }]), err(/"label" is empty/));
  add('whitespace label', 'ws-label.jsonl', jsonl([{ text: 'a', label: '   ' }, { text: 'b', label: 'negative' }]), err(/"label" is empty/));
  add('NUL in label', 'nul-label.jsonl', jsonl([{ text: 'a', label: 'pos\u0000itive' }, { text: 'b', label: 'negative' }]), err(/control character U\+0000/));
  add('newline in label', 'nl-label.jsonl', jsonl([{ text: 'a', label: 'pos\nitive' }, { text: 'b', label: 'negative' }]), err(/control character U\+000A/));
  add('NUL in text is kept', 'nul-text.jsonl', jsonl([{ text: 'a\u0000b', label: 'positive' }, { text: 'b', label: 'negative' }]), ok(2));
  add('NUL bytes raw in file', 'nul-raw.jsonl', concat(jsonl(rowsOf(2, PN)), new Uint8Array([0, 0, 0, 0]), u8('\n')), err(/malformed JSON/));
  add('NFC/NFD labels merge', 'nfd.jsonl', jsonl([{ text: 'a', label: 'caf\u00e9' }, { text: 'b', label: 'cafe\u0301' }, { text: 'c', label: 'tea' }]), ok(3));
  add('zero-width look-alike label', 'zw.jsonl', jsonl([{ text: 'a', label: 'positive' }, { text: 'b', label: 'posi\u200btive' }, { text: 'c', label: 'negative' }]), ok(3));
  add('fullwidth look-alike label', 'fullwidth.jsonl', jsonl([{ text: 'a', label: 'ｐｏｓｉｔｉｖｅ' }, { text: 'b', label: 'positive' }]), ok(2));
  add('labels padded with spaces', 'padded.jsonl', jsonl([{ text: 'a', label: ' positive ' }, { text: 'b', label: 'positive' }, { text: 'c', label: 'negative' }]), ok(3));
  add('prototype-key labels', 'proto.jsonl', jsonl(rowsOf(10, ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'])), ok(10));
  add('__proto__ only pair', 'proto2.jsonl', jsonl(rowsOf(4, ['__proto__', 'prototype'])), ok(4));
  add('{context} in labels', 'context-label.jsonl', jsonl(rowsOf(4, ['{context}', 'other {context}'])), ok(4));
  add('{context} in file name', '{context}.jsonl', jsonl(rowsOf(4, PN)), ok(4));
  add('right-to-left override label', 'rlo.jsonl', jsonl(rowsOf(4, ['\u202Eevitisop', 'negative'])), ok(4));
  add('emoji labels', 'emoji.jsonl', jsonl(rowsOf(4, ['😀', '😢'])), ok(4));
  add('very long label', 'long-label.jsonl', jsonl(rowsOf(4, ['x'.repeat(5000), 'negative'])), ok(4));
  // HTML / script in texts, labels and file names.
  add('HTML in texts', 'html-text.jsonl', jsonl(rowsOf(6, PN, (k) => `${XSS} ${SCRIPT} review ${k}`)), ok(6));
  add('HTML in labels', 'html-label.jsonl', jsonl(rowsOf(6, [XSS, SCRIPT])), ok(6));
  add('HTML in file name', `${XSS}.jsonl`, jsonl(rowsOf(4, PN)), ok(4));
  add('HTML in file name (bad file)', `${SCRIPT_NAME}.jsonl`, u8('{"text":'), err(/malformed JSON/));
  add('javascript: URL text', 'js-url.jsonl', jsonl(rowsOf(4, PN, () => 'javascript:window.__pwned=1')), ok(4));
  // Sizes and shapes.
  add('empty file', 'empty.jsonl', new Uint8Array(0), err(/is empty/));
  add('only blank lines', 'blank.jsonl', u8('\n\n  \n\r\n'), err(/is empty/));
  add('1 MB line', '1mb-line.jsonl', jsonl([{ text: 'y'.repeat(1024 * 1024), label: 'positive' }, { text: 'b', label: 'negative' }]), err(/line 1: line is \d+ characters long/));
  add('line at the limit', 'limit-line.jsonl', jsonl([{ text: 'y'.repeat(19_970), label: 'positive' }, { text: 'b', label: 'negative' }]), ok(2));
  add('deep nesting', 'deep.jsonl', u8(`{"text": ${'['.repeat(DEEP)}${']'.repeat(DEEP)}, "label": "positive"}\n{"text":"b","label":"negative"}\n`), err(/"text" must be a string, got a list/));
  add('very deep nesting (a 200,000-character line)', 'deeper.jsonl', u8(`{"text": ${'['.repeat(100_000)}${']'.repeat(100_000)}, "label": "positive"}\n`), err(/line 1: line is 200031 characters long/));
  add('deep nesting in extra field', 'deep-extra.jsonl', u8(`{"text":"a","label":"positive","x":${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}}\n{"text":"b","label":"negative"}\n`), ok(2));
  add('many errors listed (at most 5)', 'many-errors.jsonl', u8('x\n'.repeat(50)), err(/at least 5 bad line/));
  add('binary (PNG header)', 'image.jsonl', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]), err(/not valid UTF-8/));
  const rnd = seeded(7);
  add('binary (random bytes)', 'random.bin', Uint8Array.from({ length: 4096 }, () => Math.floor(rnd() * 256)), err(/not valid UTF-8/));
  add('gzip bytes', 'data.jsonl.gz', new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03, 0xff, 0xfe]), err(/not valid UTF-8/));
  add('CSV valid', 'samples.csv', u8('text,label\r\n"a, with comma",positive\r\n"b ""quoted""",negative\r\n'), ok(2));
  add('CSV missing column', 'bad.csv', u8('text,klass\na,positive\n'), err(/needs a header row with the columns text and label/));
  add('CSV NUL label', 'nul.csv', u8('text,label\na,pos\u0000\nb,negative\n'), err(/control character U\+0000/));
  return c;
}

/** A 50 MB file of valid rows (the suite imports it to show large files work and report progress). */
export function bigImportFile(targetBytes = 50 * 1024 * 1024): { bytes: Uint8Array; rows: number } {
  const rowText = (k: number) => `${'a long review sentence that repeats '.repeat(6)}${k}`;
  const one = line({ text: rowText(100000), label: 'positive' }).length + 1;
  const rows = Math.min(199_000, Math.floor(targetBytes / one));
  return { bytes: jsonl(rowsOf(rows, PN, rowText)), rows };
}

/** Cases for the test-set upload, against a run with labels positive/negative. `ok` rows = rows accepted. */
export function testSetCases(): FileCase[] {
  const c: FileCase[] = [];
  const add = (name: string, fileName: string, bytes: Uint8Array, expect: Expect) => c.push({ name: `test set: ${name}`, fileName: `test-${fileName}`, bytes, expect });
  const ok = (rows: number): Expect => ({ kind: 'ok', rows });
  const err = (message?: RegExp): Expect => ({ kind: 'error', ...(message ? { message } : {}) });
  add('valid', 'valid.jsonl', jsonl(rowsOf(8, PN)), ok(8));
  add('BOM + CRLF', 'bom-crlf.jsonl', concat(new Uint8Array([0xef, 0xbb, 0xbf]), jsonl(rowsOf(4, PN), '\r\n')), ok(4));
  add('one class is fine for a test set', 'one-class.jsonl', jsonl(rowsOf(3, ['positive'])), ok(3));
  add('unknown label', 'unknown.jsonl', jsonl(rowsOf(4, ['positive', 'neutral'])), err(/unknown label "neutral"/));
  add('label case differs', 'case.jsonl', jsonl(rowsOf(4, ['Positive', 'negative'])), err(/unknown label "Positive"/));
  add('labels padded and NFD', 'padded.jsonl', jsonl(rowsOf(4, [' positive', 'negative '])), ok(4));
  add('zero-width label', 'zw.jsonl', jsonl(rowsOf(4, ['posi\u200btive', 'negative'])), err(/unknown label/));
  add('prototype-key label', 'proto.jsonl', jsonl(rowsOf(4, ['__proto__', 'negative'])), err(/unknown label "__proto__"/));
  add('constructor label', 'ctor.jsonl', jsonl(rowsOf(4, ['constructor', 'negative'])), err(/unknown label "constructor"/));
  add('Latin-1', 'latin1.jsonl', concat(u8('{"text":"caf'), new Uint8Array([0xe9]), u8('","label":"positive"}\n')), err(/not valid UTF-8 text: line 1/));
  add('UTF-16', 'utf16.jsonl', utf16(rowsOf(2, PN).map(line).join('\n'), true), err(/not valid UTF-8|malformed JSON/));
  add('empty', 'empty.jsonl', new Uint8Array(0), err(/is empty/));
  add('blank lines', 'blank.jsonl', u8('\n \n'), err(/is empty/));
  add('malformed', 'malformed.jsonl', u8('{"text":"a","label":"positive"}\n{"text":'), err(/line 2: malformed JSON/));
  add('wrong types', 'types.jsonl', jsonl([{ text: 1, label: 'positive' }, { text: 'b', label: 2 }]), err(/"text" must be a string[\s\S]*"label" must be a string/));
  add('missing fields', 'missing.jsonl', jsonl([{ text: 'a' }, { label: 'negative' }]), err(/missing "label"[\s\S]*missing "text"/));
  add('1 MB line', '1mb.jsonl', jsonl([{ text: 'z'.repeat(1024 * 1024), label: 'positive' }]), err(/line 1: the text is longer than 5000 characters/));
  add('CSV valid', 'valid.csv', u8('text,label\r\n"good, really",positive\r\nbad,negative\r\n'), ok(2));
  add('CSV NUL label', 'nul.csv', u8('text,label\ngood,pos\u0000itive\n'), err(/control character U\+0000/));
  add('TSV NFD label', 'nfd.tsv', u8('label\ttext\npositive\tgood\nnegative\tbad\n'), ok(2));
  add('unknown file type', 'data.xlsx', u8('PK\u0003\u0004'), err(/unknown file type/));
  add('deep nesting', 'deep.jsonl', u8(`{"text": ${'['.repeat(DEEP)}${']'.repeat(DEEP)}, "label": "positive"}\n`), err(/got a list/));
  add('binary', 'binary.jsonl', new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]), err(/not valid UTF-8/));
  add('NUL label', 'nul.jsonl', jsonl([{ text: 'a', label: 'positive\u0000' }]), err(/control character U\+0000/));
  add('HTML in texts', 'html.jsonl', jsonl(rowsOf(4, PN, () => XSS)), ok(4));
  add('HTML in label', 'html-label.jsonl', jsonl(rowsOf(2, [XSS])), err(/unknown label/));
  add('HTML in file name', `${XSS}.jsonl`, jsonl(rowsOf(2, PN)), ok(2));
  add('{context} label', 'context.jsonl', jsonl(rowsOf(2, ['{context}'])), err(/unknown label "\{context\}"/));
  add('JSON array file', 'array.json', u8(JSON.stringify(rowsOf(2, PN))), err(/expected a JSON object/));
  return c;
}

export interface CliCase {
  name: string;
  cli: 'generate' | 'bench:sungen';
  args: string[];
  /** 0 = success, 1 = clear data/runtime error, 2 = usage error. */
  exit: 0 | 1 | 2;
  message?: RegExp;
  /** A file that must exist afterwards. */
  creates?: string;
  /** A file that must still hold exactly this content afterwards (never overwritten without --force). */
  keeps?: { path: string; content: string };
}

/** CLI cases; files are written under `dir`. */
export function cliCases(dir: string): CliCase[] {
  mkdirSync(dir, { recursive: true });
  const f = (name: string, bytes: Uint8Array | string) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  const train = f('train.jsonl', jsonl(rowsOf(40, PN, (k) => (k % 2 ? `bad awful dull film ${k}` : `great lovely fun film ${k}`))));
  const test = f('test.jsonl', jsonl(rowsOf(10, PN, (k) => (k % 2 ? 'awful film' : 'lovely film'))));
  const existing = f('exists.jsonl', 'keep me\n');
  const folder = join(dir, 'a-folder');
  mkdirSync(folder, { recursive: true });
  const bench = ['--model', 'fast', '--methods', 'none', '--seeds', '1', '--epochs', '1', '--throughput-steps', '0', '--vocab', '200'];
  const task = (name: string, obj: unknown) => f(name, typeof obj === 'string' ? obj : JSON.stringify(obj));
  const c: CliCase[] = [];
  const g = (name: string, args: string[], exit: 0 | 1 | 2, message?: RegExp, extra: Partial<CliCase> = {}) => c.push({ name: `generate: ${name}`, cli: 'generate', args, exit, ...(message ? { message } : {}), ...extra });
  const b = (name: string, args: string[], exit: 0 | 1 | 2, message?: RegExp) => c.push({ name: `bench:sungen: ${name}`, cli: 'bench:sungen', args, exit, ...(message ? { message } : {}) });
  const base = ['--task', 'happy-sad-stories', '--per-label', '2'];
  g('--help', ['--help'], 0, /Usage: npm run generate/);
  g('no arguments', [], 2, /--task is required/);
  g('unknown option', ['--bogus'], 2, /Unknown option --bogus/);
  g('positional argument', ['hello'], 2, /Unexpected argument "hello"/);
  g('option twice', [...base, '--per-label', '3', '--out', join(dir, 'x.jsonl')], 2, /--per-label is given twice/);
  g('--out is a folder', [...base, '--out', folder], 2, /is a folder/);
  g('--out in a missing folder', [...base, '--out', join(dir, 'missing', 'o.jsonl')], 2, /does not exist/);
  g('--out unwritable', [...base, '--out', '/proc/sungen-hostile.jsonl'], 2, /cannot write|not writable/);
  g('--out a device', [...base, '--out', '/dev/null', '--force'], 2, /not a regular file/);
  g('--out exists', [...base, '--out', existing], 2, /already exists; pass --force/, { keeps: { path: existing, content: 'keep me\n' } });
  g('per-label not a number', ['--task', 'happy-sad-stories', '--per-label', 'ten', '--out', join(dir, 'n.jsonl')], 2, /--per-label must be a number/);
  g('per-label zero', ['--task', 'happy-sad-stories', '--per-label', '0', '--out', join(dir, 'z.jsonl')], 2, /at least 1/);
  g('temperature out of range', [...base, '--temperature', '99', '--out', join(dir, 't.jsonl')], 2, /temperature must be between/);
  g('unknown preset', ['--task', 'nope', '--per-label', '2', '--out', join(dir, 'p.jsonl')], 2, /neither a preset id nor an existing JSON file/);
  g('task file malformed', ['--task', task('bad-task.json', '{"id": '), '--per-label', '2', '--out', join(dir, 'm.jsonl')], 2, /not valid JSON/);
  g('task file with one label', ['--task', task('one-task.json', { id: 't', name: 't', labels: [{ name: 'a', prompt: 'p' }] }), '--per-label', '2', '--out', join(dir, 'o.jsonl')], 2, /at least 2 labels/);
  g('task file with empty label', ['--task', task('empty-task.json', { id: 't', name: 't', labels: [{ name: ' ', prompt: 'p' }, { name: 'b', prompt: 'q' }] }), '--per-label', '2', '--out', join(dir, 'e.jsonl')], 2, /name must be a non-empty string/);
  g('task file deeply nested', ['--task', task('deep-task.json', '['.repeat(100_000) + ']'.repeat(100_000)), '--per-label', '2', '--out', join(dir, 'd.jsonl')], 2, /Task must be a JSON object/);
  g('task file binary', ['--task', f('bin-task.json', new Uint8Array([0xff, 0xfe, 0, 1])), '--per-label', '2', '--out', join(dir, 'b.jsonl')], 2, /not valid UTF-8/);
  g('task file is a folder', ['--task', folder, '--per-label', '2', '--out', join(dir, 'f.jsonl')], 2, /is not a file/);
  g('unknown model', [...base, '--model', 'nobody/nothing', '--out', join(dir, 'u.jsonl')], 2, /Unknown model/);
  g('prototype-key labels generate', ['--task', task('proto-task.json', { id: 't', name: 't', labels: [{ name: 'constructor', prompt: 'Once upon a time' }, { name: '__proto__', prompt: 'One day' }] }), '--per-label', '2', '--out', join(dir, 'proto-out.jsonl')], 0, /Wrote 4 samples/, { creates: join(dir, 'proto-out.jsonl') });
  g('valid with --force over an existing file', [...base, '--out', f('over.jsonl', 'old\n'), '--force'], 0, /Wrote 4 samples/);
  b('--help', ['--help'], 0, /Usage: npm run bench:sungen/);
  b('no arguments', [], 2, /--train FILE is required/);
  b('unknown option', ['--bogus'], 2, /Unknown option --bogus/);
  b('bad --model', ['--train', train, '--test', test, '--model', 'gpt'], 2, /--model must be lstm, transformer or fast/);
  b('bad --seeds', ['--train', train, '--test', test, '--seeds', '-1'], 2, /--seeds must be a positive integer/);
  b('bad --keep', ['--train', train, '--test', test, '--keep', '2'], 2, /--keep must be in \(0, 1\]/);
  b('bad --methods', ['--train', train, '--test', test, '--methods', 'magic'], 2, /magic/);
  b('bad --sungen-rank', ['--train', train, '--test', test, '--sungen-rank', 'loss'], 2, /--sungen-rank must be theta or theta\+loss/);
  b('bad --selection-folds', ['--train', train, '--test', test, '--selection-folds', '2.5'], 2, /--selection-folds must be an integer from 0 to 10/);
  b('--test missing value', ['--train', train, '--test'], 2, /--test needs a value/);
  b('missing train file', ['--train', join(dir, 'nope.jsonl'), '--test', test], 2, /does not exist/);
  b('train is a folder', ['--train', folder, '--test', test], 2, /is not a file/);
  b('empty labels', ['--train', f('empty-labels.jsonl', jsonl([{ text: 'a', label: '' }, { text: 'b', label: ' ' }])), '--test', test, ...bench], 1, /"label" is empty/);
  b('one class', ['--train', f('one.jsonl', jsonl(rowsOf(4, ['positive']))), '--test', test, ...bench], 1, /only one label/);
  b('deep nesting', ['--train', f('deep.jsonl', `{"text": ${'['.repeat(DEEP)}${']'.repeat(DEEP)}, "label": "positive"}\n`), '--test', test, ...bench], 1, /got a list/);
  b('deep nesting in a test file', ['--train', train, '--test', f('deep-test.jsonl', `{"text": ${'['.repeat(DEEP)}${']'.repeat(DEEP)}, "label": "positive"}\n`), ...bench], 1, /got a list/);
  b('Latin-1 train', ['--train', f('latin1.jsonl', concat(u8('{"text":"caf'), new Uint8Array([0xe9]), u8('","label":"positive"}\n'))), '--test', test, ...bench], 1, /not valid UTF-8 text: line 1/);
  b('binary test', ['--train', train, '--test', f('bin.jsonl', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff])), ...bench], 1, /not valid UTF-8/);
  b('test labels differ', ['--train', train, '--test', f('other-labels.jsonl', jsonl(rowsOf(4, ['yes', 'no']))), ...bench], 1, /do not match the run's labels/);
  b('malformed train', ['--train', f('malformed.jsonl', '{"text":"a","label":"positive"}\n{"text":\n'), '--test', test, ...bench], 1, /line 2: malformed JSON/);
  b('prototype-key labels train', ['--train', f('proto.jsonl', jsonl(rowsOf(20, ['constructor', '__proto__']))), '--test', f('proto-test.jsonl', jsonl(rowsOf(4, ['constructor', '__proto__']))), ...bench], 0);
  b('valid tiny run', ['--train', train, '--test', test, ...bench, '--json'], 0, /"results"/);
  return c;
}
