// End-to-end: everything leaves and comes back. In one browser profile: import real PLM-generated reviews, train the
// fast classifier (SunGen-fast), export the project zip and the classifier (tfjs model files + metadata.json). In a
// FRESH profile: import the project → the run, its samples, the training and its accuracy are back; a second import
// adds nothing. In a plain page that has only tf.min.js and the documented snippet, the exported classifier gives
// the same predictions for ten texts as the app's "Try it". A zip that is not a project gets a clear message and
// changes nothing. No request leaves the origin.
import { mkdirSync, mkdtempSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { goToStep, guardedContext, ROOT, useServedBrowser } from './harness.ts';
import { startLoopbackPreview } from '../../src/cli/loopback-preview.ts';
import { readZip } from '../../src/core/portable/zip.ts';
import { CLASSIFIER_SNIPPET } from '../../src/core/portable/classifier-export.ts';
import { sharedPath } from '../shared-path.ts';

const IMDB_SMALL = sharedPath('data/synthetic/imdb-gpt2-xl-small.jsonl');
const TEN_TEXTS = [
  'a wonderful , moving and beautifully acted film',
  'dull , lifeless and far too long',
  'the best movie i have seen this year',
  'a waste of time and money',
  'funny , smart and full of heart',
  'the plot makes no sense and the acting is wooden',
  'i loved every minute of it',
  'boring .',
  'an unexpected delight',
  'it never finds its footing',
];

const env = useServedBrowser();
/** The project exported by the first test, reused by the storage-full test. */
let exportedProject = '';

function counts(page: Page): Promise<{ runs: number; samples: number; trainings: number }> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('sungen-lab');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction(['runs', 'samples', 'trainings']);
          const c = ['runs', 'samples', 'trainings'].map((n) => tx.objectStore(n).count());
          tx.oncomplete = () => {
            db.close();
            resolve({ runs: c[0].result, samples: c[1].result, trainings: c[2].result });
          };
        };
      }),
  );
}

async function openApp(page: Page): Promise<void> {
  await page.goto(env.served.baseUrl);
  await page.locator('[data-ready="true"]').waitFor({ timeout: 30_000 });
}

async function download(page: Page, click: () => Promise<void>, to: string): Promise<string> {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), click()]);
  await dl.saveAs(to);
  return to;
}

/** "Try it" in the Evaluate step: "label|p1|p2" with the shown per-class probabilities (percent, one decimal). */
async function tryIt(page: Page, text: string): Promise<string> {
  const shown = async () => {
    if (!(await page.getByTestId('try-result').count())) return null;
    const label = ((await page.locator('[data-testid="try-result"] .label-name').textContent()) ?? '').trim();
    const bars = await page.locator('.prob-bars .bar-value').allTextContents();
    return [label, ...bars.map((b) => b.replace(/[^\d.]/g, ''))].join('|');
  };
  const before = await shown();
  await page.getByLabel('Try it: text to classify').fill(text);
  await page.getByRole('button', { name: 'Classify', exact: true }).click();
  // Wait for the new result; the old one disappears while classifying. Two texts may get the very same shown
  // result, so after 3 s any result counts.
  const t0 = Date.now();
  let now = await shown();
  while (Date.now() - t0 < 30_000 && (now === null || (now === before && Date.now() - t0 < 3_000))) {
    await page.waitForTimeout(100);
    now = await shown();
  }
  if (now === null) throw new Error(`No "Try it" result; page says: ${(await page.locator('.errors').allTextContents()).join(' | ')}`);
  return now;
}

describe('export and import of everything', () => {
  it('project round trip into a fresh profile (twice, no duplicates) and the classifier in a plain tfjs page', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sungen-portable-'));
    const a = await guardedContext(env.browser, env.served.origin);
    let projectZip = '';
    let classifierZip = '';
    const appPredictions: string[] = [];
    let accuracyText = '';
    let before = { runs: 0, samples: 0, trainings: 0 };
    try {
      const page = await a.newPage();
      await openApp(page);
      await goToStep(page, 'Generate');
      await page.getByLabel('Samples file (JSONL)').setInputFiles(IMDB_SMALL);
      await page.getByTestId('import-message').waitFor({ timeout: 30_000 });
      await goToStep(page, 'Clean');
      await page.getByLabel('Method').selectOption('sungen-fast');
      await page.getByLabel('Outer iterations T').fill('1');
      await goToStep(page, 'Evaluate');
      await page.getByLabel('Test set', { exact: true }).selectOption('sst2-test');
      await goToStep(page, 'Train');
      await page.getByLabel('Classifier model').selectOption('fast');
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await page.getByTestId('accuracy').waitFor({ timeout: 180_000 });
      accuracyText = (await page.getByTestId('accuracy').getAttribute('data-value')) ?? '';
      before = await counts(page);
      expect(before).toEqual({ runs: 1, samples: 1379, trainings: 1 });

      await goToStep(page, 'Evaluate');
      await page.locator('[data-testid="saved-trainings"] li input[type="radio"]').first().check();
      for (const t of TEN_TEXTS) appPredictions.push(await tryIt(page, t));

      await goToStep(page, 'Runs');
      await expect.poll(() => page.getByTestId('storage-estimate').textContent(), { timeout: 10_000 }).toMatch(/Used .* of about/);
      await expect.poll(() => page.locator('[data-testid="run-sizes"] tbody tr').count()).toBe(1);
      projectZip = await download(page, () => page.getByRole('button', { name: 'Export project' }).click(), join(dir, 'project.zip'));
      exportedProject = projectZip;
      await page.getByLabel('Training (for weights and the classifier)').selectOption({ index: 1 });
      classifierZip = await download(page, () => page.getByRole('button', { name: 'Classifier (tfjs files)' }).click(), join(dir, 'classifier.zip'));
      const csv = await download(page, () => page.getByRole('button', { name: 'Samples as CSV' }).click(), join(dir, 'samples.csv'));
      const csvHead = (await import('node:fs')).readFileSync(csv, 'utf8').split('\r\n')[0];
      expect(csvHead).toBe('text,label,weight,context,seq');
      expect(a.blocked).toEqual([]);
    } finally {
      await a.context.close();
    }

    // A fresh profile: nothing there; import the project, then import it again.
    const b = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await b.newPage();
      await openApp(page);
      await goToStep(page, 'Runs');
      const input = page.getByLabel('Import project (zip)');
      // Not a project: a clear message, nothing stored.
      const notProject = join(dir, 'not-a-project.zip');
      writeFileSync(notProject, zipSync({ 'hello.txt': strToU8('hi') }));
      await input.setInputFiles(notProject);
      await expect.poll(() => page.getByTestId('portable-error').textContent(), { timeout: 15_000 }).toMatch(/not a SunGen Lab project/);
      expect((await counts(page)).runs).toBe(0);

      await input.setInputFiles(projectZip);
      await expect.poll(() => page.getByTestId('portable-message').textContent(), { timeout: 60_000 }).toMatch(/Imported project\.zip: 1 run\(s\) with 1379 samples, 1 training/);
      expect(await counts(page)).toEqual(before);
      await input.setInputFiles(projectZip);
      await expect.poll(() => page.getByTestId('portable-message').textContent(), { timeout: 60_000 }).toMatch(/0 run\(s\).*skipped: 1 run\(s\), 1 training/);
      expect(await counts(page)).toEqual(before);

      await goToStep(page, 'Evaluate');
      await page.getByLabel('Test set', { exact: true }).selectOption('sst2-test');
      await page.locator('[data-testid="saved-trainings"] li input[type="radio"]').first().check();
      await expect.poll(() => page.getByTestId('accuracy').getAttribute('data-value'), { timeout: 10_000 }).toBe(accuracyText);
      // The imported model classifies like the original.
      expect(await tryIt(page, TEN_TEXTS[0])).toBe(appPredictions[0]);
      expect(b.blocked).toEqual([]);
    } finally {
      await b.context.close();
    }

    // A plain page: tf.min.js, the exported files and the documented snippet — none of the app's code.
    const site = join(dir, 'site');
    mkdirSync(join(site, 'dist', 'clf'), { recursive: true });
    for (const [name, data] of readZip(new Uint8Array((await import('node:fs')).readFileSync(classifierZip)), 'classifier.zip')) {
      writeFileSync(join(site, 'dist', 'clf', name), data);
    }
    copyFileSync(resolve(ROOT, 'node_modules/@tensorflow/tfjs/dist/tf.min.js'), join(site, 'dist', 'tf.min.js'));
    writeFileSync(join(site, 'dist', 'index.html'), `<!doctype html><html><body>${CLASSIFIER_SNIPPET}</body></html>`);
    const plain = await startLoopbackPreview({ root: site, configFile: false });
    const c = await guardedContext(env.browser, new URL(plain.baseUrl).origin);
    try {
      const page = await c.newPage();
      await page.goto(plain.baseUrl);
      const results = (await page.evaluate(async (texts) => {
        const classify = await (window as unknown as { loadClassifier: (u: string) => Promise<(t: string[]) => { label: string; probabilities: number[] }[]> }).loadClassifier('./clf/');
        return classify(texts);
      }, TEN_TEXTS)) as { label: string; probabilities: number[] }[];
      // Same label, and the same probability per class as the app shows it (one decimal; the plain page runs
      // tfjs's default backend, the app's worker WASM, so allow one step of rounding).
      results.forEach((r, k) => {
        const [label, ...pcts] = appPredictions[k].split('|');
        expect(r.label).toBe(label);
        r.probabilities.forEach((p, c) => expect(Math.abs(p * 100 - Number(pcts[c]))).toBeLessThanOrEqual(0.11));
      });
      expect(c.blocked).toEqual([]);
    } finally {
      await c.context.close();
      await plain.server.close();
    }
  });

  it('storage full during a project import: a clear message, nothing stored, the page keeps working', async () => {
    expect(exportedProject).not.toBe('');
    const guard = await guardedContext(env.browser, env.served.origin);
    try {
      const page = await guard.newPage();
      // A real QuotaExceededError: Chromium's quota for this origin set (before the app opens its database) far below
      // what the 1379 samples and the trained model need.
      const cdp = await guard.context.newCDPSession(page);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: env.served.origin, quotaSize: 150 * 1024 });
      await openApp(page);
      await goToStep(page, 'Runs');
      await page.getByLabel('Import project (zip)').setInputFiles(exportedProject);
      await expect.poll(() => page.getByTestId('portable-error').textContent(), { timeout: 60_000 }).toMatch(/Browser storage is full: the project was not imported \(nothing was changed\)/);
      expect(await counts(page)).toEqual({ runs: 0, samples: 0, trainings: 0 });
      // Still working: the Task step opens and a small samples file imports.
      await goToStep(page, 'Task');
      expect(guard.blocked).toEqual([]);
    } finally {
      await guard.context.close();
    }
  });
});
