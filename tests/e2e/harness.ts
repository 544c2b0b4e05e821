// Shared end-to-end harness: serve the built dist/ with Vite's preview API on 127.0.0.1 (random port), launch Debian's
// Chromium through playwright-core, and guard every request: only the page's own origin is allowed; anything else is
// recorded and aborted, so a test can assert that nothing left the machine.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PreviewServer } from 'vite';
import { startLoopbackPreview } from '../../src/cli/loopback-preview.ts';
import { chromiumPathOrThrow } from '../../src/cli/chromium.ts';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface Served {
  server: PreviewServer;
  /** e.g. http://127.0.0.1:41234/ */
  baseUrl: string;
  origin: string;
  close(): Promise<void>;
}

/** Serve dist/ (built by `npm run build`, which `npm run test:e2e` runs first). */
export async function serveDist(): Promise<Served> {
  if (!existsSync(resolve(ROOT, 'dist/index.html'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm run test:e2e does it)');
  }
  const { server, baseUrl } = await startLoopbackPreview({ root: ROOT });
  return {
    server,
    baseUrl,
    origin: new URL(baseUrl).origin,
    close: () => server.close(),
  };
}

export async function launchChromium(opts: { webgpu?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPathOrThrow(),
    headless: true,
    // --enable-unsafe-webgpu exposes the SwiftShader adapter, so the app's "fallback adapter → WASM" path is exercised.
    args: opts.webgpu === false ? [] : ['--enable-unsafe-webgpu'],
  });
}

export interface GuardedContext {
  context: BrowserContext;
  /** URLs of requests that tried to leave the page's origin (all aborted). */
  blocked: string[];
  /** Console errors and uncaught page errors, for debugging failed tests. */
  errors: string[];
  newPage(): Promise<Page>;
}

/**
 * A fresh browser context (empty IndexedDB) in which every request outside `origin` (and `opts.allow`) is aborted and
 * recorded — the page's workers included.
 */
export async function guardedContext(browser: Browser, origin: string, opts: { allow?: string[] } = {}): Promise<GuardedContext> {
  const context = await browser.newContext();
  const blocked: string[] = [];
  const errors: string[] = [];
  // `allow`: further origins a test opens on purpose (e.g. a local OpenAI-compatible server the user confirmed).
  const allowedOrigins = new Set([origin, ...(opts.allow ?? [])]);
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    let allowed = false;
    try {
      allowed = allowedOrigins.has(new URL(url).origin);
    } catch {
      allowed = false;
    }
    // data: and blob: URLs never reach the network and carry the page's own content.
    if (allowed || url.startsWith('data:') || url.startsWith('blob:')) await route.continue();
    else {
      blocked.push(url);
      await route.abort('blockedbyclient');
    }
  });
  const watch = (page: Page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  };
  context.on('page', watch);
  return { context, blocked, errors, newPage: () => context.newPage() };
}

/**
 * Registers beforeAll/afterAll that serve dist/ and launch Chromium once per test file; the returned object's
 * fields are filled in by the time tests run.
 */
export function useServedBrowser(): { served: Served; browser: Browser } {
  const env = {} as { served: Served; browser: Browser };
  beforeAll(async () => {
    env.served = await serveDist();
    env.browser = await launchChromium();
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.served?.close();
  });
  return env;
}

/** Opens a step of the guided flow through the step bar (as a user would). */
export async function goToStep(page: Page, title: 'Task' | 'Generate' | 'Clean' | 'Train' | 'Evaluate' | 'Runs'): Promise<void> {
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('link', { name: title, exact: true }).click();
  await page.locator(`section[data-step="${title.toLowerCase()}"]`).waitFor();
}

/** Waits until an element with `testId` appears; fails at once with the page's own message if one of `errorIds` appears. */
/** Opens the app in a new page of `guard` (a guarded context or a persistent one), waits until it is ready, and goes
 * to `step` when given; `viewport` first when a test checks a layout size. */
export async function openAppPage(
  guard: { newPage(): Promise<Page> },
  baseUrl: string,
  opts: { step?: Parameters<typeof goToStep>[1]; viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const page = await guard.newPage();
  if (opts.viewport) await page.setViewportSize(opts.viewport);
  await page.goto(baseUrl);
  await page.locator('[data-ready="true"]').waitFor({ timeout: 30_000 });
  if (opts.step) await goToStep(page, opts.step);
  return page;
}

export async function waitForTestId(page: Page, testId: string, errorIds: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await page.getByTestId(testId).count()) return;
    for (const id of errorIds) {
      const err = page.getByTestId(id);
      if (await err.count()) throw new Error(`The page reported an error: ${await err.textContent()}`);
    }
    if (Date.now() > deadline) throw new Error(`${testId} did not appear within ${timeoutMs} ms`);
    await page.waitForTimeout(200);
  }
}
