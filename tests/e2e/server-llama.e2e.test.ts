// End-to-end against a REAL OpenAI-compatible server: llama-cpp-python's server serving SmolLM2-135M-Instruct on
// 127.0.0.1 (tests/helpers/llama-server.ts). The page generates 2 × 20 samples through it with every other host
// blocked; then a second run's server is killed mid-run: the samples already stored stay intact, the run stops with a
// clear message, and Resume finishes it once the server is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { guardedContext, useServedBrowser } from './harness.ts';
import { SMOLLM2_ALIAS, startLlamaServer, type LlamaServer } from '../helpers/llama-server.ts';
import { openServerGenerate, storedSamples, waitForRunStatus } from './server-steps.ts';

const env = useServedBrowser();
let server: LlamaServer;
beforeAll(async () => {
  server = await startLlamaServer();
}, 180_000);
afterAll(async () => server?.kill());

const count = async (page: Page) =>
  Number(await page.getByTestId('count-happy').textContent()) + Number(await page.getByTestId('count-sad').textContent());

describe('Generate through llama-cpp-python (real server)', () => {
  it('generates 2 × 20, keeps stored samples intact when the server dies mid-run, and Resume finishes', async () => {
    const guard = await guardedContext(env.browser, env.served.origin, { allow: [server.origin] });
    try {
      const page = await openServerGenerate(guard, env.served.baseUrl);
      await page.getByTestId('server-url').fill(server.url);
      await page.getByTestId('server-model').fill(SMOLLM2_ALIAS);
      await page.getByTestId('server-connect').click();
      await page.getByTestId('server-confirm-yes').click();
      await expect.poll(() => page.getByTestId('server-status').textContent(), { timeout: 30_000 }).toContain(`Connected to 127.0.0.1:${server.port}`);
      await page.getByRole('textbox', { name: 'Samples per label' }).fill('20');
      await page.getByRole('textbox', { name: 'Max new tokens' }).fill('32');
      await page.getByTestId('server-inflight').fill('4');
      await page.getByTestId('server-n').fill('2');
      const t0 = Date.now();
      await page.getByRole('button', { name: 'Generate', exact: true }).click();
      await waitForRunStatus(page, 'done', 300_000);
      console.log(`[e2e] 2×20 through llama-cpp-python: ${((Date.now() - t0) / 1000).toFixed(1)} s; ${await page.getByTestId('rates').textContent()}`);
      expect(await page.getByTestId('count-happy').textContent()).toBe('20');
      expect(await page.getByTestId('count-sad').textContent()).toBe('20');
      const first = await storedSamples(page);
      expect(first).toHaveLength(40);
      expect(new Set(first.map((s) => s.text)).size).toBe(40);

      // Second run: kill the server once a few samples are stored.
      await page.getByRole('button', { name: 'Generate', exact: true }).click();
      await expect.poll(() => page.getByTestId('run-status').count(), { timeout: 30_000 }).toBe(1);
      await expect.poll(async () => (await storedSamples(page)).length - 40, { timeout: 120_000, interval: 100 }).toBeGreaterThanOrEqual(6);
      await server.kill();
      await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toBe('error');
      expect(await page.getByTestId('run-error').textContent()).toMatch(/Server 127\.0\.0\.1:\d+: (does not answer|closed the connection)/);
      const runId = (await storedSamples(page)).find((s) => !first.some((f) => f.runId === s.runId))!.runId;
      const kept = (await storedSamples(page)).filter((s) => s.runId === runId).sort((a, b) => a.seq - b.seq);
      expect(kept.length).toBeGreaterThanOrEqual(6);
      expect(kept.length).toBe(await count(page));
      expect(kept.map((s) => s.seq)).toEqual(kept.map((_, i) => i));
      expect(kept.every((s) => s.text.trim().length > 0)).toBe(true);

      await server.restart();
      await page.getByRole('button', { name: 'Resume' }).click();
      await waitForRunStatus(page, 'done', 300_000);
      const after = (await storedSamples(page)).filter((s) => s.runId === runId).sort((a, b) => a.seq - b.seq);
      expect(after).toHaveLength(40);
      expect(after.slice(0, kept.length).map((s) => s.text)).toEqual(kept.map((s) => s.text));
      expect(new Set(after.map((s) => s.text)).size).toBe(40);
      expect(await page.getByTestId('count-happy').textContent()).toBe('20');
      expect(await page.getByTestId('count-sad').textContent()).toBe('20');
      expect(guard.blocked).toEqual([]);
    } finally {
      await guard.context.close();
    }
  });
});
