// End-to-end with the SmolLM2 offline pack (npm run model-pack): the built page in headless Chromium (WASM, every
// request outside the page's origin blocked) warns that the bundled story model does not suit SST-2, shows the pack
// as the model's offline source, uses the chat template, and generates 2 × 4 SST-2 samples that read as movie-review
// sentences (at least 5 words each, not all identical).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goToStep, guardedContext, openAppPage, ROOT, useServedBrowser } from './harness.ts';

const env = useServedBrowser();
const PACK = join(ROOT, 'public/models/HuggingFaceTB/SmolLM2-135M-Instruct/onnx/model_quantized.onnx');

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

      await page.getByLabel('Samples per label').fill('4');
      await page.getByLabel('Batch size').fill('8');
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
      console.log(`[e2e] SmolLM2 2×4 SST-2 on the page: ${((Date.now() - t0) / 1000).toFixed(1)} s; ${await page.getByTestId('rates').textContent()}`);
      expect(await page.getByTestId('device').textContent()).toContain('WASM');

      const texts = await page.locator('[data-testid="samples-table"] tbody tr td:nth-child(3)').allTextContents();
      console.log(`[e2e] samples:\n${texts.join('\n')}`);
      expect(texts).toHaveLength(8);
      expect(await page.getByTestId('count-positive').textContent()).toBe('4');
      expect(await page.getByTestId('count-negative').textContent()).toBe('4');
      const bodies = texts.map((t) => t.replace(/^\[[^\]]*\]\s*/, '').trim());
      for (const b of bodies) expect(b.split(/\s+/).length, b).toBeGreaterThanOrEqual(5);
      expect(new Set(bodies).size).toBeGreaterThan(1);
      expect(guard.blocked).toEqual([]);
    } finally {
      await guard.context.close();
    }
  });
});
