// End-to-end with the SmolLM2 offline pack (npm run model-pack): the built page in headless Chromium (WASM, every
// request outside the page's origin blocked) warns that the bundled story model does not suit SST-2, shows the pack
// as the model's offline source, uses the chat template, and generates 2 × 4 SST-2 samples that read as movie-review
// sentences (at least 5 words each, not all identical) with the pack's q4 file; a device that reports 4 GB of memory
// (`?memory=4`) gets the lean q8 file and is told so.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { goToStep, guardedContext, openAppPage, ROOT, useServedBrowser } from './harness.ts';

const env = useServedBrowser();
const PACK = join(ROOT, 'public/models/HuggingFaceTB/SmolLM2-135M-Instruct/onnx/model_q4.onnx');

/** Picks SST-2 and SmolLM2, generates `perLabel` per label, and returns the sample texts (label prefix removed). */
async function generateSst2(page: Page, perLabel: number, batch: number): Promise<string[]> {
  await page.getByLabel('Preset task').selectOption('sst-2');
  await goToStep(page, 'Generate');
  await page.getByLabel('Generator model').selectOption('HuggingFaceTB/SmolLM2-135M-Instruct');
  await expect.poll(() => page.getByTestId('model-resolution').textContent()).toContain('Offline model pack');
  await page.getByLabel('Samples per label').fill(String(perLabel));
  await page.getByLabel('Batch size').fill(String(batch));
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  const deadline = Date.now() + 540_000;
  for (;;) {
    const error = page.getByTestId('run-error');
    if (await error.count()) throw new Error(`The page reported an error: ${await error.textContent()}`);
    if ((await page.getByTestId('run-status').textContent().catch(() => '')) === 'done') break;
    if (Date.now() > deadline) throw new Error('SmolLM2 generation did not finish in 9 minutes');
    await page.waitForTimeout(500);
  }
  console.log(`[e2e] SmolLM2 2×${perLabel} SST-2 on the page: ${((Date.now() - t0) / 1000).toFixed(1)} s; ${await page.getByTestId('rates').textContent()}`);
  expect(await page.getByTestId('device').textContent()).toContain('WASM');
  expect(await page.getByTestId('count-positive').textContent()).toBe(String(perLabel));
  expect(await page.getByTestId('count-negative').textContent()).toBe(String(perLabel));
  const texts = await page.locator('[data-testid="samples-table"] tbody tr td:nth-child(3)').allTextContents();
  console.log(`[e2e] samples:\n${texts.join('\n')}`);
  expect(texts).toHaveLength(2 * perLabel);
  return texts.map((t) => t.replace(/^\[[^\]]*\]\s*/, '').trim());
}

describe('SmolLM2 offline pack in the page (WASM, offline)', () => {
  it('generates 2 × 4 SST-2 movie-review sentences with the chat template', async () => {
    expect(existsSync(PACK), `${PACK} is missing: run npm run model-pack`).toBe(true);
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await openAppPage(guard, env.served.baseUrl, { step: 'Task' });
      await page.getByLabel('Preset task').selectOption('sst-2');
      await goToStep(page, 'Generate');

      // The bundled story model with a movie-review task: the page says it does not suit.
      await expect.poll(() => page.getByTestId('model-task-warning').textContent()).toContain('children');
      await page.getByLabel('Generator model').selectOption('HuggingFaceTB/SmolLM2-135M-Instruct');
      await expect.poll(() => page.getByTestId('model-resolution').textContent()).toContain('Offline model pack');
      expect(await page.getByTestId('model-task-warning').count()).toBe(0);
      expect(await page.getByTestId('prompt-style-used').textContent()).toContain('chat template');
      expect(await page.getByTestId('prompt-preview').textContent()).toContain('Write a positive one-sentence review');
      await goToStep(page, 'Task');

      const bodies = await generateSst2(page, 4, 8);
      for (const b of bodies) expect(b.split(/\s+/).length, b).toBeGreaterThanOrEqual(5);
      expect(new Set(bodies).size).toBeGreaterThan(1);
      // Headless Chromium reports 8 GB: the fast q4 file, and no note about a smaller file.
      expect(await page.locator('[data-testid="device"] details').textContent()).toContain('HuggingFaceTB/SmolLM2-135M-Instruct, q4)');
      expect(await page.getByTestId('model-file').count()).toBe(0);
      expect(guard.blocked).toEqual([]);
    } finally {
      await guard.context.close();
    }
  });

  it('uses the lean q8 file on a device that reports 4 GB, and says so', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await openAppPage(guard, `${env.served.baseUrl}?memory=4`, { step: 'Task' });
      const bodies = await generateSst2(page, 1, 2);
      for (const b of bodies) expect(b.split(/\s+/).length, b).toBeGreaterThanOrEqual(5);
      const note = await page.getByTestId('model-file').textContent();
      expect(note).toContain('Model file: q8');
      expect(note).toContain('this device reports 4 GB of memory');
      expect(await page.locator('[data-testid="device"] details').textContent()).toContain('HuggingFaceTB/SmolLM2-135M-Instruct, q8)');
      expect(guard.blocked).toEqual([]);
    } finally {
      await guard.context.close();
    }
  });
});
