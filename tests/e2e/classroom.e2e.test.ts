// End-to-end, the lesson a teacher would demo, in real headless Chromium with every off-origin request blocked: the
// default task goes Task → Generate → Clean → Train → Evaluate on a test set typed in the page → a second training
// with another method → Compare shows both → reload → the same step and numbers are back. Bad input on the way (a
// typed example with no label, HTML in text, a test file with the wrong labels) gets a message at the place of the
// error and is rendered as text. Screenshots of every step at 1280×800, 768×1024 and 390×844 go to
// test-results/screens/ (git-ignored) for a reviewer; at every size no step may scroll sideways, and axe-core finds no
// contrast, label or name problem and no two controls share a name (before any run and at the end).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { goToStep, guardedContext, openAppPage, ROOT, useServedBrowser, waitForTestId } from './harness.ts';
import { axeViolations, duplicateControlNames } from './a11y.ts';

const env = useServedBrowser();
const SHOTS = join(ROOT, 'test-results/screens');
const STEPS = ['Task', 'Generate', 'Clean', 'Train', 'Evaluate', 'Runs'] as const;

const TYPED: [string, string][] = [
  ['She smiled and laughed with her friends.', 'happy'],
  ['He was so happy to see the big cake.', 'happy'],
  ['They played in the sun and had fun all day.', 'happy'],
  ['She cried because her toy was broken.', 'sad'],
  ['He was sad and alone in the dark room.', 'sad'],
  ['The little dog was lost and very sad.', 'sad'],
];

/** Screenshots of every step at the three sizes, with the layout and accessibility checks; returns the a11y problems. */
async function shootAll(page: Page, tag: string): Promise<string[]> {
  const problems: string[] = [];
  for (const [w, h] of [[1280, 800], [768, 1024], [390, 844]] as const) {
    await page.setViewportSize({ width: w, height: h });
    for (const step of STEPS) {
      await goToStep(page, step);
      await page.waitForTimeout(150);
      await page.screenshot({ path: join(SHOTS, `${tag}-${step.toLowerCase()}-${w}x${h}.png`) });
      for (const v of await axeViolations(page)) problems.push(`${step} at ${w}×${h}: ${v}`);
      for (const d of await duplicateControlNames(page)) problems.push(`${step} at ${w}×${h}: two controls named ${d}`);
      {
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(scrollWidth, `${step} scrolls sideways at ${w} px`).toBeLessThanOrEqual(w);
      }
      // The step's primary action is above the fold.
      const primary = page.locator('section.step .actions .primary').first();
      if (await primary.count()) {
        const box = await primary.boundingBox();
        expect(box, `${step}: primary action visible`).not.toBeNull();
        expect(box!.y + box!.height, `${step}: primary action above the fold at ${w}×${h}`).toBeLessThanOrEqual(h);
      }
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  return problems;
}

describe('Classroom flow (default task, bundled model, WASM, offline)', () => {
  it('Task → Generate → Clean → Train → Evaluate (typed test set) → second method → Compare → reload', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await openAppPage(guard, env.served.baseUrl, { viewport: { width: 1280, height: 800 } });
      expect(await page.locator('section.step').getAttribute('data-step')).toBe('task');
      // Every step before any run exists: layout and accessibility at the three sizes.
      expect(await shootAll(page, 'empty'), 'axe-core and unique-name checks (no runs yet)').toEqual([]);
      await goToStep(page, 'Task');

      // Task: a third label with bad names gets messages next to its field; removing it restores the default task.
      await page.getByRole('button', { name: 'Add a label' }).click();
      await expect.poll(() => page.locator('#err-label-2-name').textContent()).toMatch(/Give this label a name/);
      await page.getByLabel('Label 3 name').fill('   ');
      await expect.poll(() => page.locator('#err-label-2-name').textContent()).toMatch(/only spaces/);
      await page.getByLabel('Label 3 name').fill('Sad');
      await expect.poll(() => page.locator('#err-label-2-name').textContent()).toMatch(/already label 2/);
      await page.getByRole('button', { name: 'Use this task → Generate' }).click();
      await page.getByTestId('task-errors').waitFor();
      expect(await page.locator('section.step').getAttribute('data-step')).toBe('task');
      await page.getByRole('button', { name: /Remove label 3/ }).click();
      expect(await page.locator('#err-label-2-name').count()).toBe(0);
      // On to Generate with the step's primary action.
      await page.getByRole('button', { name: 'Use this task → Generate' }).click();
      expect(await page.locator('section.step').getAttribute('data-step')).toBe('generate');
      await page.getByLabel('Samples per label').fill('12');
      await page.getByRole('button', { name: 'Generate', exact: true }).click();
      const deadline = Date.now() + 240_000;
      while ((await page.getByTestId('run-status').textContent().catch(() => '')) !== 'done') {
        if (await page.getByTestId('run-error').count()) throw new Error(await page.getByTestId('run-error').textContent() ?? 'error');
        if (Date.now() > deadline) throw new Error('generation did not finish');
        await page.waitForTimeout(250);
      }

      // Evaluate: no bundled set for happy/sad, so the class types one. Bad input first.
      await goToStep(page, 'Evaluate');
      await page.getByLabel('Test sentence').fill('A sentence without a label');
      await page.getByRole('button', { name: 'Add example' }).click();
      await expect.poll(() => page.locator('#typed-label-error').textContent()).toMatch(/Pick the label/);
      await page.getByLabel('Test sentence').fill('');
      for (const [text, label] of TYPED) {
        await page.getByLabel('Test sentence').fill(text);
        await page.getByLabel('Its label').selectOption(label);
        await page.getByRole('button', { name: 'Add example' }).click();
      }
      await page.getByLabel('Test sentence').fill('<b>Bold</b> <script>window.hacked = 1</script> she was happy');
      await page.getByLabel('Its label').selectOption('happy');
      await page.getByRole('button', { name: 'Add example' }).click();
      await expect.poll(() => page.getByTestId('typed-count').textContent()).toBe('7 typed examples');
      expect(await page.getByTestId('typed-examples').textContent()).toContain('<script>window.hacked = 1</script>');
      expect(await page.evaluate(() => (window as unknown as { hacked?: number }).hacked)).toBeUndefined();
      // A test file whose labels are not the task's: a message next to the upload, nothing stored.
      const dir = mkdtempSync(join(tmpdir(), 'sungen-class-'));
      const wrong = join(dir, 'wrong.csv');
      writeFileSync(wrong, 'text,label\nA great film,positive\nA dull film,negative\n');
      await page.getByLabel('Test file (CSV, TSV, JSONL or TXT)').setInputFiles(wrong);
      await expect.poll(() => page.getByTestId('upload-error').textContent()).toMatch(/line 2: unknown label "positive".*"happy", "sad"/);
      const typedName = 'Typed in the page';
      expect(await page.locator('#test-set-choice option:checked').textContent()).toContain(typedName);

      // Clean: method none has no weights, and says so plainly.
      await goToStep(page, 'Clean');
      await page.getByLabel('Method').selectOption('none');
      expect(await page.getByTestId('no-weights').textContent()).toMatch(/same weight/);
      expect(await page.getByRole('button', { name: 'Compute weights' }).isDisabled()).toBe(true);
      // filter: its weights are confidences, computed in the step and shown as such.
      await page.getByLabel('Method').selectOption('filter');
      await page.getByRole('button', { name: 'Compute weights' }).click();
      await waitForTestId(page, 'weights-origin', ['clean-error'], 120_000);
      expect(await page.getByTestId('weights-origin').textContent()).toMatch(/with filter .*filter confidence/);
      expect(await page.getByTestId('reuse-status').getAttribute('data-reuse')).toBe('true');
      // SunGen (fast inner model, small T), computed in the step itself: histograms per class, the lowest- and
      // highest-weighted samples, the next training reuses them.
      await page.getByLabel('Method').selectOption('sungen-fast');
      await page.getByLabel('Outer iterations T').fill('2');
      await expect.poll(() => page.getByTestId('reuse-status').getAttribute('data-reuse')).toBe('false'); // filter's scores do not fit
      await page.getByRole('button', { name: 'Compute weights' }).click();
      await expect.poll(() => page.getByTestId('weights-origin').textContent(), { timeout: 120_000 }).toMatch(/with sungen-fast .*SunGen weight/);
      expect(await page.getByTestId('weights-origin').getAttribute('data-origin')).toBe('computed');
      expect(await page.getByTestId('reuse-status').getAttribute('data-reuse')).toBe('true');
      await page.getByTestId('weight-histogram').locator('svg').waitFor();
      expect(await page.getByTestId('class-means').locator('tbody tr').count()).toBe(2);
      expect(await page.getByTestId('lowest-samples').first().locator('li').count()).toBeGreaterThan(0);
      // Drop the lowest-weighted "happy" sample by hand: the next training leaves it out.
      await page.getByTestId('lowest-samples').first().getByRole('button', { name: /^Drop sample/ }).first().click();
      await expect.poll(() => page.getByTestId('lowest-samples').first().locator('button[aria-pressed="true"]').count()).toBe(1);
      // A setting the weights depend on changes: they no longer fit; back to T = 2 they fit again.
      await page.getByLabel('Outer iterations T').fill('3');
      await expect.poll(() => page.getByTestId('reuse-status').getAttribute('data-reuse')).toBe('false');
      await page.getByLabel('Outer iterations T').fill('2');
      await expect.poll(() => page.getByTestId('reuse-status').getAttribute('data-reuse')).toBe('true');
      await page.screenshot({ path: join(SHOTS, 'clean-computed-1280x800.png'), fullPage: true });
      // Train: the fast classifier, reusing the weights and respecting the drop.
      await goToStep(page, 'Train');
      expect(await page.getByTestId('train-test-set').textContent()).toContain(typedName);
      expect(await page.getByTestId('train-reuse').count()).toBe(1);
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await waitForTestId(page, 'accuracy', ['train-error'], 180_000);
      expect(await page.getByTestId('reused-weights').count()).toBe(1);
      expect(await page.getByTestId('test-name').textContent()).toBe(typedName);
      expect(await page.getByTestId('test-count').textContent()).toBe('7');
      const acc1 = await page.getByTestId('accuracy').textContent();

      // Second training with another method.
      await goToStep(page, 'Clean');
      await page.getByLabel('Method').selectOption('none');
      await goToStep(page, 'Train');
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await expect.poll(() => page.getByTestId('training-result').getAttribute('data-method').catch(() => null), { timeout: 180_000 }).toBe('none');
      await waitForTestId(page, 'accuracy', ['train-error'], 60_000);

      // Evaluate: both trainings listed with their accuracy on the typed set.
      await goToStep(page, 'Evaluate');
      await expect.poll(() => page.locator('[data-testid="saved-trainings"] li').count()).toBe(2);
      expect(await page.getByTestId('headline').textContent()).toMatch(/Accuracy on Typed in the page \(7 examples\)/);

      // Runs: tick both, Compare shows both, with differences highlighted.
      await goToStep(page, 'Runs');
      const boxes = page.getByTestId('trainings-list').getByRole('checkbox');
      await boxes.nth(0).check();
      await boxes.nth(1).check();
      const table = page.getByTestId('compare-table');
      await table.waitFor();
      expect(await page.getByTestId('compare-test').textContent()).toBe(typedName);
      expect(await table.locator('thead th').count()).toBe(3);
      const methodRow = table.locator('tr', { hasText: 'Cleaning method' });
      expect(await methodRow.getAttribute('class')).toContain('differs');
      expect(await methodRow.textContent()).toMatch(/none.*sungen-fast|sungen-fast.*none/);
      await page.getByTestId('compare-chart').locator('svg').waitFor({ timeout: 15_000 });
      const compareBefore = await table.textContent();

      const a11y = await shootAll(page, 'flow');
      expect(a11y, 'axe-core and unique-name checks').toEqual([]);

      // Reload on the Runs step: the same step, run and numbers come back.
      await goToStep(page, 'Runs');
      await page.reload();
      await page.locator('[data-ready="true"]').waitFor({ timeout: 30_000 });
      expect(await page.locator('section.step').getAttribute('data-step')).toBe('runs');
      await page.getByTestId('compare-table').waitFor();
      await expect.poll(() => page.getByTestId('compare-table').textContent()).toBe(compareBefore);
      await goToStep(page, 'Train');
      await goToStep(page, 'Evaluate');
      await expect.poll(() => page.locator('[data-testid="saved-trainings"] li').count()).toBe(2);
      expect(await page.getByTestId('headline').textContent()).toMatch(/Accuracy on Typed in the page \(7 examples\)/);
      console.log(`[e2e] classroom: first training (sungen-fast) accuracy on the typed set ${acc1}`);
      expect(guard.blocked).toEqual([]);
    } finally {
      if (guard.errors.length) console.log(guard.errors.join('\n'));
      await guard.context.close();
    }
  });
});
