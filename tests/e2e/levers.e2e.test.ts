// End-to-end: the Task step's diversity and few-shot levers in headless Chromium, offline. Topics and examples are
// set in the form (typed and read from a file), bad input gets its message next to the field, hostile text stays
// text, both prompt previews show the levers, and the run generated with the bundled model saves them in IndexedDB.
import { describe, expect, it } from 'vitest';
import { guardedContext, openAppPage, useServedBrowser } from './harness.ts';

const env = useServedBrowser();
const HOSTILE = '<img src=x onerror="window.__pwned=1">';

describe('Task step: topics and few-shot examples', () => {
  it('sets topics and examples in the form, previews them, and saves them with the run', async () => {
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await openAppPage(guard, env.served.baseUrl, { step: 'Task' });
      const levers = page.getByTestId('levers');

      // Topics: two added, one hostile; a template without {topic} gets its message, then is fixed.
      await levers.getByRole('button', { name: 'Add a topic' }).click();
      await levers.getByLabel('Topic 1', { exact: true }).fill('the park');
      await levers.getByRole('button', { name: 'Add a topic' }).click();
      await expect.poll(() => page.locator('#err-topic-1').textContent()).toMatch(/Write a topic or remove it/);
      await levers.getByLabel('Topic 2', { exact: true }).fill(HOSTILE);
      expect(await page.locator('#err-topic-1').count()).toBe(0);
      await levers.getByLabel('Sentence that carries the topic').fill('no placeholder');
      await expect.poll(() => page.locator('#err-topic-template').textContent()).toMatch(/must contain \{topic\}/);
      await levers.getByLabel('Sentence that carries the topic').fill('The story takes place at {topic}.');
      expect(await page.locator('#err-topic-template').count()).toBe(0);

      // Examples: one typed for "happy" → the missing label is named; a file with a wrong label → a clear error;
      // a good file → added.
      await levers.getByRole('button', { name: 'Add an example' }).click();
      await levers.getByLabel('Example 1', { exact: true }).fill('I got a new red ball!');
      await levers.getByLabel('Label of example 1').selectOption('happy');
      await expect.poll(() => page.getByTestId('examples-error').textContent()).toMatch(/none yet for “sad”/);
      const file = page.getByTestId('examples-file');
      await file.setInputFiles({ name: 'wrong.csv', mimeType: 'text/csv', buffer: Buffer.from('text,label\nI am glad,joy\n') });
      await expect.poll(() => page.getByTestId('examples-file-message').textContent()).toMatch(/wrong\.csv.*line 2: unknown label "joy".*"happy", "sad"/);
      await file.setInputFiles({ name: 'shots.jsonl', mimeType: 'application/json', buffer: Buffer.from(
        '{"text":"The sun is out and I can play!","label":"happy"}\n{"text":"My kite is gone forever.","label":"sad"}\n',
      ) });
      await expect.poll(() => page.getByTestId('examples-file-message').textContent()).toMatch(/Added 2 examples from shots\.jsonl \(1 happy, 1 sad\)/);
      expect(await page.getByTestId('examples-error').count()).toBe(0);
      await levers.getByLabel('Examples per prompt').fill('2');

      // The Task step's preview: the first label (happy) with its topic sentence and both happy examples, no sad one.
      const preview = page.getByTestId('task-prompt-preview');
      await expect.poll(() => preview.textContent()).toMatch(/The story takes place at (the park|<img)/);
      const text = (await preview.textContent())!;
      expect(text).toContain('I got a new red ball!');
      expect(text).toContain('The sun is out and I can play!');
      expect(text).not.toContain('My kite is gone forever.');
      // Hostile text is text: no element injected, no script run.
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

      // Generate: the same prompt in the Generate step's preview; a small run with the bundled model.
      await page.getByRole('button', { name: 'Use this task → Generate' }).click();
      expect(await page.locator('section.step').getAttribute('data-step')).toBe('generate');
      expect(await page.getByTestId('prompt-preview').textContent()).toBe(text);
      await page.getByLabel('Samples per label').fill('3');
      await page.getByRole('button', { name: 'Generate', exact: true }).click();
      const deadline = Date.now() + 180_000;
      while ((await page.getByTestId('run-status').textContent().catch(() => '')) !== 'done') {
        if (await page.getByTestId('run-error').count()) throw new Error((await page.getByTestId('run-error').textContent()) ?? 'error');
        if (Date.now() > deadline) throw new Error('generation did not finish');
        await page.waitForTimeout(250);
      }

      // Saved with the run (IndexedDB), exactly as set in the form.
      const tasks = await page.evaluate(
        () =>
          new Promise<unknown[]>((resolve, reject) => {
            const req = indexedDB.open('sungen-lab');
            req.onerror = () => reject(req.error);
            req.onsuccess = () => {
              const db = req.result;
              const all = db.transaction('runs').objectStore('runs').getAll();
              all.onsuccess = () => {
                db.close();
                resolve(all.result.map((r: { config: { task: unknown } }) => r.config.task));
              };
              all.onerror = () => reject(all.error);
            };
          }),
      );
      expect(tasks).toHaveLength(1);
      expect(tasks[0]).toMatchObject({
        topics: ['the park', HOSTILE],
        topicTemplate: 'The story takes place at {topic}.',
        shots: 2,
        examples: [
          { text: 'I got a new red ball!', label: 'happy' },
          { text: 'The sun is out and I can play!', label: 'happy' },
          { text: 'My kite is gone forever.', label: 'sad' },
        ],
      });
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(guard.blocked).toEqual([]);
      expect(guard.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    } finally {
      await guard.context.close();
    }
  });
});
