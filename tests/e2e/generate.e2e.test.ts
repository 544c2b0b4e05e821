// End-to-end: the built page in headless Chromium, offline. Generates with the default preset and the bundled model on
// WASM, persists to IndexedDB, survives reloads (also mid-run), stops and resumes, smoke-tests the ?device=webgpu
// override, rejects bad input without storing anything — and no request ever leaves the page's origin.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { cpSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { goToStep, guardedContext, openAppPage, ROOT, useServedBrowser, type GuardedContext } from './harness.ts';

const env = useServedBrowser();

async function openApp(guard: GuardedContext): Promise<Page> {
  const page = await openAppPage(guard, env.served.baseUrl, { step: 'Generate' });
  return page;
}

const generateButton = (page: Page) => page.getByRole('button', { name: 'Generate', exact: true });
const rows = (page: Page) => page.locator('[data-testid="samples-table"] tbody tr');
const runStatus = (page: Page) => page.getByTestId('run-status');

/** Wait until the selected run has `status`; fail at once with the page's message if an error is shown. */
async function waitForRunStatus(page: Page, status: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const error = page.getByTestId('run-error');
    if (await error.count()) throw new Error(`The page reported an error: ${await error.textContent()}`);
    const statusEl = runStatus(page);
    if ((await statusEl.count()) && (await statusEl.textContent()) === status) return;
    if (Date.now() > deadline) throw new Error(`Run status did not become "${status}" within ${timeoutMs} ms`);
    await page.waitForTimeout(200);
  }
}

/** Stored runs and samples, read straight from IndexedDB in the page. */
function countStored(page: Page): Promise<{ runs: number; samples: number }> {
  return page.evaluate(
    () =>
      new Promise<{ runs: number; samples: number }>((resolve, reject) => {
        const req = indexedDB.open('sungen-lab');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('runs')) {
            db.close();
            return resolve({ runs: 0, samples: 0 });
          }
          const tx = db.transaction(['runs', 'samples']);
          const runs = tx.objectStore('runs').count();
          const samples = tx.objectStore('samples').count();
          tx.oncomplete = () => {
            db.close();
            resolve({ runs: runs.result, samples: samples.result });
          };
        };
      }),
  );
}

describe('Generate page (bundled model, WASM, offline)', () => {
  it('generates 2 labels × 8 samples, keeps them across a reload, and stays on its origin', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await openApp(guard);
      await expect.poll(() => page.getByTestId('model-resolution').textContent()).toContain('Bundled');
      await page.getByLabel('Samples per label').fill('8');
      const t0 = Date.now();
      await generateButton(page).click();
      await waitForRunStatus(page, 'done', 240_000);
      const generateMs = Date.now() - t0;
      console.log(`[e2e] generate 2×8 on the page: ${(generateMs / 1000).toFixed(1)} s; ${await page.getByTestId('rates').textContent()}`);

      expect(await rows(page).count()).toBe(16);
      expect(await page.getByTestId('count-happy').textContent()).toBe('8');
      expect(await page.getByTestId('count-sad').textContent()).toBe('8');
      // SwiftShader's fallback adapter is not a real GPU: the app must say WASM and why.
      const device = await page.getByTestId('device').textContent();
      expect(device).toContain('WASM');
      expect(device).toMatch(/fallback|SwiftShader/i);
      expect(await countStored(page)).toEqual({ runs: 1, samples: 16 });

      await page.reload();
      await page.locator('[data-ready="true"]').waitFor();
      // The reload returns to the same step with the same run.
      await expect.poll(() => rows(page).count()).toBe(16);
      expect(await runStatus(page).textContent()).toBe('done');
      await goToStep(page, 'Runs');
      expect(await page.getByTestId('runs-list').locator('li').count()).toBe(1);
      expect(guard.blocked).toEqual([]);
    } finally {
      if (guard.errors.length) console.log(guard.errors.join('\n'));
      await guard.context.close();
    }
  });

  it('stops within a step, survives a reload mid-run, and resumes to the target', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await openApp(guard);
      // Batches of 2 prompts and 2 × 20 samples: the run takes many decoding rounds, so Stop and the reload land in the
      // middle of it even when a loaded machine makes the test slow to click (with 2 × 5 the run could finish first).
      await page.getByLabel('Samples per label').fill('20');
      await page.getByLabel('Batch size').fill('2');
      await generateButton(page).click();
      await expect.poll(() => rows(page).count(), { timeout: 120_000, interval: 100 }).toBeGreaterThan(0);
      const tStop = Date.now();
      // Count the rows and press Stop in one task of the page: on a loaded machine a separate count and click were
      // hundreds of milliseconds apart, and the batches decoded in between were counted against the stop.
      const beforeStop = await page.evaluate(() => {
        const count = document.querySelectorAll('[data-testid="samples-table"] tbody tr').length;
        // The Generate step's Stop (Clean's and Train's carry an aria-label naming what they stop).
        const stop = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Stop' && !b.hasAttribute('aria-label'));
        if (!stop) throw new Error('No Stop button');
        stop.click();
        return count;
      });
      await waitForRunStatus(page, 'stopped', 30_000);
      console.log(`[e2e] Stop → run stopped in ${Date.now() - tStop} ms`);
      const afterStop = await rows(page).count();
      // Stop lands within a step: at most the batch being decoded and one more (a click can meet a batch boundary).
      expect(afterStop).toBeLessThanOrEqual(beforeStop + 4);
      expect(afterStop).toBeLessThan(40);
      expect((await countStored(page)).samples).toBe(afterStop);

      // Resume, then reload while the worker is writing: the run comes back as 'stopped' with every stored sample.
      await page.getByRole('button', { name: 'Resume', exact: true }).click();
      await waitForRunStatus(page, 'running', 30_000);
      await expect.poll(() => rows(page).count(), { timeout: 120_000, interval: 100 }).toBeGreaterThan(afterStop);
      await page.reload();
      await page.locator('[data-ready="true"]').waitFor();
      await waitForRunStatus(page, 'stopped', 15_000);
      const stored = (await countStored(page)).samples;
      expect(stored).toBeGreaterThan(afterStop);
      expect(await rows(page).count()).toBe(stored);

      await page.getByRole('button', { name: 'Resume', exact: true }).click();
      await waitForRunStatus(page, 'done', 240_000);
      expect(await rows(page).count()).toBe(40);
      const texts = await page.locator('[data-testid="samples-table"] tbody tr td:nth-child(3)').allTextContents();
      expect(new Set(texts).size).toBe(40); // resume dedups against what was stored
      expect(await countStored(page)).toEqual({ runs: 1, samples: 40 });
      expect(guard.blocked).toEqual([]);
    } finally {
      if (guard.errors.length) console.log(guard.errors.join('\n'));
      await guard.context.close();
    }
  });

  it('an offline model pack without recorded ids is checked on WebGPU against a WASM run (smoke)', async () => {
    // A real model placed as an offline pack under a catalog id that has no recorded self-test ids (the q8 file name
    // of Xenova/distilgpt2): the worker resolves it locally and must compare WebGPU's greedy ids with a WASM run.
    const pack = join(ROOT, 'dist/models/Xenova/distilgpt2');
    cpSync(join(ROOT, 'public/models/karpathy/stories260K'), pack, { recursive: true });
    renameSync(join(pack, 'onnx/model.onnx'), join(pack, 'onnx/model_quantized.onnx'));
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await guard.newPage();
      await page.goto(`${env.served.baseUrl}?device=webgpu#/generate`);
      await page.locator('[data-ready="true"]').waitFor({ timeout: 30_000 });
      await page.getByLabel('Generator model').selectOption('Xenova/distilgpt2');
      await page.getByLabel('Samples per label').fill('1');
      await page.getByLabel('Max new tokens').fill('8');
      await page.getByLabel('Min words').fill('1');
      await generateButton(page).click();
      await waitForRunStatus(page, 'done', 180_000);
      expect(await page.getByText('Self-test on WEBGPU: passed — self-test passed: 8 greedy tokens match a WASM run').count()).toBe(1);
      expect(guard.blocked).toEqual([]);
    } finally {
      if (guard.errors.length) console.log(guard.errors.join('\n'));
      await guard.context.close();
      rmSync(pack, { recursive: true, force: true });
    }
  });

  it('smoke: ?device=webgpu forces WebGPU (SwiftShader here), passes the self-test and generates', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await guard.newPage();
      await page.goto(`${env.served.baseUrl}?device=webgpu#/generate`);
      await page.locator('[data-ready="true"]').waitFor({ timeout: 30_000 });
      await page.getByLabel('Samples per label').fill('1');
      await page.getByLabel('Max new tokens').fill('8');
      await page.getByLabel('Min words').fill('1');
      await generateButton(page).click();
      await waitForRunStatus(page, 'done', 180_000);
      expect(await page.getByTestId('device').textContent()).toContain('WEBGPU — forced by the URL (?device=webgpu)');
      expect(await page.getByText('Self-test on WEBGPU: passed').count()).toBe(1);
      expect(await rows(page).count()).toBe(2);
      expect(guard.blocked).toEqual([]);
    } finally {
      if (guard.errors.length) console.log(guard.errors.join('\n'));
      await guard.context.close();
    }
  });

  it('shows clear messages for an invalid custom task and bad numbers, and stores nothing', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await openApp(guard);
      await goToStep(page, 'Task');
      await page.getByLabel('JSON (for power users)').check();
      const editor = page.getByLabel('Custom task JSON');

      await editor.fill('{"id": "broken", "labels": [');
      await goToStep(page, 'Generate');
      await generateButton(page).click();
      await expect.poll(() => page.getByTestId('form-errors').textContent()).toContain('Custom task is not valid JSON');

      await goToStep(page, 'Task');
      await editor.fill(JSON.stringify({ id: 'empty', name: 'Empty', labels: [] }));
      await goToStep(page, 'Generate');
      await page.getByLabel('Temperature').fill('warm');
      await generateButton(page).click();
      const errors = () => page.getByTestId('form-errors').textContent();
      await expect.poll(errors, { timeout: 10_000 }).toContain('Temperature must be a number (got "warm")');
      expect(await errors()).toContain('Custom task:');
      expect(await errors()).not.toContain('not valid JSON');

      expect(await countStored(page)).toEqual({ runs: 0, samples: 0 });
      expect(await rows(page).count()).toBe(0);
      expect(guard.blocked).toEqual([]);

      // The request guard also sees requests made from workers (where the model is loaded), so the
      // "nothing left the origin" checks above mean something. The app page's Content-Security-Policy already blocks
      // this request from a blob: worker (it inherits the page's policy), so the guard is probed from a same-origin
      // document without that policy.
      const blockedByCsp = await page.evaluate(
        () =>
          new Promise<string>((resolve) => {
            const code = "fetch('https://huggingface.co/csp-check').then(() => postMessage('sent'), () => postMessage('blocked'))";
            const w = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
            w.onmessage = (e) => resolve(String(e.data));
          }),
      );
      expect(blockedByCsp).toBe('blocked');
      expect(guard.blocked).toEqual([]); // refused by the page's policy before it reached the network
      const probe = await guard.newPage();
      await probe.goto(`${env.served.baseUrl}eval/NOTICE.md`);
      const outcome = await probe.evaluate(
        () =>
          new Promise<string>((resolve) => {
            const code = "fetch('https://huggingface.co/guard-check').then(() => postMessage('sent'), () => postMessage('blocked'))";
            const w = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
            w.onmessage = (e) => resolve(String(e.data));
          }),
      );
      expect(outcome).toBe('blocked');
      expect(guard.blocked).toEqual(['https://huggingface.co/guard-check']);
    } finally {
      await guard.context.close();
    }
  });
});
