// How `npm test` finds Chromium (src/cli/chromium.ts): CHROMIUM_PATH first (a wrong one is a clear error, not a
// silent fallback), then fixed usual places, then names on PATH, else the one-line install hint.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSTALL_HINT, findChromium } from '../../src/cli/chromium.ts';

function fakeBinary(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, '#!/bin/sh\n');
  chmodSync(p, 0o755);
  return p;
}

describe('findChromium', () => {
  const root = mkdtempSync(join(tmpdir(), 'chromium-find-'));
  const usual = fakeBinary(join(root, 'usr/bin'), 'chromium');
  const onPath = fakeBinary(join(root, 'path'), 'google-chrome');

  it('uses CHROMIUM_PATH when it is executable, and says so when it is not', () => {
    expect(findChromium({ CHROMIUM_PATH: onPath }, [usual])).toEqual({ path: onPath, from: 'CHROMIUM_PATH' });
    const wrong = findChromium({ CHROMIUM_PATH: join(root, 'nope') }, [usual]);
    expect(wrong.path).toBeUndefined();
    expect((wrong as { problem: string }).problem).toMatch(/CHROMIUM_PATH=.*nope is not an executable file/);
  });

  it('then the usual places, then PATH', () => {
    expect(findChromium({ PATH: join(root, 'path') }, [join(root, 'missing'), usual])).toEqual({ path: usual, from: 'usual place' });
    expect(findChromium({ PATH: join(root, 'path') }, [join(root, 'missing')])).toEqual({ path: onPath, from: 'PATH' });
  });

  it('otherwise one line that says what to install', () => {
    const none = findChromium({ PATH: join(root, 'empty'), HOME: root }, []);
    expect(none).toEqual({ path: undefined, problem: INSTALL_HINT });
    expect(INSTALL_HINT).not.toContain('\n');
    expect(INSTALL_HINT).toMatch(/apt-get install -y chromium.*CHROMIUM_PATH/);
  });
});
