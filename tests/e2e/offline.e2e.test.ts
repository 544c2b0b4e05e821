// End-to-end: the page as an installed offline app. One visit installs the service worker (vite-plugin-pwa/Workbox)
// and precaches the app shell, ORT and tfjs wasm, the bundled model and test sets; then the server is STOPPED and a
// reload still loads the page, which generates with the bundled model, trains the fast classifier and evaluates it on
// the bundled SST-2 test set. The page offers an install manifest with icons. No request ever leaves the origin.
import { describe, expect, it } from 'vitest';
import { goToStep, guardedContext, launchChromium, serveDist, waitForTestId } from './harness.ts';

describe('offline install (service worker)', () => {
  it('after one visit, the page loads, generates, trains and evaluates with the server stopped', async () => {
    const served = await serveDist();
    const browser = await launchChromium();
    let serverOpen = true;
    try {
      const guard = await guardedContext(browser, served.origin);
      const page = await guard.newPage();
      await page.goto(served.baseUrl);
      await page.locator('[data-ready="true"]').waitFor({ timeout: 30_000 });
      // The manifest and its icons make the page installable.
      const manifest = await page.evaluate(async () => {
        const href = document.querySelector('link[rel="manifest"]')?.getAttribute('href');
        return href ? ((await (await fetch(href)).json()) as { name: string; icons: { sizes: string }[]; display: string }) : null;
      });
      expect(manifest?.name).toBe('SunGen Lab');
      expect(manifest?.display).toBe('standalone');
      expect(manifest?.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
      // Everything precached: the page says so.
      await page.getByTestId('offline-ready').waitFor({ timeout: 120_000 });
      expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
      // "Ready for offline?" lists every precached file as cached, with sizes.
      await goToStep(page, 'Runs');
      await expect.poll(() => page.getByTestId('offline-summary').getAttribute('data-offline-ready'), { timeout: 30_000 }).toBe('true');
      await page.getByRole('button', { name: 'Show the files' }).click();
      const fileRows = page.locator('[data-testid="offline-files"] tbody tr');
      const listed = await fileRows.allTextContents();
      for (const needed of ['index.html', 'models/karpathy/stories260K/onnx/model.onnx', 'eval/sst2-test.jsonl', '.wasm']) {
        expect(listed.some((r) => r.includes(needed) && r.endsWith('yes'))).toBe(true);
      }
      expect(listed.every((r) => r.endsWith('yes'))).toBe(true);

      await served.close();
      serverOpen = false;
      await expect(fetch(served.baseUrl)).rejects.toThrow();

      await page.reload();
      await page.locator('[data-ready="true"]').waitFor({ timeout: 30_000 });
      await expect.poll(() => page.getByTestId('offline-summary').getAttribute('data-offline-ready'), { timeout: 30_000 }).toBe('true');
      await goToStep(page, 'Task');
      await page.getByLabel('Preset task').selectOption('sst-2');
      await goToStep(page, 'Generate');
      await expect.poll(() => page.getByTestId('model-resolution').textContent(), { timeout: 15_000 }).toContain('Bundled');
      await page.getByLabel('Samples per label').fill('6');
      await page.getByRole('button', { name: 'Generate', exact: true }).click();
      const deadline = Date.now() + 240_000;
      while ((await page.getByTestId('run-status').textContent().catch(() => '')) !== 'done') {
        const err = page.getByTestId('run-error');
        if (await err.count()) throw new Error(`Generation failed offline: ${await err.textContent()}`);
        if (Date.now() > deadline) throw new Error(`Generation did not finish; page errors: ${guard.errors.join(' | ')}`);
        await page.waitForTimeout(250);
      }

      await goToStep(page, 'Clean');
      await page.getByLabel('Method').selectOption('none');
      await goToStep(page, 'Evaluate');
      await page.getByLabel('Test set', { exact: true }).selectOption('sst2-test');
      await goToStep(page, 'Train');
      await page.getByLabel('Classifier model').selectOption('fast');
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await waitForTestId(page, 'accuracy', ['train-error'], 180_000);
      const acc = Number(await page.getByTestId('accuracy').getAttribute('data-value'));
      expect(acc).toBeGreaterThanOrEqual(0);
      expect(acc).toBeLessThanOrEqual(1);
      expect(await page.getByTestId('train-backend').getAttribute('data-backend')).toBe('wasm');
      expect(guard.blocked).toEqual([]);
      await guard.context.close();
    } finally {
      await browser.close();
      if (serverOpen) await served.close();
    }
  });
});
