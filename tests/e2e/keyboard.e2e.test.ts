// End to end with the keyboard only: the default offline task (a label added and removed on the way) goes Task → Generate → Evaluate (a typed test set) →
// Clean (SunGen weights computed in the step) → Train → a second method → Compare, driven by Tab / Shift+Tab / Enter /
// Space / arrow keys and typing — never a mouse click — and every control that receives focus shows a focus ring.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { guardedContext, openAppPage, useServedBrowser, waitForTestId } from './harness.ts';
import { focused, retype, tabTo } from './a11y.ts';

const env = useServedBrowser();

/** Opens a step through the step bar with the keyboard: Shift+Tab back up to its link, then Enter. */
async function keyToStep(page: Page, title: string): Promise<void> {
  await tabTo(page, 'link', title, { back: true });
  await page.keyboard.press('Enter');
  await page.locator(`section[data-step="${title.toLowerCase()}"]`).waitFor();
  // The step's title takes focus, so the next Tab starts at the top of the step.
  await expect.poll(async () => (await page.evaluate(() => document.activeElement?.id)) ?? '').toBe('step-title');
}

describe('Keyboard only (default task, bundled model, WASM, offline)', () => {
  it('Task → Generate → Evaluate (typed set) → Clean (computed weights) → Train → second method → Compare', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await openAppPage(guard, env.served.baseUrl, { viewport: { width: 1280, height: 800 } });

      // Task: add a third label with the keyboard, name it, see it listed, remove it again; then go on.
      await tabTo(page, 'button', 'Add a label');
      await page.keyboard.press('Enter');
      expect((await focused(page)).name).toBe('Label 3 name'); // focus moves into the new label
      await page.keyboard.type('calm');
      await expect.poll(() => page.getByRole('button', { name: 'Remove label 3 (calm)' }).count()).toBe(1);
      await tabTo(page, 'button', 'Remove label 3 (calm)');
      await page.keyboard.press('Enter');
      expect(await page.getByLabel('Label 3 name').count()).toBe(0);
      expect((await focused(page)).name).toBe('Add a label'); // focus stays in the list, not lost
      await tabTo(page, 'button', 'Use this task → Generate', { back: true });
      await page.keyboard.press('Enter');
      await page.locator('section[data-step="generate"]').waitFor();

      // Generate: a few samples per label, then Generate (above the settings, so Shift+Tab back to it).
      await tabTo(page, 'textbox', 'Samples per label');
      await retype(page, '10');
      await tabTo(page, 'button', 'Generate', { back: true });
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('run-status').textContent().catch(() => ''), { timeout: 240_000 }).toBe('done');

      // Evaluate: type a test set — sentence, label chosen with the keyboard (type-ahead), Add with Space.
      await keyToStep(page, 'Evaluate');
      const typed: [string, string][] = [
        ['She laughed and played with her happy friends.', 'happy'],
        ['He smiled at the big sunny day.', 'happy'],
        ['She cried because she was sad and alone.', 'sad'],
        ['The sad boy lost his toy and wept.', 'sad'],
      ];
      for (const [text, label] of typed) {
        await tabTo(page, 'textbox', 'Test sentence');
        await retype(page, text);
        await page.keyboard.press('Tab');
        expect((await focused(page)).name).toBe('Its label');
        await page.keyboard.type(label);
        await tabTo(page, 'button', 'Add example');
        await page.keyboard.press('Space');
        await expect.poll(() => page.getByTestId('typed-examples').locator('li').last().textContent()).toContain(text);
        await keyToStep(page, 'Evaluate');
      }
      await expect.poll(() => page.getByTestId('typed-count').textContent()).toBe('4 typed examples');

      // Clean: SunGen with the fast inner model (chosen by type-ahead), T = 2, compute the weights in the step.
      await keyToStep(page, 'Clean');
      await tabTo(page, 'combobox', 'Method');
      await page.keyboard.type('sungen-f');
      expect(await page.locator('#clean-method').inputValue()).toBe('sungen-fast');
      await tabTo(page, 'spinbutton', 'Outer iterations T');
      await retype(page, '2');
      await tabTo(page, 'button', 'Compute weights', { back: true });
      await page.keyboard.press('Enter');
      await waitForTestId(page, 'weight-histogram', ['clean-error'], 120_000);
      await page.getByTestId('weight-histogram').locator('svg').waitFor();
      // Drop a low-weighted sample by hand (Space on its Drop button).
      await tabTo(page, 'button', /^Drop sample \d+ \(happy\)$/);
      await page.keyboard.press('Space');
      await expect.poll(() => page.getByTestId('lowest-samples').first().locator('button[aria-pressed="true"]').count()).toBe(1);

      // Train: the weights computed in Clean are reused.
      await keyToStep(page, 'Train');
      await tabTo(page, 'button', 'Train');
      await page.keyboard.press('Enter');
      await waitForTestId(page, 'accuracy', ['train-error'], 180_000);
      expect(await page.getByTestId('test-count').textContent()).toBe('4');
      expect(await page.getByTestId('reused-weights').count()).toBe(1);

      // A second training without cleaning: Home (the default, first) then ArrowDown selects "none".
      await keyToStep(page, 'Clean');
      await tabTo(page, 'combobox', 'Method');
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowDown');
      expect(await page.locator('#clean-method').inputValue()).toBe('none');
      await keyToStep(page, 'Train');
      await tabTo(page, 'button', 'Train');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('training-result').getAttribute('data-method').catch(() => null), { timeout: 180_000 }).toBe('none');
      await waitForTestId(page, 'accuracy', ['train-error'], 60_000);

      // Runs: tick both trainings with Space; Compare shows both.
      await keyToStep(page, 'Runs');
      await tabTo(page, 'checkbox', /^Compare /);
      await page.keyboard.press('Space');
      await tabTo(page, 'checkbox', /^Compare /);
      await page.keyboard.press('Space');
      const table = page.getByTestId('compare-table');
      await table.waitFor();
      expect(await table.locator('thead th').count()).toBe(3);
      expect(await table.locator('tr', { hasText: 'Cleaning method' }).textContent()).toMatch(/none.*sungen-fast|sungen-fast.*none/);
      // The comparison table scrolls, so it is a focusable region too.
      await tabTo(page, 'region', 'Comparison table (scrolls)');
      expect(guard.blocked).toEqual([]);
    } finally {
      if (guard.errors.length) console.log(guard.errors.join('\n'));
      await guard.context.close();
    }
  });
});
