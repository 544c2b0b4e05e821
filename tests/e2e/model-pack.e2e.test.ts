// End-to-end: a teacher's model pack from disk. A real model folder (the bundled Llama's files, laid out as the q8
// pack of a catalog model, with a pack-manifest.json of sizes and SHA-256 like tools/model-pack writes) is imported
// through the catalog's folder picker into browser storage. A pack with a damaged file or a missing file is refused
// with a clear message and nothing is stored. With the server STOPPED, the page reloads from the service worker and
// generates with the imported model; the catalog lists it as an offline pack; Delete removes it.
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { guardedContext, launchChromium, ROOT, serveDist, goToStep } from './harness.ts';

const PACK_ID = 'Xenova/distilgpt2';

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? listFiles(join(dir, n)) : [join(dir, n)]));
}

/** The bundled model's files as the q8 pack of PACK_ID, with a pack-manifest.json (bytes + sha256 per file). */
function makePack(root: string, name: string): string {
  const dir = join(root, name);
  cpSync(join(ROOT, 'public/models/karpathy/stories260K'), dir, { recursive: true });
  renameSync(join(dir, 'onnx/model.onnx'), join(dir, 'onnx/model_quantized.onnx'));
  const files: Record<string, { bytes: number; sha256: string }> = {};
  for (const f of listFiles(dir)) {
    const data = readFileSync(f);
    files[relative(dir, f)] = { bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  }
  writeFileSync(join(dir, 'pack-manifest.json'), JSON.stringify({ source: 'test', files }, null, 2));
  return dir;
}

describe('offline model pack import', () => {
  it('checks a pack before storing it, then the model loads and generates with the server stopped', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sungen-pack-'));
    const good = makePack(tmp, 'distilgpt2');
    const corrupt = makePack(tmp, 'distilgpt2-corrupt');
    const tok = join(corrupt, 'tokenizer.json');
    writeFileSync(tok, readFileSync(tok, 'utf8').replace('"model"', '"mOdel"'));
    const incomplete = makePack(tmp, 'distilgpt2-incomplete');
    rmSync(join(incomplete, 'onnx'), { recursive: true });

    const served = await serveDist();
    const browser = await launchChromium();
    let open = true;
    try {
      const guard = await guardedContext(browser, served.origin);
      const page = await guard.newPage();
      await page.goto(`${served.baseUrl}#/generate`);
      await page.locator('[data-ready="true"]').waitFor({ timeout: 30_000 });
      await page.getByTestId('offline-ready').waitFor({ timeout: 120_000 });
      const folder = page.getByLabel('Model pack folder');
      await page.getByLabel('Pack provides').selectOption(PACK_ID);

      await folder.setInputFiles(corrupt);
      await expect.poll(() => page.getByTestId('models-error').textContent(), { timeout: 30_000 }).toMatch(/tokenizer\.json is damaged \(its SHA-256 does not match pack-manifest\.json\)/);
      await folder.setInputFiles(incomplete);
      await expect.poll(() => page.getByTestId('models-error').textContent(), { timeout: 30_000 }).toMatch(/onnx\/model_quantized\.onnx is missing|missing onnx\/model_quantized\.onnx/);
      const row = page.locator(`[data-testid="model-catalog"] tr[data-model="${PACK_ID}"]`);
      expect(await row.getByTestId('model-cached').textContent()).toBe('no');

      await folder.setInputFiles(good);
      await expect.poll(() => page.getByTestId('models-message').textContent(), { timeout: 60_000 }).toMatch(/Imported Xenova\/distilgpt2 \(q8, 1\.2 MB\).*every file matched its SHA-256/);
      await expect.poll(() => row.getByTestId('model-source').textContent(), { timeout: 15_000 }).toBe('offline pack (this browser)');
      // The cache column is refreshed after the source (a second storage read): wait for it too.
      await expect.poll(() => row.getByTestId('model-cached').textContent(), { timeout: 15_000 }).toBe('cached');

      await served.close();
      open = false;
      await page.reload();
      await page.locator('[data-ready="true"]').waitFor({ timeout: 30_000 });
      await goToStep(page, 'Generate');
      await page.getByLabel('Generator model').selectOption(PACK_ID);
      await expect.poll(() => page.getByTestId('model-resolution').textContent(), { timeout: 15_000 }).not.toMatch(/not available|missing/);
      await page.getByLabel('Samples per label').fill('2');
      await page.getByLabel('Max new tokens').fill('12');
      await page.getByLabel('Min words').fill('1');
      await page.getByRole('button', { name: 'Generate', exact: true }).click();
      const deadline = Date.now() + 180_000;
      while ((await page.getByTestId('run-status').textContent().catch(() => '')) !== 'done') {
        const err = page.getByTestId('run-error');
        if (await err.count()) throw new Error(`Generation with the imported pack failed: ${await err.textContent()}`);
        if (Date.now() > deadline) throw new Error(`Generation did not finish; page errors: ${guard.errors.join(' | ')}`);
        await page.waitForTimeout(250);
      }
      expect(await page.locator('[data-testid="samples-table"] tbody tr').count()).toBe(4);

      page.on('dialog', (d) => void d.accept());
      await row.getByRole('button', { name: /Delete/ }).click();
      await expect.poll(() => row.getByTestId('model-cached').textContent(), { timeout: 15_000 }).toBe('no');
      expect(guard.blocked).toEqual([]);
      await guard.context.close();
    } finally {
      await browser.close();
      if (open) await served.close();
    }
  });
});
