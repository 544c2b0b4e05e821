// Fault tests: the storage quota exceeded (set through Chromium's DevTools protocol, which works headless) at start-up,
// during an import, a generation and a training; a tab closed and a browser killed mid-import, mid-generation and
// mid-training; two tabs resuming one run. After each fault the page must open, list what is stored, allow deleting,
// and the store must hold whole runs only (no half import, contiguous samples, no half training).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { goToStep, guardedContext, openAppPage, useServedBrowser, type GuardedContext } from './harness.ts';
import { chromiumPathOrThrow } from '../../src/cli/chromium.ts';
import { bigImportFile } from './hostile-cases.ts';
import { readStored } from './storage-probe.ts';
import { DEFAULT_TASK_ID, TASK_PRESETS } from '../../src/core/tasks/presets.ts';
import { DEFAULT_SAMPLING } from '../../src/core/tasks/validate.ts';

const env = useServedBrowser();
const dir = mkdtempSync(join(tmpdir(), 'sungen-faults-'));
const generateButton = (page: Page) => page.getByRole('button', { name: 'Generate', exact: true });
const rows = (page: Page) => page.locator('[data-testid="samples-table"] tbody tr');

async function openApp(guard: GuardedContext | { newPage(): Promise<Page> }, step: 'Generate' | 'Runs' | 'Train' = 'Generate'): Promise<Page> {
  return openAppPage(guard, env.served.baseUrl, { step });
}

/** Sets the origin's storage quota to `extraBytes` above what it uses now (DevTools protocol). */
async function squeezeQuota(context: BrowserContext, page: Page, extraBytes: number): Promise<void> {
  // The service worker precaches the app (wasm, bundled model) in the background after the first visit; measure the
  // usage only once that is done, or the precache eats the headroom and the run itself cannot be created.
  await page.evaluate(() => Promise.race([navigator.serviceWorker?.ready, new Promise((r) => setTimeout(r, 30_000))]));
  const cdp = await context.newCDPSession(page);
  const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: env.served.origin, quotaSize: usage + extraBytes });
}

/**
 * Chromium caches the space left per origin once the origin's IndexedDB is in use, so a quota override is set from a
 * same-origin page that does not use IndexedDB (the eval NOTICE), before the app opens its database in this browser.
 * `extraBytes` above the current usage, or 'full' (1 byte: every write fails, small ones included).
 */
async function quotaBeforeApp(context: BrowserContext, extraBytes: number | 'full'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${env.served.baseUrl}eval/NOTICE.md`);
  const cdp = await context.newCDPSession(page);
  const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: env.served.origin, quotaSize: extraBytes === 'full' ? 1 : usage + extraBytes });
  return page;
}

function writeFile(name: string, text: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const jsonlRows = (n: number) =>
  Array.from({ length: n }, (_, k) => JSON.stringify({ text: k % 2 ? `a dull and boring film number ${k}` : `a lovely and moving film number ${k}`, label: k % 2 ? 'negative' : 'positive' })).join('\n') + '\n';

async function importFile(page: Page, path: string, expectOk = true): Promise<string> {
  await page.getByTestId('import-file').setInputFiles(path);
  const sel = expectOk ? '[data-testid="import-message"]' : '[data-testid="import-error"]';
  await page.locator(sel).waitFor({ timeout: 120_000 });
  return (await page.locator(sel).textContent()) ?? '';
}

/** A run left 'running' by a tab that died mid-generation, written straight into IndexedDB. */
async function plantRunningRun(page: Page): Promise<string> {
  const task = TASK_PRESETS.find((t) => t.id === DEFAULT_TASK_ID)!;
  const config = { task, modelId: 'karpathy/stories260K', dtype: 'fp32', device: 'wasm', deviceReason: 'planted', sampling: DEFAULT_SAMPLING, perLabel: 10, allowNetwork: false, versions: { app: 'test', transformers: 'test' } };
  return page.evaluate(
    (cfg) =>
      new Promise<string>((resolve, reject) => {
        const req = indexedDB.open('sungen-lab');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction(['runs', 'samples'], 'readwrite');
          const now = Date.now();
          tx.objectStore('runs').add({ id: 'planted-run', createdAt: now, updatedAt: now, name: 'Planted running run', status: 'running', config: cfg, sampleCount: 3 });
          for (let k = 0; k < 3; k++) tx.objectStore('samples').add({ runId: 'planted-run', label: cfg.task.labels[k % 2].name, text: `planted sample ${k}`, seq: k, createdAt: now });
          tx.oncomplete = () => {
            db.close();
            resolve('planted-run');
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    config,
  );
}

/** Tries one write of `bytes` characters into a scratch database of the origin; returns the error name ('' = written). */
function probeWrite(page: Page, bytes = 100): Promise<string> {
  return page.evaluate(
    (n) =>
      new Promise<string>((resolve) => {
        const req = indexedDB.open('quota-probe', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('s', { autoIncrement: true });
        req.onerror = () => resolve(req.error?.name ?? 'open failed');
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction('s', 'readwrite');
          tx.objectStore('s').put('x'.repeat(n));
          tx.oncomplete = () => (db.close(), resolve(''));
          tx.onabort = () => (db.close(), resolve(tx.error?.name ?? 'aborted'));
        };
      }),
    bytes,
  );
}

describe('faults: full disk', () => {
  it('start-up with a full disk still lists the runs as stored and lets the user delete them', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'sungen-profile-'));
    const launch = () => chromium.launchPersistentContext(profile, { executablePath: chromiumPathOrThrow(), headless: true });
    try {
      let context = await launch();
      const page = await openApp(context);
      await plantRunningRun(page);
      await context.close();
      // A new browser session on the same profile, with the disk full before the app starts.
      context = await launch();
      const probe = await quotaBeforeApp(context, 'full');
      expect(await probeWrite(probe, 100)).toBe('QuotaExceededError');
      // Start-up must not depend on the write that marks the interrupted run stopped.
      const fresh = await openApp(context, 'Runs');
      await expect.poll(() => fresh.getByTestId('runs-list').locator('li').count(), { timeout: 10_000 }).toBe(1);
      expect(await fresh.locator('.badge').first().textContent()).toBe('running'); // the status stored, not "stopped"
      expect(await fresh.getByText('Could not open the browser database').count()).toBe(0);
      fresh.on('dialog', (d) => void d.accept());
      await fresh.getByRole('button', { name: 'Delete run Planted running run' }).click();
      await expect.poll(async () => (await readStored(fresh)).runs.length, { timeout: 10_000 }).toBe(0);
      expect((await readStored(fresh)).samples).toBe(0);
      await context.close();
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  });

  it('a full disk during an import stores nothing and says so (no "press Resume")', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await openApp(guard);
      await squeezeQuota(guard.context, page, 50_000);
      const message = await importFile(page, writeFile('quota-import.jsonl', jsonlRows(30_000)), false);
      expect(message).toMatch(/Browser storage is full: the file was not imported and nothing of it was stored/);
      expect(message).not.toMatch(/Resume/);
      const stored = await readStored(page);
      expect(stored.runs).toEqual([]);
      expect(stored.samples).toBe(0);
    } finally {
      await guard.context.close();
    }
  });

  it('a full disk during generation stops the run with the samples saved so far, and the page still opens', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await openApp(guard);
      await page.getByRole('textbox', { name: 'Samples per label' }).fill('400');
      await squeezeQuota(guard.context, page, 40_000);
      await generateButton(page).click();
      const error = page.getByTestId('run-error');
      await error.waitFor({ timeout: 240_000 });
      expect(await error.textContent()).toMatch(/Browser storage is full/);
      const stored = await readStored(page);
      expect(stored.runs.length).toBe(1);
      const run = stored.runs[0];
      expect(run.samples).toBeGreaterThan(0);
      expect(run.samples).toBeLessThan(800);
      expect(run.contiguous).toBe(true);
      expect(run.sampleCount).toBe(run.samples);
      // Still full: a new tab opens and lists the run.
      const again = await openApp(guard, 'Runs');
      await expect.poll(() => again.getByTestId('runs-list').locator('li').count(), { timeout: 10_000 }).toBe(1);
      expect(await again.getByText('Could not open the browser database').count()).toBe(0);
    } finally {
      await guard.context.close();
    }
  });

  it('a full disk when a training is saved stores nothing and says so', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const probe = await quotaBeforeApp(guard.context, 3_000_000);
      const page = await openApp(guard);
      await importFile(page, writeFile('train-quota.jsonl', jsonlRows(200)));
      // Now the disk is full: the quota drops to 1 byte; a large write that fails makes Chromium re-read it.
      const cdp = await guard.context.newCDPSession(probe);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: env.served.origin, quotaSize: 1 });
      await expect.poll(async () => (await probeWrite(probe, 4_000_000), await probeWrite(probe, 100)), { timeout: 20_000, interval: 500 }).toBe('QuotaExceededError');
      await goToStep(page, 'Clean');
      await page.getByLabel('Method').selectOption('none');
      await goToStep(page, 'Evaluate');
      await page.getByLabel('Test set', { exact: true }).selectOption('sst2-test');
      await goToStep(page, 'Train');
      await page.getByLabel('Classifier model').selectOption('fast');
      await page.getByLabel('Epochs').fill('1');
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      const err = page.getByTestId('train-error');
      await err.waitFor({ timeout: 120_000 });
      expect(await err.textContent()).toMatch(/Browser storage is full: the trained model could not be saved/);
      expect(await err.textContent()).not.toMatch(/Resume/);
      expect((await readStored(page)).trainings).toBe(0);
    } finally {
      await guard.context.close();
    }
  });
});

describe('faults: closed tabs, killed browser, two tabs', () => {
  it('closing the tab mid-import leaves no run; the earlier runs are intact', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      let page = await openApp(guard);
      await importFile(page, writeFile('keep.jsonl', jsonlRows(10)));
      const big = bigImportFile(20 * 1024 * 1024);
      await page.getByTestId('import-file').setInputFiles(writeFile('closed-mid-import.jsonl', big.bytes));
      await expect.poll(() => page.getByTestId('import-progress').textContent(), { timeout: 60_000, interval: 20 }).toMatch(/Storing/);
      await page.close();
      page = await openApp(guard);
      const stored = await readStored(page);
      expect(stored.runs.map((r) => r.samples)).toEqual([10]);
      expect(stored.samples).toBe(10);
    } finally {
      await guard.context.close();
    }
  });

  it('Cancel during an import rolls it back', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await openApp(guard);
      const big = bigImportFile(20 * 1024 * 1024);
      await page.getByTestId('import-file').setInputFiles(writeFile('cancelled.jsonl', big.bytes));
      await expect.poll(() => page.getByTestId('import-progress').textContent(), { timeout: 60_000, interval: 20 }).toMatch(/Storing/);
      await page.getByTestId('import-cancel').click();
      await expect.poll(() => page.getByTestId('import-error').textContent(), { timeout: 30_000 }).toMatch(/Import cancelled; nothing was stored/);
      expect((await readStored(page)).samples).toBe(0);
    } finally {
      await guard.context.close();
    }
  });

  it('killing the browser mid-import and mid-generation leaves whole runs only; the page reopens with them', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'sungen-profile-'));
    const launch = () => chromium.launchPersistentContext(profile, { executablePath: chromiumPathOrThrow(), headless: true });
    const kill = () => {
      const ps = execFileSync('ps', ['-eo', 'pid=,args=']).toString().split('\n');
      const main = ps.filter((l) => l.includes(`--user-data-dir=${profile}`) && !l.includes('--type='));
      for (const l of main) process.kill(Number(l.trim().split(/\s+/)[0]), 'SIGKILL');
      expect(main.length).toBeGreaterThan(0);
    };
    try {
      let context = await launch();
      let page = await openApp(context);
      await importFile(page, writeFile('before-kill.jsonl', jsonlRows(12)));
      await page.getByTestId('import-file').setInputFiles(writeFile('killed-mid-import.jsonl', bigImportFile(20 * 1024 * 1024).bytes));
      await expect.poll(() => page.getByTestId('import-progress').textContent(), { timeout: 60_000, interval: 20 }).toMatch(/Storing/);
      kill();
      await context.close().catch(() => undefined);

      context = await launch();
      page = await openApp(context);
      const stored = await readStored(page);
      expect(stored.runs.map((r) => [r.samples, r.status])).toEqual([[12, 'done']]);
      // The generated run is told apart by id, not by its count (it may well hold 12 samples too when killed).
      const importedId = stored.runs[0].id;
      const generatedRun = async () => (await readStored(page)).runs.find((r) => r.id !== importedId);
      // Mid-generation: kill once some samples are stored (a target far out of reach, so the run cannot finish first).
      await page.getByRole('textbox', { name: 'Samples per label' }).fill('5000');
      await generateButton(page).click();
      await expect.poll(async () => (await generatedRun())?.samples ?? 0, { timeout: 120_000, interval: 100 }).toBeGreaterThan(5);
      kill();
      await context.close().catch(() => undefined);

      context = await launch();
      page = await openApp(context);
      await expect.poll(async () => (await generatedRun())?.status, { timeout: 15_000 }).toBe('stopped');
      const generated = (await generatedRun())!;
      expect(generated.contiguous).toBe(true);
      expect(generated.sampleCount).toBe(generated.samples);
      await context.close();
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  });

  it('closing the tab mid-training stores no training; the run is intact', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      let page = await openApp(guard);
      await importFile(page, writeFile('train-close.jsonl', jsonlRows(400)));
      await goToStep(page, 'Clean');
      await page.getByLabel('Method').selectOption('sungen-fast');
      await goToStep(page, 'Evaluate');
      await page.getByLabel('Test set', { exact: true }).selectOption('sst2-test');
      await goToStep(page, 'Train');
      await page.getByLabel('Classifier model').selectOption('fast');
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await expect.poll(() => page.getByTestId('train-progress').textContent(), { timeout: 60_000 }).toMatch(/outer iteration|epoch/);
      await page.close();
      page = await openApp(guard);
      const stored = await readStored(page);
      expect(stored.trainings).toBe(0);
      expect(stored.runs.map((r) => r.samples)).toEqual([400]);
    } finally {
      await guard.context.close();
    }
  });

  it('resuming one run in two tabs reaches the target exactly: the tab that loses the race is told the run is busy', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const a = await openApp(guard);
      // Small batches and a target well beyond the first rows: tab A (model already loaded) must still be generating
      // when tab B has loaded the model and asks for the lock, and when B tries to delete the run. With 60 per label a
      // loaded CI machine let A finish before B's model load ended, so B found the run complete and nobody was busy;
      // with 250 an idle one did (A writes ~500 samples in a few seconds). 1,000 per label keeps A busy ~30 s.
      await a.getByRole('textbox', { name: 'Samples per label' }).fill('1000');
      await a.getByLabel('Batch size').fill('4');
      await generateButton(a).click();
      await expect.poll(() => rows(a).count(), { timeout: 120_000, interval: 100 }).toBeGreaterThan(5);
      await a.getByRole('button', { name: 'Stop', exact: true }).click();
      await expect.poll(() => a.getByTestId('run-status').textContent(), { timeout: 30_000 }).toBe('stopped');
      const b = await openApp(guard);
      await expect.poll(() => b.getByTestId('run-status').textContent(), { timeout: 10_000 }).toBe('stopped');
      await Promise.all([a.getByRole('button', { name: 'Resume', exact: true }).click(), b.getByRole('button', { name: 'Resume', exact: true }).click()]);
      // Both clicks race for the run's lock: whichever tab loses is told the run is busy (either order is correct) —
      // by its worker when the lock is taken, or at once when the other tab's 'running' status reached it first.
      const busyText = async (p: typeof a): Promise<string> => ((await p.getByTestId('run-error').count()) ? ((await p.getByTestId('run-error').textContent()) ?? '') : '');
      await expect.poll(async () => `${await busyText(a)}|${await busyText(b)}`, { timeout: 60_000 }).toMatch(/being generated right now/);
      const loser = /being generated right now/.test(await busyText(b)) ? b : a;
      // The losing tab cannot delete the run the other tab is generating.
      await goToStep(loser, 'Runs');
      loser.on('dialog', (d) => void d.accept());
      await loser.getByRole('button', { name: /^Delete run / }).click();
      await expect.poll(() => loser.getByTestId('runs-error').textContent(), { timeout: 10_000 }).toMatch(/cannot be deleted/);
      expect((await readStored(loser)).runs.length).toBe(1);
      await expect.poll(async () => (await readStored(a)).runs[0]?.status, { timeout: 240_000, interval: 500 }).toBe('done');
      const run = (await readStored(a)).runs[0];
      expect(run.countsByLabel.map(([, n]) => n)).toEqual([1000, 1000]);
      expect(run.samples).toBe(2000);
      expect(run.contiguous).toBe(true);
      expect(guard.blocked).toEqual([]);
    } finally {
      await guard.context.close();
    }
  });
});
