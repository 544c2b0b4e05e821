// The levers on the command line (generate, bench:pipeline): --topics (list or @file), --topic-template, --no-topics,
// --few-shot-file, --few-shot-per-label, --shots; bad options are usage errors, a bad file names the file and line
// and exits 1 before any model is loaded.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { applyLeverArgs } from '../../src/cli/lever-args.ts';
import { findTaskPreset } from '../../src/core/tasks/presets.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'lever-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const sst2 = findTaskPreset('sst-2')!;
const apply = (values: Record<string, string>, flags: string[] = []) => applyLeverArgs(sst2, new Map(Object.entries(values)), new Set(flags), 1);

describe('lever options', () => {
  it('reads topics from a list or a file, examples from a file (optionally a few per label), and shots', () => {
    expect(apply({ topics: 'the acting, the plot ,', 'topic-template': 'Focus on {topic}.' })).toMatchObject({
      topics: ['the acting', 'the plot'], topicTemplate: 'Focus on {topic}.',
    });
    expect(apply({ topics: `@${file('t.txt', 'a\r\nb\n\n')}` }).topics).toEqual(['a', 'b']);
    const csv = file('ex.csv', 'text,label\n"great, truly",positive\nawful,negative\nfine,positive\n');
    const t = apply({ 'few-shot-file': csv, shots: '1' });
    expect(t.examples).toHaveLength(3);
    expect(t.shots).toBe(1);
    expect(apply({ 'few-shot-file': csv, 'few-shot-per-label': '1' }).examples).toHaveLength(2);
    expect(apply({ topics: 'x' }, []).topics).toEqual(['x']);
    expect(applyLeverArgs({ ...sst2, topics: ['y'] }, new Map(), new Set(['no-topics']), 1).topics).toBeUndefined();
  });

  it('names bad options and bad files', () => {
    expect(() => apply({ shots: '2' })).toThrow(UsageError);
    expect(() => apply({ shots: '2' })).toThrow(/--shots needs examples/);
    expect(() => apply({ topics: ' , ' })).toThrow(/--topics gives no topic/);
    expect(() => apply({ topics: 'a', 'topic-template': 'Focus.' })).toThrow(/topicTemplate must be a sentence containing \{topic\}/);
    expect(() => apply({ topics: 'a' }, ['no-topics'])).toThrow(/contradict/);
    expect(() => apply({ 'few-shot-file': path.join(dir, 'missing.jsonl') })).toThrow(/does not exist/);
    expect(() => apply({ 'few-shot-file': file('bad.jsonl', '{"text":"ok","label":"good"}\n') })).toThrow(
      /Few-shot file .*bad\.jsonl: .*line 1: unknown label "good"; the task's labels are "positive", "negative"/s,
    );
    expect(() => apply({ 'few-shot-per-label': '2' })).toThrow(/needs --few-shot-file/);
  });

  it('generate stops with one clear line (exit 1) on a bad few-shot file, before loading a model', async () => {
    const bad = file('one-label.jsonl', '{"text":"nice","label":"positive"}\n');
    const root = path.resolve(import.meta.dirname, '../..');
    const res = await promisify(execFile)('npx', ['tsx', 'src/cli/generate.ts', '--task', 'sst-2', '--per-label', '1', '--out', path.join(dir, 'o.jsonl'), '--few-shot-file', bad], { cwd: root }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/Few-shot file .*one-label\.jsonl has no example for label\(s\) "negative"/);
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
