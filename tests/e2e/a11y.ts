// Accessibility checks for the e2e tests, measured rather than eyeballed: axe-core (injected into the page through
// the DevTools protocol, so no request leaves the machine and the page's CSP is untouched) for contrast, labels and
// names; Playwright's own accessible-name computation (aria snapshot) for "every control has a unique name"; and a
// keyboard helper that moves focus with Tab only and checks that the focused control shows a visible focus ring.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The axe rules the classroom page must pass: contrast, names of every control, labels, duplicate ids. */
export const AXE_RULES = [
  'color-contrast',
  'label',
  'label-title-only',
  'form-field-multiple-labels',
  'button-name',
  'link-name',
  'select-name',
  'input-button-name',
  'aria-input-field-name',
  'aria-toggle-field-name',
  'aria-command-name',
  'aria-progressbar-name',
  'role-img-alt',
  'svg-img-alt',
  'duplicate-id-aria',
  'image-alt',
  'aria-valid-attr-value',
  'aria-allowed-attr',
  'nested-interactive',
  'scrollable-region-focusable',
];

/** axe-core violations of AXE_RULES on the page as it is now, one readable line per failing element. */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (rules) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'rule', values: rules }, resultTypes: ['violations'] });
    return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 240)}`));
  }, AXE_RULES);
}

const CONTROL_ROLES = new Set(['button', 'link', 'textbox', 'combobox', 'spinbutton', 'checkbox', 'radio', 'slider', 'switch', 'searchbox', 'listbox']);

/** Controls (role + accessible name) that share their name with another control of the same role on the page. */
export async function duplicateControlNames(page: Page): Promise<string[]> {
  const yaml = await page.locator('body').ariaSnapshot();
  const counts = new Map<string, number>();
  for (const line of yaml.split('\n')) {
    const m = /^\s*- (\w+)(?: "((?:[^"\\]|\\.)*)")?/.exec(line);
    if (!m || !CONTROL_ROLES.has(m[1])) continue;
    const key = `${m[1]} "${m[2] ?? ''}"`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
}

/** The focused element: its role and accessible name (Playwright's computation), whether it is on screen and shows a focus ring. */
export async function focused(page: Page): Promise<{ tag: string; name: string; visible: boolean; ring: boolean }> {
  const state = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const ring = el.matches(':focus-visible') && ((style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none');
    const box = el.getBoundingClientRect();
    return { ring, visible: box.width > 0 && box.height > 0 };
  });
  if (!state) return { tag: 'body', name: '', visible: false, ring: false };
  const snap = await page.locator('*:focus').ariaSnapshot().catch(() => '');
  const m = /^\s*- ([\w-]+)(?: "((?:[^"\\]|\\.)*)")?/.exec(snap);
  if (!m) return { tag: `? ${snap.split('\n')[0].slice(0, 80)} <${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 80))}>`, name: '', ...state };
  return { tag: m[1], name: (m[2] ?? '').replace(/\\"/g, '"'), ...state };
}

/**
 * Presses Tab (or Shift+Tab with `back`) until the focused control has `role` and an accessible name matching
 * `name`, checking on the way that every focused control shows a focus ring. Throws with the focus path when the
 * control is not reached.
 */
export async function tabTo(page: Page, role: string, name: string | RegExp, opts: { back?: boolean; max?: number } = {}): Promise<void> {
  const path: string[] = [];
  const matches = (s: string) => (typeof name === 'string' ? s === name : name.test(s));
  for (let i = 0; i < (opts.max ?? 150); i++) {
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    path.push(`${f.tag} "${f.name}"`);
    if (f.tag !== 'body' && !f.ring) throw new Error(`Focus on ${f.tag} "${f.name}" shows no focus ring.`);
    if (f.tag === role && matches(f.name)) {
      if (!f.visible) throw new Error(`${f.tag} "${f.name}" has focus but is not visible.`);
      return;
    }
  }
  throw new Error(`Tab never reached ${role} ${String(name)}; focus went: ${path.slice(-40).join(' → ')}`);
}

/** Selects all text of the focused field and types `text` (as a keyboard user would). */
export async function retype(page: Page, text: string): Promise<void> {
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
}
