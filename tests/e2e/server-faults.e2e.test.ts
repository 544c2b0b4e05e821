// End-to-end: the page generating through an OpenAI-compatible server, against the local fault server (the real
// llama-cpp-python server is in server-llama.e2e.test.ts). Nothing is sent before the user confirms the host; bad
// URL / unknown model / refused key get clear messages; a server's markup is shown as text; a server failing half-way
// leaves every received sample stored and Resume finishes the run; a remembered key can be forgotten; and the e2e
// guard also covers the worker's requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { goToStep, guardedContext, useServedBrowser, type GuardedContext } from './harness.ts';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.ts';
import { openServerGenerate, storedSamples, waitForRunStatus } from './server-steps.ts';

const env = useServedBrowser();
let fs: FaultServer;
beforeAll(async () => {
  fs = await startFaultServer();
});
afterAll(async () => fs?.close());

const posts = () => fs.requests.filter((r) => r.method === 'POST').length;

async function connect(page: Page, key: string | null): Promise<void> {
  if (key !== null) await page.getByTestId('server-key').fill(key);
  await page.getByTestId('server-connect').click();
  await page.getByTestId('server-confirm-yes').click();
  await expect
    .poll(async () => ((await page.getByTestId('server-error').count()) ? 'error' : (await page.getByTestId('server-status').count()) ? 'ok' : ''), { timeout: 20_000 })
    .not.toBe('');
}

describe('Generate through an OpenAI-compatible server (fault server)', () => {
  it('asks before sending, rejects bad input clearly, renders text as text, keeps samples when the server fails and resumes', async () => {
    const guard: GuardedContext = await guardedContext(env.browser, env.served.origin, { allow: [fs.origin] });
    try {
      fs.set('ok');
      fs.requests.length = 0;
      const page = await openServerGenerate(guard, env.served.baseUrl);

      // A URL without scheme: a message, nothing sent.
      await page.getByTestId('server-url').fill(fs.origin.replace('http://', ''));
      await page.getByTestId('server-model').fill('gpt-9');
      await page.getByTestId('server-connect').click();
      expect(await page.getByTestId('server-error').textContent()).toContain('has no scheme: write http://127.0.0.1:');

      // The confirmation names the host; still nothing sent until it is accepted.
      await page.getByTestId('server-url').fill(fs.url);
      await page.getByTestId('server-connect').click();
      expect(await page.getByTestId('server-confirm-host').textContent()).toBe(new URL(fs.url).host);
      await page.waitForTimeout(300);
      expect(fs.requests).toHaveLength(0);

      // Unknown model, then a refused key.
      await page.getByTestId('server-confirm-yes').click();
      await expect.poll(() => page.getByTestId('server-error').textContent(), { timeout: 20_000 }).toContain('does not serve a model named "gpt-9"; it serves "test-model"');
      fs.apiKey = 'secret';
      await page.getByTestId('server-model').fill(fs.model);
      await connect(page, 'wrong');
      expect(await page.getByTestId('server-error').textContent()).toContain('refused the API key (HTTP 401');
      expect(await storedSamples(page)).toEqual([]); // nothing half-stored by the bad attempts
      expect(await page.getByTestId('run-status').count()).toBe(0);
      await page.getByTestId('server-remember').check();
      await connect(page, 'secret');
      expect(await page.getByTestId('server-status').textContent()).toContain(`Connected to ${new URL(fs.url).host}`);

      // 2 × 20 samples; the server's markup stays text.
      fs.set('ok-html-text');
      await page.getByRole('textbox', { name: 'Samples per label' }).fill('20');
      await page.getByTestId('server-inflight').fill('3');
      await page.getByTestId('server-n').fill('2');
      await page.getByRole('button', { name: 'Generate', exact: true }).click();
      await waitForRunStatus(page, 'done', 60_000);
      expect(await page.getByTestId('count-happy').textContent()).toBe('20');
      expect(await page.getByTestId('count-sad').textContent()).toBe('20');
      expect(await page.locator('[data-testid="samples-table"] tbody tr').count()).toBe(40);
      expect(await page.locator('[data-testid="samples-table"] img, [data-testid="samples-table"] b').count()).toBe(0);
      expect(await page.locator('[data-testid="samples-table"]').textContent()).toContain('<img src=x onerror=window.__pwned=1> <b>good</b> sample number');
      expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
      expect(await page.getByTestId('device').textContent()).toContain(`server ${new URL(fs.url).host}`);
      expect(fs.requests.filter((r) => r.method === 'POST').every((r) => r.auth === 'Bearer secret' && r.body.n <= 2)).toBe(true);
      expect((await storedSamples(page)).length).toBe(40);

      // The server fails half-way (key revoked): an error naming the cause, every received sample stored; Resume ends it.
      fs.set('ok');
      const before = posts();
      fs.switchAfter(4, 'unauthorized');
      await page.getByRole('textbox', { name: 'Samples per label' }).fill('30');
      await page.getByRole('button', { name: 'Generate', exact: true }).click();
      await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toBe('error');
      expect(await page.getByTestId('run-error').textContent()).toContain('refused the API key (HTTP 401: Incorrect API key provided)');
      expect(posts() - before).toBeGreaterThanOrEqual(5);
      const shown = Number(await page.getByTestId('count-happy').textContent()) + Number(await page.getByTestId('count-sad').textContent());
      const stored = (await storedSamples(page)).length - 40;
      expect(shown).toBeGreaterThan(0);
      expect(stored).toBe(shown);
      fs.set('ok');
      await page.getByRole('button', { name: 'Resume' }).click();
      await waitForRunStatus(page, 'done', 60_000);
      expect(await page.getByTestId('count-happy').textContent()).toBe('30');
      expect(await page.getByTestId('count-sad').textContent()).toBe('30');
      const all = await storedSamples(page);
      expect(all).toHaveLength(100);
      expect(new Set(all.map((s) => s.text)).size).toBe(100);

      // After a reload the remembered key is offered for that server, and Forget deletes it.
      await page.reload();
      await page.locator('[data-ready="true"]').waitFor({ timeout: 30_000 });
      await goToStep(page, 'Generate');
      await page.getByLabel('OpenAI-compatible server').check();
      await page.getByTestId('server-url').fill(fs.url);
      await page.getByTestId('server-model').fill(fs.model);
      await page.getByTestId('server-connect').click();
      await expect.poll(() => page.getByTestId('server-key').inputValue()).toBe('secret');
      await page.getByTestId('server-forget').click();
      await expect.poll(() => page.getByTestId('server-key').inputValue()).toBe('');
      await page.getByTestId('server-forget').waitFor({ state: 'detached' });
      const keys = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const req = indexedDB.open('sungen-lab-keys');
            req.onsuccess = () => {
              const c = req.result.transaction('keys').objectStore('keys').count();
              c.onsuccess = () => resolve(c.result);
            };
          }),
      );
      expect(keys).toBe(0);
      expect(guard.blocked).toEqual([]);
      fs.apiKey = undefined;
    } finally {
      fs.apiKey = undefined;
      await guard.context.close();
    }
  });

  it('a reload mid-run leaves a resumable run; Resume asks to reconnect, then finishes', async () => {
    const guard = await guardedContext(env.browser, env.served.origin, { allow: [fs.origin] });
    try {
      fs.set('ok');
      fs.delayMs = 150;
      const page = await openServerGenerate(guard, env.served.baseUrl);
      await page.getByTestId('server-url').fill(fs.url);
      await page.getByTestId('server-model').fill(fs.model);
      await connect(page, null);
      await page.getByRole('textbox', { name: 'Samples per label' }).fill('30');
      await page.getByTestId('server-inflight').fill('2');
      await page.getByRole('button', { name: 'Generate', exact: true }).click();
      await expect.poll(async () => (await storedSamples(page)).length, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(8);
      await page.reload();
      await page.locator('[data-ready="true"]').waitFor({ timeout: 30_000 });
      await goToStep(page, 'Generate');
      await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 20_000 }).toBe('stopped');
      const kept = await storedSamples(page);
      expect(kept.length).toBe(Number(await page.getByTestId('count-happy').textContent()) + Number(await page.getByTestId('count-sad').textContent()));
      fs.delayMs = 0;
      await page.getByRole('button', { name: 'Resume' }).click();
      expect(await page.getByTestId('run-error').textContent()).toContain(`This run was generated on ${new URL(fs.url).host} (model "${fs.model}"). Connect to it`);
      expect(await page.getByTestId('server-url').inputValue()).toBe(fs.url);
      await connect(page, null);
      await page.getByRole('button', { name: 'Resume' }).click();
      await waitForRunStatus(page, 'done', 60_000);
      const all = await storedSamples(page);
      expect(all).toHaveLength(60);
      expect(new Set(all.map((s) => s.text)).size).toBe(60);
      expect(all.slice(0, kept.length).map((s) => s.text)).toEqual(kept.map((s) => s.text));
      expect(guard.blocked).toEqual([]);
    } finally {
      fs.delayMs = 0;
      await guard.context.close();
    }
  });

  it("blocks the worker's requests to a host the test did not allow (the guard covers workers)", async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      fs.requests.length = 0;
      const page = await openServerGenerate(guard, env.served.baseUrl);
      await page.getByTestId('server-url').fill(fs.url);
      await page.getByTestId('server-model').fill(fs.model);
      await connect(page, null);
      expect(await page.getByTestId('server-error').textContent()).toMatch(/does not answer at http:\/\/127\.0\.0\.1:\d+.*CORS/);
      expect(fs.requests).toHaveLength(0);
      expect(guard.blocked.some((u) => u.startsWith(fs.origin))).toBe(true);
    } finally {
      await guard.context.close();
    }
  });
});
