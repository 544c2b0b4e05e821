// Finds the Chromium that the end-to-end tests drive, so `npm test` works as written on a fresh machine:
// CHROMIUM_PATH, then Debian's /usr/bin/chromium, then other usual places and names on PATH. `npm run chromium`
// (run first by `npm test`) installs Debian's package when none exists and it may (root or password-less sudo,
// apt-get present, SUNGEN_NO_INSTALL unset); otherwise it stops with one line that says what to install.
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { homedir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Fixed places Chromium or Chrome is installed by distributions, vendors and snap. */
export const USUAL_PATHS = [
  '/usr/bin/chromium',
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

export const INSTALL_HINT =
  'npm test needs Chromium for its browser tests: install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH=/path/to/chromium';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Chromium builds Playwright downloaded earlier (never downloaded by us), newest first. */
function playwrightCache(): string[] {
  const dir = join(homedir(), '.cache', 'ms-playwright');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => /^chromium-\d+$/.test(d))
    .sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]))
    .flatMap((d) => [join(dir, d, 'chrome-linux', 'chrome'), join(dir, d, 'chrome-linux64', 'chrome')]);
}

export type ChromiumSearch = { path: string; from: string } | { path: undefined; problem: string };

/** Where a usable Chromium is, or why none was found. `env` and `extraPaths` are overridable for tests. */
export function findChromium(env: NodeJS.ProcessEnv = process.env, fixedPaths: readonly string[] = USUAL_PATHS): ChromiumSearch {
  const explicit = env.CHROMIUM_PATH;
  if (explicit) {
    return isExecutable(explicit)
      ? { path: explicit, from: 'CHROMIUM_PATH' }
      : { path: undefined, problem: `CHROMIUM_PATH=${explicit} is not an executable file; fix it or unset it` };
  }
  for (const p of fixedPaths) if (isExecutable(p)) return { path: p, from: 'usual place' };
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of PATH_NAMES) {
      const p = join(dir, name);
      if (isExecutable(p)) return { path: p, from: 'PATH' };
    }
  }
  for (const p of playwrightCache()) if (isExecutable(p)) return { path: p, from: 'Playwright cache' };
  return { path: undefined, problem: INSTALL_HINT };
}

/** The path to launch, or an Error carrying the one-line reason. */
export function chromiumPathOrThrow(): string {
  const found = findChromium();
  if (found.path === undefined) throw new Error(found.problem);
  return found.path;
}

/** apt-get as this user may run it: directly (root), through password-less sudo, or not at all. */
function aptCommand(env: NodeJS.ProcessEnv): string[] | undefined {
  if (env.SUNGEN_NO_INSTALL || env.CHROMIUM_PATH) return undefined;
  if (!['/usr/bin/apt-get', '/bin/apt-get'].some(isExecutable)) return undefined;
  const apt = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get'];
  if (process.getuid?.() === 0) return apt;
  if (spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) return ['sudo', '-n', ...apt];
  return undefined;
}

/** Finds Chromium, installing Debian's package when allowed; exits 1 with one clear line otherwise. */
export function ensureChromium(env: NodeJS.ProcessEnv = process.env): string {
  const found = findChromium(env);
  if (found.path !== undefined) return found.path;
  const apt = aptCommand(env);
  if (apt) {
    console.log("No Chromium found: installing Debian's chromium package with apt-get ...");
    const [cmd, ...pre] = apt;
    const aptRun = (...args: string[]) => spawnSync(cmd, [...pre, ...args], { stdio: ['ignore', 'inherit', 'inherit'] }).status === 0;
    const again = aptRun('update', '-q') && aptRun('install', '-y', '-q', 'chromium') ? findChromium(env) : found;
    if (again.path !== undefined) return again.path;
  }
  console.error(found.problem);
  process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = ensureChromium();
  console.log(`Chromium for the browser tests: ${path}`);
}
