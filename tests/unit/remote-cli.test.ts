// `npm run generate -- --server …` end to end in a child process against the local fault server: a full run, every
// kind of bad input (clear message, nothing written), a server failing half-way (samples kept in FILE.partial) and
// --resume finishing the run with exact per-label counts and no duplicates.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, ['src/cli/generate.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 90_000 }, (err, _out, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

function lines(file: string): { text: string; label: string }[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

describe('generate CLI with --server', () => {
  let fs: FaultServer;
  let dir: string;
  beforeAll(async () => {
    fs = await startFaultServer();
    dir = mkdtempSync(path.join(tmpdir(), 'sungen-cli-'));
  });
  afterAll(async () => {
    await fs.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const base = (out: string, perLabel = 10) => ['--task', 'sst-2', '--per-label', String(perLabel), '--out', out, '--server', fs.url, '--server-model', fs.model, '--in-flight', '3', '--n', '2'];

  it('generates 2 x 10 samples and reports samples/s and tokens/s', async () => {
    fs.set('ok');
    const out = path.join(dir, 'ok.jsonl');
    const r = await cli([...base(out), '--max-retries', '1']);
    expect(r.stderr).toContain('through /v1/completions: 3 requests in flight, n = 2');
    expect(r.stderr).toMatch(/Wrote 20 samples, .* tokens in [\d.]+ s \([\d.]+ samples\/s, [\d.]+ tokens\/s\)/);
    expect(r.code).toBe(0);
    const rows = lines(out);
    expect(rows.filter((x) => x.label === 'positive')).toHaveLength(10);
    expect(rows.filter((x) => x.label === 'negative')).toHaveLength(10);
    expect(existsSync(`${out}.partial`)).toBe(false);

    const chatOut = path.join(dir, 'chat.jsonl');
    fs.requests.length = 0;
    const chat = await cli([...base(chatOut), '--prompt-style', 'chat']);
    expect(chat.stderr).toContain('through /v1/chat/completions');
    expect(chat.code).toBe(0);
    expect(lines(chatOut)).toHaveLength(20);
    expect(fs.requests.filter((q) => q.method === 'POST').every((q) => q.path === '/v1/chat/completions' || q.body.prompt === 'Movie: "')).toBe(true);
  });

  it('refuses bad input with a clear message and writes nothing', async () => {
    const out = path.join(dir, 'bad.jsonl');
    const dead = await startFaultServer();
    const deadUrl = dead.url;
    await dead.close();
    const cases: [string[], number, RegExp, Record<string, string>?][] = [
      [['--server', '127.0.0.1:8000', '--server-model', 'm'], 2, /has no scheme: write http:\/\/127\.0\.0\.1:8000/],
      [['--server', deadUrl, '--server-model', 'm'], 1, /does not answer at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/],
      [['--server', fs.url, '--server-model', 'gpt-9'], 1, /does not serve a model named "gpt-9"; it serves "test-model"/],
      [['--server', fs.url, '--server-model', fs.model, '--api-key-env', 'MY_KEY'], 2, /MY_KEY is not set/],
      [['--server', fs.url, '--server-model', fs.model, '--prompt-style', 'embeddings'], 2, /--prompt-style must be "chat" or "continuation"/],
      [['--server', fs.url, '--server-model', fs.model, '--model', 'karpathy/stories260K'], 2, /either --model .* or --server/],
      [['--server', fs.url, '--server-model', fs.model, '--in-flight', '0'], 2, /concurrency must be a whole number from 1 to 256/],
      [['--server-model', fs.model], 2, /--server-model needs --server URL/],
    ];
    for (const [args, code, message, env] of cases) {
      const r = await cli(['--task', 'sst-2', '--per-label', '5', '--out', out, ...args], env);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(code);
      expect(existsSync(out) || existsSync(`${out}.partial`)).toBe(false);
    }
    fs.set('html-200', 1);
    const notOpenAi = await cli(['--task', 'sst-2', '--per-label', '5', '--out', out, '--server', fs.url, '--server-model', fs.model]);
    expect(notOpenAi.stderr).toMatch(/HTML page instead of JSON/);
    expect(notOpenAi.code).toBe(1);
    fs.apiKey = 'secret';
    const refused = await cli(['--task', 'sst-2', '--per-label', '5', '--out', out, '--server', fs.url, '--server-model', fs.model, '--api-key-env', 'MY_KEY'], {
      MY_KEY: 'wrong',
    });
    expect(refused.stderr).toMatch(/refused the API key \(HTTP 401/);
    expect(refused.code).toBe(1);
    const accepted = await cli([...base(out), '--api-key-env', 'MY_KEY'], { MY_KEY: 'secret' });
    expect(accepted.code).toBe(0);
    expect(fs.requests.at(-1)?.auth).toBe('Bearer secret');
    fs.apiKey = undefined;
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('bench:generate --server reports samples/s and tokens/s per number of requests in flight (JSON last line)', async () => {
    fs.set('ok');
    const out = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(TSX, ['src/cli/bench-generate.ts', '--server', fs.url, '--samples', '8', '--in-flight', '1,4', '--n', '2', '--json'], { cwd: ROOT, timeout: 90_000 }, (err, stdout) =>
        resolve({ code: err ? 1 : 0, stdout }),
      );
    });
    expect(out.code).toBe(0);
    const last = JSON.parse(out.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ model: fs.model, promptStyle: 'continuation', samplesPerLevel: 8, n: 2 });
    expect(last.levels.map((l: { inFlight: number }) => l.inFlight)).toEqual([1, 4]);
    for (const l of last.levels) {
      expect(l.samples).toBe(8);
      expect(l.samplesPerSec).toBeGreaterThan(0);
      expect(l.tokensPerSec).toBeGreaterThan(0);
    }
  });

  it('keeps the samples when the server fails half-way, and --resume finishes the run', async () => {
    fs.set('ok');
    fs.switchAfter(4, 'unauthorized');
    const out = path.join(dir, 'resume.jsonl');
    const r1 = await cli(base(out, 20));
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/needs an API key \(HTTP 401/);
    expect(r1.stderr).toMatch(/Kept \d+ samples in .*resume\.jsonl\.partial; run the same command with --resume/);
    const kept = lines(`${out}.partial`);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBe(Number(/Kept (\d+) samples/.exec(r1.stderr)![1]));

    const again = await cli(base(out, 20));
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/interrupted run: add --resume/);

    fs.set('ok');
    const r2 = await cli([...base(out, 20), '--resume']);
    expect(r2.stderr).toContain(`Resuming with ${kept.length} samples`);
    expect(r2.code).toBe(0);
    const rows = lines(out);
    expect(rows.slice(0, kept.length)).toEqual(kept);
    expect(rows.filter((x) => x.label === 'positive')).toHaveLength(20);
    expect(rows.filter((x) => x.label === 'negative')).toHaveLength(20);
    expect(new Set(rows.map((x) => x.text)).size).toBe(40);
  });
});
