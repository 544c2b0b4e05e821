// The one error boundary every CLI runs in: `--help` prints the usage and exits 0; a usage error prints the message
// and the usage and exits 2; a data or runtime error prints one clear line (no stack trace unless SUNGEN_DEBUG=1)
// and exits 1; errors raised outside the main promise (a stream's 'error' event, an unhandled rejection) take the
// same path instead of crashing with a stack. Also: the output-path check the writing CLIs do before any work.
import { constants, existsSync, statSync } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { errorText } from '../core/error-text.ts';
import { UsageError } from './args.ts';

/** Thrown by a CLI's main when `--help` was given; the boundary prints the usage and exits 0. */
export class HelpRequested extends Error {}

export interface CliSpec {
  /** Shown in messages, e.g. "generate". */
  name: string;
  usage: string;
  /** Returns the exit code. */
  main: (argv: string[]) => Promise<number>;
}

export function runCli(spec: CliSpec): void {
  let finished = false;
  const fail = (e: unknown): void => {
    if (finished) return;
    finished = true;
    process.exitCode = report(spec, e);
    // Give stderr a moment to flush, then leave even if handles (model sessions, streams) are still open.
    setTimeout(() => process.exit(process.exitCode), 50).unref();
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(spec.usage);
    process.exit(0);
  }
  let result: Promise<number>;
  try {
    result = spec.main(argv);
  } catch (e) {
    fail(e);
    return;
  }
  result.then(
    (code) => {
      if (finished) return;
      finished = true;
      process.exit(code);
    },
    (e: unknown) => fail(e),
  );
}

function report(spec: CliSpec, e: unknown): number {
  if (e instanceof HelpRequested) {
    console.log(spec.usage);
    return 0;
  }
  if (e instanceof UsageError) {
    console.error(`Error: ${e.message}\n\n${spec.usage}`);
    return 2;
  }
  console.error(`${spec.name}: error: ${errorText(e)}`);
  if (process.env.SUNGEN_DEBUG === '1' && e instanceof Error && e.stack) console.error(e.stack);
  return 1;
}

/**
 * Checks an output file path before any work is done: its folder exists and is writable, it is not a folder itself,
 * and it does not exist yet unless `force` (then it is overwritten). Returns the absolute path.
 */
export async function checkOutputPath(out: string, force: boolean, option = '--out'): Promise<string> {
  if (!out.trim()) throw new UsageError(`${option} must name a file.`);
  const abs = path.resolve(out);
  const dir = path.dirname(abs);
  if (!existsSync(dir)) throw new UsageError(`${option}: the folder ${dir} does not exist.`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${option}: ${dir} is not a folder.`);
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${option}: the folder ${dir} is not writable.`);
  }
  if (existsSync(abs)) {
    if (statSync(abs).isDirectory()) throw new UsageError(`${option} ${abs} is a folder; give a file name (e.g. ${path.join(abs, 'out.jsonl')}).`);
    // A device or pipe (e.g. /dev/full) must never be replaced by the rename of the finished file.
    if (!statSync(abs).isFile()) throw new UsageError(`${option} ${abs} is not a regular file.`);
    if (!force) throw new UsageError(`${option} ${abs} already exists; pass --force to overwrite it, or choose another name.`);
    try {
      await access(abs, constants.W_OK);
    } catch {
      throw new UsageError(`${option} ${abs} exists and is not writable.`);
    }
  }
  return abs;
}
