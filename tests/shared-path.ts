// Where the tests find the shared assets (real models, eval sets, synthetic data): `../shared` beside the repo, as
// on developers' machines and in CI; SUNGEN_SHARED_DIR overrides it.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED_DIR = process.env.SUNGEN_SHARED_DIR ?? fileURLToPath(new URL('../../shared/', import.meta.url));

/** Absolute path of a file under the shared folder, e.g. sharedPath('data/eval/sst2-test.jsonl'). */
export function sharedPath(relPath: string): string {
  return join(SHARED_DIR, relPath);
}
