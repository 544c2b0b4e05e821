// End-to-end: the built page in headless Chromium, offline. Imports real PLM-generated movie reviews through the
// "Import samples" file input, cleans them with SunGen (fast inner model, small T) and trains the fast model in the
// training worker on WASM (the SwiftShader GPU adapters are skipped), evaluates on the bundled SST-2 test set, finds
// the saved training after a reload and classifies typed text with it. A malformed JSONL shows its line number and
// stores nothing. No request leaves the page's origin.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { goToStep, guardedContext, useServedBrowser, type GuardedContext } from './harness.ts';
import { sharedPath } from '../shared-path.ts';

const IMDB_SMALL = sharedPath('data/synthetic/imdb-gpt2-xl-small.jsonl');

const env = useServedBrowser();

async function openApp(guard: GuardedContext): Promise<Page> {
  const page = await guard.newPage();
  await page.goto(env.served.baseUrl);
  await page.locator('[data-train-ready="true"]').waitFor({ timeout: 30_000 });
  await goToStep(page, 'Generate');
  return page;
}

/** Stored runs, samples and trainings, read straight from IndexedDB in the page. */
function countStored(page: Page): Promise<{ runs: number; samples: number; trainings: number }> {
  return page.evaluate(
    () =>
      new Promise<{ runs: number; samples: number; trainings: number }>((resolve, reject) => {
        const req = indexedDB.open('sungen-lab');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const names = ['runs', 'samples', 'trainings'].filter((n) => db.objectStoreNames.contains(n));
          if (names.length < 3) {
            db.close();
            return resolve({ runs: 0, samples: 0, trainings: 0 });
          }
          const tx = db.transaction(names);
          const counts = names.map((n) => tx.objectStore(n).count());
          tx.oncomplete = () => {
            db.close();
            resolve({ runs: counts[0].result, samples: counts[1].result, trainings: counts[2].result });
          };
        };
      }),
  );
}

describe('Clean & train page (WASM, offline)', () => {
  it('rejects a malformed samples file with its line number and stores nothing', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await openApp(guard);
      const dir = mkdtempSync(join(tmpdir(), 'sungen-e2e-'));
      const bad = join(dir, 'bad.jsonl');
      writeFileSync(bad, ['{"text": "a fine film", "label": "positive"}', '{"text": "dull", "label": "negative"}', '{"text": "broken", "label": '].join('\n'));
      await page.getByLabel('Samples file (JSONL)').setInputFiles(bad);
      const error = page.getByTestId('import-error');
      await error.waitFor({ timeout: 10_000 });
      expect(await error.textContent()).toMatch(/line 3: malformed JSON/);
      expect(await countStored(page)).toEqual({ runs: 0, samples: 0, trainings: 0 });
      expect(guard.blocked).toEqual([]);
    } finally {
      await guard.context.close();
    }
  });

  it('imports samples, trains with sungen-fast on WASM, scores > 0.55 on SST-2, and keeps the model across a reload', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await openApp(guard);
      await page.getByLabel('Samples file (JSONL)').setInputFiles(IMDB_SMALL);
      await expect.poll(() => page.getByTestId('import-message').count(), { timeout: 30_000 }).toBe(1);
      expect((await countStored(page)).samples).toBe(1379);

      await goToStep(page, 'Clean');
      expect(await page.getByLabel('Method').inputValue()).toBe('sungen-safe'); // the guarded default
      await page.getByLabel('Method').selectOption('sungen-fast');
      await page.getByLabel('Outer iterations T').fill('2');
      await goToStep(page, 'Evaluate');
      await page.getByLabel('Test set', { exact: true }).selectOption('sst2-test');
      await goToStep(page, 'Train');
      await page.getByLabel('Classifier model').selectOption('fast');
      const t0 = Date.now();
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      // Progress shows the SunGen outer loop while it runs.
      await expect.poll(() => page.getByTestId('train-progress').textContent(), { timeout: 60_000 }).toMatch(/outer iteration|epoch/);
      const accuracy = page.getByTestId('accuracy');
      for (;;) {
        if (await accuracy.count()) break;
        const err = page.getByTestId('train-error');
        if (await err.count()) throw new Error(`Training failed in the page: ${await err.textContent()}`);
        if (Date.now() - t0 > 150_000) throw new Error(`No result after 150 s; page errors: ${guard.errors.join(' | ')}`);
        await page.waitForTimeout(250);
      }
      const trainMs = Date.now() - t0;
      const acc = Number(await accuracy.getAttribute('data-value'));
      console.log(`train e2e: sungen-fast T=2 + fast model on 1379 samples, SST-2 accuracy ${acc.toFixed(3)}, ${(trainMs / 1000).toFixed(1)} s`);
      expect(acc).toBeGreaterThan(0.55);
      expect(await page.getByTestId('train-backend').getAttribute('data-backend')).toBe('wasm');
      expect(await page.getByTestId('training-backend').first().textContent()).toBe('wasm');
      expect((await countStored(page)).trainings).toBe(1);
      // The guard's per-class report: held-out label share → predicted share and mean weight per class.
      expect(await page.getByTestId('cleaning-classes').first().textContent()).toMatch(/negative [\d.]+ % → [\d.]+ %; w [\d.]+ · positive/);
      await goToStep(page, 'Clean');
      expect(await page.locator('[data-testid="lowest-samples"] li').count()).toBeGreaterThan(0);

      await goToStep(page, 'Evaluate');
      await page.reload();
      await page.locator('[data-train-ready="true"]').waitFor({ timeout: 30_000 });
      await expect.poll(() => page.locator('[data-testid="saved-trainings"] li').count(), { timeout: 10_000 }).toBe(1);
      await page.getByLabel('Try it: text to classify').fill('a wonderful , moving and beautifully acted film');
      await page.getByRole('button', { name: 'Classify', exact: true }).click();
      await expect.poll(() => page.getByTestId('try-result').textContent(), { timeout: 30_000 }).toMatch(/positive|negative/);
      expect(guard.blocked).toEqual([]);
    } finally {
      await guard.context.close();
    }
  });
});
