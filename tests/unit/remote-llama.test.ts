// The CLI against a REAL OpenAI-compatible server: llama-cpp-python's server (built by `npm run llama-server:build`)
// serving SmolLM2-135M-Instruct on 127.0.0.1. 2 × 20 samples through /v1/completions (ZeroGen continuation prompt),
// 2 × 5 through /v1/chat/completions (the task's chat messages), and a run whose server is killed half-way: the
// partial file keeps every sample received, and --resume finishes the run once the server is back.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMOLLM2_ALIAS, startLlamaServer, type LlamaServer } from '../helpers/llama-server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, ['src/cli/generate.ts', ...args], { cwd: ROOT, timeout: 300_000 }, (err, _out, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

function rows(file: string): { text: string; label: string }[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('generate CLI against a real llama-cpp-python server', () => {
  let server: LlamaServer;
  let dir: string;
  beforeAll(async () => {
    server = await startLlamaServer();
    dir = mkdtempSync(path.join(tmpdir(), 'sungen-llama-'));
  }, 180_000);
  afterAll(async () => {
    await server?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const args = (out: string, perLabel: number) => [
    '--task', 'happy-sad-stories', '--per-label', String(perLabel), '--out', out,
    '--server', server.url, '--server-model', SMOLLM2_ALIAS, '--in-flight', '4', '--n', '2', '--max-new-tokens', '32', '--seed', '3',
  ];

  it('generates 2 × 20 samples through /v1/completions and 2 × 5 through /v1/chat/completions', async () => {
    const out = path.join(dir, 'completions.jsonl');
    const r = await cli(args(out, 20));
    expect(r.stderr).toContain('through /v1/completions: 4 requests in flight, n = 2');
    expect(r.code, r.stderr).toBe(0);
    // llama-cpp-python ignores n: the generator notices and asks for one sample per request.
    expect(r.stderr).toMatch(/Wrote 40 samples, .* \([\d.]+ samples\/s, [\d.]+ tokens\/s\)/);
    const got = rows(out);
    expect(got.filter((x) => x.label === 'happy')).toHaveLength(20);
    expect(got.filter((x) => x.label === 'sad')).toHaveLength(20);
    expect(new Set(got.map((x) => x.text)).size).toBe(40);
    expect(got.every((x) => x.text.split(/\s+/).length >= 3 && !x.text.includes('"') && !x.text.includes('\n'))).toBe(true);

    const chatOut = path.join(dir, 'chat.jsonl');
    const c = await cli([...args(chatOut, 5), '--prompt-style', 'chat']);
    expect(c.stderr).toContain('through /v1/chat/completions');
    expect(c.code, c.stderr).toBe(0);
    expect(rows(chatOut)).toHaveLength(10);
  });

  it('keeps every received sample when the server is killed mid-run, and --resume finishes when it is back', async () => {
    const out = path.join(dir, 'killed.jsonl');
    const partial = `${out}.partial`;
    const child = spawn(TSX, ['src/cli/generate.ts', ...args(out, 20), '--max-retries', '2'], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    const deadline = Date.now() + 120_000;
    while (!(existsSync(partial) && rows(partial).length >= 6)) {
      if (Date.now() > deadline) throw new Error(`no samples arrived:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await server.kill();
    const code = await exited;
    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(/Server 127\.0\.0\.1:\d+: (does not answer|closed the connection)/);
    const kept = rows(partial); // every line is whole JSON: nothing half-written
    expect(kept.length).toBeGreaterThanOrEqual(6);
    expect(kept.length).toBe(Number(/Kept (\d+) samples/.exec(stderr)![1]));

    await server.restart();
    const r = await cli([...args(out, 20), '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Resuming with ${kept.length} samples`);
    const all = rows(out);
    expect(all.slice(0, kept.length)).toEqual(kept);
    expect(all.filter((x) => x.label === 'happy')).toHaveLength(20);
    expect(all.filter((x) => x.label === 'sad')).toHaveLength(20);
    expect(new Set(all.map((x) => x.text)).size).toBe(40);
  });
});
