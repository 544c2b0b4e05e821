// bench:sungen's options: its SunGen defaults are the page's (defaultSettings), so `--methods default` measures what
// users get; seeds can start anywhere (--first-seed) so one long measurement can be split over processes; bad values
// are usage errors.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { parseBenchSungenArgs } from '../../src/cli/sungen-args.ts';
import { defaultSettings } from '../../src/core/train/settings.ts';

const base = ['--train', 'train.jsonl', '--test', 'test.jsonl'];

describe('bench:sungen options', () => {
  it("takes T and the outer-set size from the page's defaults", () => {
    const a = parseBenchSungenArgs([...base, '--model', 'fast']);
    const page = defaultSettings('fast');
    expect(a.outerIterations).toBe(page.outerIterations);
    expect(a.outerSetSize).toBe(page.outerSetSize);
    expect(a.keepFraction).toBe(page.keepFraction);
    expect(a.seeds).toBe(1);
    expect(a.firstSeed).toBe(1000);
  });

  it('splits seeds over processes with --first-seed and rejects bad values', () => {
    const a = parseBenchSungenArgs([...base, '--seeds', '2', '--first-seed', '1001']);
    expect([a.seeds, a.firstSeed]).toEqual([2, 1001]);
    expect(() => parseBenchSungenArgs([...base, '--first-seed', '-3'])).toThrow(UsageError);
    expect(() => parseBenchSungenArgs([...base, '--first-seed', 'x'])).toThrow(UsageError);
  });
});
