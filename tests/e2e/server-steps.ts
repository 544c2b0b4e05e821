// Page steps shared by the server e2e tests: open the Generate step with the server source, wait for a run status,
// read the stored samples straight from IndexedDB.
import type { Page } from 'playwright-core';
import { goToStep, type GuardedContext } from './harness.ts';

export async function openServerGenerate(guard: GuardedContext, baseUrl: string): Promise<Page> {
  const page = await guard.newPage();
  await page.goto(baseUrl);
  await page.locator('[data-ready="true"]').waitFor({ timeout: 30_000 });
  await goToStep(page, 'Generate');
  await page.getByLabel('OpenAI-compatible server').check();
  return page;
}

/** Wait until the selected run has `status`; fail at once with the page's message if an error is shown. */
export async function waitForRunStatus(page: Page, status: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const error = page.getByTestId('run-error');
    if (await error.count()) throw new Error(`The page reported an error: ${await error.textContent()}`);
    const statusEl = page.getByTestId('run-status');
    if ((await statusEl.count()) && (await statusEl.textContent()) === status) return;
    if (Date.now() > deadline) {
      const form = page.getByTestId('form-errors');
      const detail = [
        await page.getByTestId('status').textContent().catch(() => ''),
        (await form.count()) ? await form.textContent() : '',
      ].join(' | ');
      throw new Error(`Run status did not become "${status}" within ${timeoutMs} ms (${detail})`);
    }
    await page.waitForTimeout(200);
  }
}

/** Every stored sample of every run, from IndexedDB. */
export function storedSamples(page: Page): Promise<{ runId: string; label: string; text: string; seq: number }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('sungen-lab');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const all = db.transaction('samples').objectStore('samples').getAll();
          all.onsuccess = () => {
            db.close();
            resolve(all.result);
          };
          all.onerror = () => reject(all.error);
        };
      }),
  );
}
