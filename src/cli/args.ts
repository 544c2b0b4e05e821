// The one command-line parser of every CLI: `--name value`, `--name=value`, boolean `--flag`, options that may repeat;
// unknown options, missing values and repeated single options are usage errors (exit 2 through run-cli.ts).

export class UsageError extends Error {}

export interface ArgSpec {
  /** Options that take a value. */
  values: string[];
  /** Boolean flags. */
  flags: string[];
  /** Options that take a value and may be given several times (collected in order). */
  repeated?: string[];
}

export interface ParsedArgs {
  values: Map<string, string>;
  flags: Set<string>;
  lists: Map<string, string[]>;
}

export function parseArgs(argv: string[], spec: ArgSpec): ParsedArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const lists = new Map<string, string[]>((spec.repeated ?? []).map((r) => [r, []]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new UsageError(`Unexpected argument "${a}" (options start with --).`);
    const eq = a.indexOf('=');
    const name = a.slice(2, eq >= 0 ? eq : undefined);
    if (spec.flags.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value.`);
      flags.add(name);
    } else if (spec.values.includes(name) || lists.has(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || (eq < 0 && v.startsWith('--'))) throw new UsageError(`--${name} needs a value.`);
      if (lists.has(name)) lists.get(name)!.push(v);
      else if (values.has(name)) throw new UsageError(`--${name} is given twice.`);
      else values.set(name, v);
    } else {
      throw new UsageError(`Unknown option --${name}.`);
    }
  }
  return { values, flags, lists };
}

/** Parses a number option; returns undefined when absent, throws UsageError when not a number. */
export function numberOption(values: Map<string, string>, name: string): number | undefined {
  const v = values.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got "${v}").`);
  return n;
}
