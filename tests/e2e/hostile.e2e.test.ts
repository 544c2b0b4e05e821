// The hostile-input suite: generated malformed and hostile files through Import and the test-set upload in the built
// page (headless Chromium, offline), and hostile command lines through both CLIs. Every case must end in a clear
// error or a correct import, with no page error, no half-stored run (IndexedDB is read before and after), no element
// injected and no request off the origin. The tally is printed at the end (the README's reliability section quotes it).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { goToStep, guardedContext, openAppPage, ROOT, useServedBrowser, type GuardedContext } from './harness.ts';
import { bigImportFile, cliCases, importCases, testSetCases, type CliCase, type FileCase } from './hostile-cases.ts';
import { pageErrors, readStored, type Stored } from './storage-probe.ts';

const env = useServedBrowser();
const dir = mkdtempSync(join(tmpdir(), 'sungen-hostile-'));

type Outcome = 'clear error' | 'imported' | 'crash' | 'hang' | 'partial store' | 'injected' | 'wrong outcome';
const results: { name: string; outcome: Outcome; detail?: string }[] = [];
const record = (name: string, outcome: Outcome, detail?: string) => results.push({ name, outcome, ...(detail ? { detail } : {}) });

afterAll(() => {
  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  const tally = {
    tried: results.length,
    clearError: count('clear error'),
    imported: count('imported'),
    crash: count('crash'),
    hang: count('hang'),
    partialStore: count('partial store'),
    injected: count('injected'),
    wrongOutcome: count('wrong outcome'),
  };
  console.log(`[hostile] tally ${JSON.stringify(tally)}`);
  for (const r of results.filter((x) => x.outcome !== 'clear error' && x.outcome !== 'imported')) console.log(`[hostile] ${r.outcome}: ${r.name} — ${r.detail ?? ''}`);
});

/** Elements and flags a successful injection would leave behind. */
function injectionState(page: Page): Promise<{ pwned: boolean; active: number }> {
  return page.evaluate(() => ({
    pwned: Boolean((window as unknown as { __pwned?: unknown }).__pwned) || document.querySelector('[data-pwned]') !== null,
    active: document.querySelectorAll('body script, body iframe, body object, body embed, body img').length,
  }));
}

function writeCase(c: FileCase): string {
  const sub = mkdtempSync(join(dir, 'case-'));
  const p = join(sub, c.fileName);
  writeFileSync(p, c.bytes);
  return p;
}

/** Waits until the page shows an outcome that mentions `fileName` in one of `selectors`, or gives up (hang). */
async function waitForOutcome(page: Page, selectors: { error: string; ok: string; busy?: string }, fileName: string, timeoutMs: number): Promise<{ kind: 'error' | 'ok'; text: string } | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = await page.evaluate(
      ({ sel, name }) => {
        if (sel.busy && document.querySelector(sel.busy)) return null;
        const err = document.querySelector(sel.error)?.textContent ?? '';
        const ok = [...document.querySelectorAll(sel.ok)].map((e) => e.textContent ?? '').join('\n');
        if (err.includes(name)) return { kind: 'error' as const, text: err };
        if (ok.includes(name)) return { kind: 'ok' as const, text: ok };
        return null;
      },
      { sel: selectors, name: fileName },
    );
    if (state) return state;
    await page.waitForTimeout(50);
  }
  return null;
}

async function openApp(guard: GuardedContext): Promise<Page> {
  const page = await openAppPage(guard, env.served.baseUrl, { step: 'Generate' });
  return page;
}

const IMPORT = { error: '[data-testid="import-error"]', ok: '[data-testid="import-message"]', busy: '[data-testid="import-progress"]' };
const TESTSET = { error: '[data-testid="upload-error"]', ok: '[data-testid="upload-message"]' };

/** Runs one file case in the page and classifies it against the store before and after. */
async function runFileCase(page: Page, guard: GuardedContext, c: FileCase, kind: 'import' | 'test set', timeoutMs = 30_000): Promise<Outcome> {
  const before: Stored = await readStored(page);
  const injectedBefore = await injectionState(page);
  const errorsBefore = pageErrors(guard).length;
  const input = kind === 'import' ? page.getByTestId('import-file') : page.getByTestId('test-file');
  await input.setInputFiles(writeCase(c));
  const shown = await waitForOutcome(page, kind === 'import' ? IMPORT : TESTSET, c.fileName, timeoutMs);
  const after: Stored = await readStored(page);
  const injectedAfter = await injectionState(page);
  const newErrors = pageErrors(guard).slice(errorsBefore);
  const newRuns = after.runs.filter((r) => !before.runs.some((b) => b.id === r.id));
  let outcome: Outcome;
  let detail = '';
  if (newErrors.length) [outcome, detail] = ['crash', newErrors.join(' | ')];
  else if (injectedAfter.pwned || injectedAfter.active > injectedBefore.active) [outcome, detail] = ['injected', JSON.stringify(injectedAfter)];
  else if (!shown) [outcome, detail] = ['hang', `no outcome within ${timeoutMs} ms`];
  else if (shown.kind === 'error') {
    const unchanged = after.samples === before.samples && after.runs.length === before.runs.length && after.trainings === before.trainings && after.testSets === before.testSets;
    if (!unchanged) [outcome, detail] = ['partial store', `${before.samples} → ${after.samples} samples after an error`];
    else if (c.expect.kind !== 'error') [outcome, detail] = ['wrong outcome', `expected ${c.expect.rows} rows, got: ${shown.text.slice(0, 300)}`];
    else if (c.expect.message && !c.expect.message.test(shown.text)) [outcome, detail] = ['wrong outcome', `message ${JSON.stringify(shown.text.slice(0, 300))} does not match ${c.expect.message}`];
    else outcome = 'clear error';
  } else {
    const expectedRows = c.expect.kind === 'ok' ? c.expect.rows : -1;
    if (kind === 'import') {
      const ok = newRuns.length === 1 && newRuns[0].samples === expectedRows && newRuns[0].sampleCount === expectedRows && newRuns[0].status === 'done' && newRuns[0].contiguous;
      if (newRuns.length !== 1 || newRuns[0].samples !== (c.expect.kind === 'ok' ? c.expect.rows : newRuns[0].samples)) [outcome, detail] = ['partial store', JSON.stringify(newRuns)];
      else if (!ok) [outcome, detail] = ['wrong outcome', `expected an error, got ${JSON.stringify(newRuns)}`];
      else outcome = 'imported';
    } else {
      // A good test file is stored as one test set with every row; runs and samples are untouched.
      const unchanged = after.samples === before.samples && after.runs.length === before.runs.length && after.testSets === before.testSets + 1;
      if (!unchanged) [outcome, detail] = ['partial store', `the test-set upload changed the store wrongly: ${JSON.stringify({ before: before.testSets, after: after.testSets })}`];
      else if (c.expect.kind !== 'ok' || !shown.text.includes(`Loaded ${c.expect.rows} examples from ${c.fileName}`)) [outcome, detail] = ['wrong outcome', shown.text.slice(0, 300)];
      else outcome = 'imported';
    }
  }
  record(`${kind}: ${c.name}`, outcome, detail);
  return outcome;
}

function runCli(c: CliCase): Promise<{ code: number | null; signal: string | null; out: string; ms: number; timedOut: boolean }> {
  const script = c.cli === 'generate' ? 'src/cli/generate.ts' : 'src/cli/bench-sungen.ts';
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...c.args], { cwd: ROOT, env: { ...process.env, SUNGEN_DEBUG: '' } });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, 120_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, ms: Date.now() - started, timedOut });
    });
  });
}

describe('hostile input (Import, test-set upload, both CLIs)', () => {
  it('Import and test-set upload: every hostile file gives a clear error or a correct import, stores nothing half, injects nothing', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await openApp(guard);
      // A run with labels positive/negative to upload test sets against.
      const base: FileCase = { name: 'base run', fileName: 'base.jsonl', bytes: new TextEncoder().encode('{"text":"good","label":"positive"}\n{"text":"bad","label":"negative"}\n'), expect: { kind: 'ok', rows: 2 } };
      expect(await runFileCase(page, guard, base, 'import')).toBe('imported');
      await goToStep(page, 'Evaluate');
      for (const c of testSetCases()) await runFileCase(page, guard, c, 'test set');
      await goToStep(page, 'Generate');
      for (const c of importCases()) await runFileCase(page, guard, c, 'import');
      expect(guard.blocked).toEqual([]);
    } finally {
      await guard.context.close();
    }
    const bad = results.filter((r) => r.outcome !== 'clear error' && r.outcome !== 'imported');
    expect(bad).toEqual([]);
  });

  it('the page has a Content-Security-Policy: own origin only, no inline script, no off-origin fetch', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await openApp(guard);
      const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      expect(policy).toContain("default-src 'self'");
      expect(policy).toContain("connect-src 'self'");
      expect(policy).toContain("object-src 'none'");
      const probe = await page.evaluate(async () => {
        const s = document.createElement('script');
        s.textContent = 'window.__inline = 1';
        document.body.append(s);
        s.remove();
        const fetched = await fetch('https://example.com/csp-probe').then(
          () => 'sent',
          () => 'blocked',
        );
        return { inline: (window as unknown as { __inline?: number }).__inline ?? null, fetched };
      });
      expect(probe).toEqual({ inline: null, fetched: 'blocked' });
      expect(guard.blocked).toEqual([]); // refused by the policy before it reached the network
    } finally {
      await guard.context.close();
    }
  });

  it('a 50 MB file (199,000 rows, the row limit) imports in one transaction with progress', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await openApp(guard);
      const big = bigImportFile();
      const c: FileCase = { name: `50 MB file (${big.rows} rows)`, fileName: 'big-50mb.jsonl', bytes: big.bytes, expect: { kind: 'ok', rows: big.rows } };
      const started = Date.now();
      const sawProgress = page.getByTestId('import-progress').waitFor({ timeout: 20_000 }).then(() => true, () => false);
      const outcome = await runFileCase(page, guard, c, 'import', 240_000);
      console.log(`[hostile] imported ${big.rows} rows (${(big.bytes.length / 1024 / 1024).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      expect(await sawProgress).toBe(true);
      expect(outcome).toBe('imported');
    } finally {
      await guard.context.close();
    }
  });

  it('both CLIs: hostile command lines and files give a clear message and the right exit code, never a stack trace', async () => {
    const cliDir = join(dir, 'cli');
    // Three at a time: most of a case's time is Node starting up and loading modules.
    const cases = cliCases(cliDir);
    const runs = new Map<CliCase, Awaited<ReturnType<typeof runCli>>>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        while (next < cases.length) {
          const c = cases[next++];
          runs.set(c, await runCli(c));
        }
      }),
    );
    for (const c of cases) {
      const r = runs.get(c)!;
      const stack = /^\s+at .+:\d+:\d+\)?$/m.test(r.out) || /Maximum call stack|Unhandled|uncaught/i.test(r.out);
      let outcome: Outcome;
      let detail = '';
      if (r.timedOut) [outcome, detail] = ['hang', `${r.ms} ms`];
      else if (r.signal || stack || (r.code !== 0 && r.code !== 1 && r.code !== 2)) [outcome, detail] = ['crash', `exit ${r.code} ${r.signal ?? ''}: ${r.out.slice(-400)}`];
      else if (r.code !== c.exit) [outcome, detail] = ['wrong outcome', `exit ${r.code}, expected ${c.exit}: ${r.out.slice(-400)}`];
      else if (c.message && !c.message.test(r.out)) [outcome, detail] = ['wrong outcome', `output does not match ${c.message}: ${r.out.slice(-400)}`];
      else if (c.creates && !existsSync(c.creates)) [outcome, detail] = ['wrong outcome', `${c.creates} was not written`];
      else if (c.keeps && readFileSync(c.keeps.path, 'utf8') !== c.keeps.content) [outcome, detail] = ['partial store', `${c.keeps.path} was changed`];
      else outcome = c.exit === 0 ? 'imported' : 'clear error';
      record(c.name, outcome, detail);
    }
    const partials = readdirSync(cliDir).filter((f) => f.endsWith('.partial'));
    expect(partials).toEqual([]);
    const bad = results.filter((r) => (r.name.startsWith('generate') || r.name.startsWith('bench')) && r.outcome !== 'clear error' && r.outcome !== 'imported');
    expect(bad).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(100);
  });
});
