// End-to-end: a new build reaches an installed page cleanly. The page is served from a copy of dist/; after one visit
// (a run stored in IndexedDB), the copy's service worker changes as a new deploy would. The page notices, says "A new
// version of SunGen Lab is ready", keeps working until the user presses "Reload now", then runs under the new
// version with the stored run untouched.
import { appendFileSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goToStep, guardedContext, launchChromium, ROOT } from './harness.ts';
import { startLoopbackPreview } from '../../src/cli/loopback-preview.ts';
import { sharedPath } from '../shared-path.ts';

describe('service worker update', () => {
  it('tells the user about a new version and reloads into it on request, keeping IndexedDB', async () => {
    const site = mkdtempSync(join(tmpdir(), 'sungen-update-'));
    cpSync(join(ROOT, 'dist'), join(site, 'dist'), { recursive: true });
    const { server, baseUrl } = await startLoopbackPreview({ root: site, configFile: false });
    const browser = await launchChromium();
    try {
      const guard = await guardedContext(browser, new URL(baseUrl).origin);
      const page = await guard.newPage();
      await page.goto(baseUrl);
      await page.locator('[data-ready="true"]').waitFor({ timeout: 30_000 });
      await page.getByTestId('offline-ready').waitFor({ timeout: 120_000 });
      await goToStep(page, 'Generate');
      await page.getByLabel('Samples file (JSONL)').setInputFiles(sharedPath('data/synthetic/imdb-gpt2-xl-small.jsonl'));
      await page.getByTestId('import-message').waitFor({ timeout: 30_000 });
      const firstScript = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);

      // "Deploy" a new build: the service worker script changes.
      appendFileSync(join(site, 'dist', 'sw.js'), `\n// new build ${Date.now()}\n`);
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
      await page.getByTestId('update-banner').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('update-banner').textContent()).toMatch(/A new version of SunGen Lab is ready\. Your runs, samples and trainings are kept\./);
      // Nothing changes until the user says so: the page keeps its state.
      expect(await page.getByTestId('import-message').count()).toBe(1);

      await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), page.getByRole('button', { name: 'Reload now' }).click()]);
      await page.locator('[data-ready="true"]').waitFor({ timeout: 30_000 });
      const after = await page.evaluate(async () => {
        const reg = await navigator.serviceWorker.getRegistration();
        return { waiting: !!reg?.waiting, script: navigator.serviceWorker.controller?.scriptURL };
      });
      expect(after.waiting).toBe(false);
      expect(after.script).toBe(firstScript);
      expect(await page.getByTestId('update-banner').count()).toBe(0);
      await goToStep(page, 'Runs');
      await expect.poll(() => page.locator('[data-testid="runs-list"] li').count(), { timeout: 10_000 }).toBe(1);
      expect(guard.blocked).toEqual([]);
      await guard.context.close();
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
