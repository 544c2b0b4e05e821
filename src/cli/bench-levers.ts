// `npm run bench:levers -- [--per-label 300] [--seeds 3] [--json]`
// What the diversity and few-shot levers (Li et al. 2024) do to downstream accuracy: SmolLM2-135M-Instruct (q8, chat
// prompts, Node) writes N samples per label of the SST-2 preset four times — no lever, + topics (the preset's
// suggested aspects, one per sample), + few-shot (k examples per prompt from a pool of 8 per label drawn from the
// SST-2 *validation* split), + both — then the fast classifier is trained (none and the default method, --seeds
// seeds) and tested on the validation splits (where defaults are chosen; the pool rows are left out of SST-2
// validation) and on the SST-2 and Rotten Tomatoes test sets. Also reports distinct-n and duplicate shares.
// Generation resumes from the files in --dir, so a run can be done in parts or extended to a larger N.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copiedShare, diversityStats } from '../core/data/diversity.ts';
import { parseLabelledJsonl } from '../core/data/jsonl.ts';
import { parseFewShotFile } from '../core/generation/few-shot.ts';
import { SUGGESTED_TOPICS } from '../core/tasks/presets.ts';
import { numberOption, parseArgs, UsageError } from './args.ts';
import { runCli } from './run-cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EVAL = path.join(ROOT, '..', 'shared', 'data', 'eval');
const MODEL_ID = 'HuggingFaceTB/SmolLM2-135M-Instruct';
const TASK_ID = 'sst-2';
const CONDITIONS = ['base', 'topics', 'fewshot', 'both'] as const;
type Condition = (typeof CONDITIONS)[number];

const USAGE = `Usage: npm run bench:levers -- [--per-label N (300)] [--seeds S (3)] [--shots K (2)] [--pool N (8 per label)]
  [--conditions base,topics,fewshot,both] [--dir build/lever] [--batch B (32)] [--max-new-tokens N (48)]
  [--methods none,default] [--skip-generation] [--json]`;

/** Runs a child process (tsx), streaming stderr lines to `log`; resolves with stdout and the exit code. */
function run(args: string[], log: (s: string) => void): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      for (const line of String(d).split('\n')) if (line.trim() && !line.startsWith('accepted ')) log(`  ${line.trimEnd()}`);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The first `perLabel` rows of each label (a file extended by a later, larger run still compares at equal N). */
function firstPerLabel(file: string, perLabel: number) {
  const rows = parseLabelledJsonl(readFileSync(file, 'utf8'), { source: file });
  const count = new Map<string, number>();
  return rows.filter((r) => {
    const n = count.get(r.label) ?? 0;
    count.set(r.label, n + 1);
    return n < perLabel;
  });
}

async function main(argv: string[]): Promise<number> {
  const { values, flags } = parseArgs(argv, {
    values: ['per-label', 'seeds', 'shots', 'pool', 'conditions', 'dir', 'batch', 'max-new-tokens', 'methods'],
    flags: ['json', 'skip-generation'],
  });
  const log = (s: string) => process.stderr.write(s + '\n');
  const perLabel = numberOption(values, 'per-label') ?? 300;
  const seeds = numberOption(values, 'seeds') ?? 3;
  const shots = numberOption(values, 'shots') ?? 2;
  const pool = numberOption(values, 'pool') ?? 8;
  const methods = values.get('methods') ?? 'none,default';
  const conditions = (values.get('conditions') ?? CONDITIONS.join(',')).split(',').map((c) => c.trim()) as Condition[];
  for (const c of conditions) if (!CONDITIONS.includes(c)) throw new UsageError(`--conditions: unknown condition "${c}" (use ${CONDITIONS.join(', ')}).`);
  for (const [k, v] of [['per-label', perLabel], ['seeds', seeds], ['pool', pool]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`--${k} must be a whole number ≥ 1.`);
  }
  const dir = path.resolve(values.get('dir') ?? path.join(ROOT, 'build', 'lever'));
  mkdirSync(dir, { recursive: true });

  // Few-shot pool from the SST-2 validation split; those rows are left out of the validation set used to choose.
  const validation = path.join(EVAL, 'sst2-validation.jsonl');
  const validationText = readFileSync(validation, 'utf8');
  const examples = parseFewShotFile(validation, validationText, ['positive', 'negative'], { perLabel: pool, seed: 1 });
  const poolFile = path.join(dir, 'fewshot-pool.jsonl');
  writeFileSync(poolFile, examples.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const used = new Set(examples.map((e) => e.text));
  const restFile = path.join(dir, 'sst2-validation-rest.jsonl');
  writeFileSync(restFile, validationText.trim().split('\n').filter((l) => !used.has(String(JSON.parse(l).text).trim())).join('\n') + '\n');
  const topics = SUGGESTED_TOPICS[TASK_ID];
  const topicsFile = path.join(dir, 'topics.txt');
  writeFileSync(topicsFile, topics.topics.join('\n') + '\n');
  const tests = [restFile, path.join(EVAL, 'rotten-tomatoes-validation.jsonl'), path.join(EVAL, 'sst2-test.jsonl'), path.join(EVAL, 'rotten-tomatoes-test.jsonl')];

  const leverArgs: Record<Condition, string[]> = {
    base: ['--no-topics'],
    topics: ['--topics', `@${topicsFile}`, '--topic-template', topics.template],
    fewshot: ['--no-topics', '--few-shot-file', poolFile, '--shots', String(shots)],
    both: ['--topics', `@${topicsFile}`, '--topic-template', topics.template, '--few-shot-file', poolFile, '--shots', String(shots)],
  };
  const out = [];
  for (const c of conditions) {
    const file = path.join(dir, `gen-${c}.jsonl`);
    let generation: { seconds: number; summary: string } | null = null;
    const have = existsSync(file) ? parseLabelledJsonl(readFileSync(file, 'utf8'), { source: file }).length : 0;
    if (!flags.has('skip-generation') && have < 2 * perLabel) {
      if (have > 0) renameSync(file, `${file}.partial`); // extend a finished smaller run
      const resume = existsSync(`${file}.partial`) ? ['--resume'] : [];
      log(`${c}: generating to ${perLabel} per label (${leverArgs[c].join(' ') || 'no levers'})`);
      const t0 = Date.now();
      const g = await run(['src/cli/generate.ts', '--task', TASK_ID, '--model', MODEL_ID, '--prompt-style', 'chat', '--per-label', String(perLabel),
        '--batch', values.get('batch') ?? '32', '--seed', '1', '--max-new-tokens', values.get('max-new-tokens') ?? '48', '--out', file, ...resume, ...leverArgs[c]], log);
      if (g.code !== 0) throw new Error(`generate for "${c}" exited with ${g.code}`);
      generation = { seconds: Math.round((Date.now() - t0) / 1000), summary: g.stderr.split('\n').find((l) => l.startsWith('Wrote ')) ?? '' };
    }
    // With --skip-generation, the samples of an unfinished run (FILE.partial) count too: their first N per label.
    const source = existsSync(file) ? file : `${file}.partial`;
    if (!existsSync(source)) throw new Error(`${file} does not exist; run without --skip-generation first.`);
    const rows = firstPerLabel(source, perLabel);
    const short = ['positive', 'negative'].filter((l) => rows.filter((r) => r.label === l).length < perLabel);
    if (short.length) throw new Error(`${source} has fewer than ${perLabel} samples of ${short.join(', ')}; generate more first.`);
    const train = path.join(dir, `train-${c}-${perLabel}.jsonl`);
    writeFileSync(train, rows.map((r) => JSON.stringify({ text: r.text, label: r.label })).join('\n') + '\n');
    // copiedFromPool: share of samples with a 5-word run from a few-shot example (for every condition, as a baseline).
    const diversity = { ...diversityStats(rows.map((r) => r.text)), copiedFromPool: copiedShare(rows.map((r) => r.text), examples.map((e) => e.text)) };
    log(`${c}: ${rows.length} rows; distinct-2 ${diversity.distinct2.toFixed(3)}; training the fast model (${methods}, ${seeds} seeds)`);
    const s = await run(['src/cli/bench-sungen.ts', '--train', train, ...tests.flatMap((t) => ['--test', t]), '--model', 'fast', '--methods', methods, '--seeds', String(seeds), '--json'], () => undefined);
    if (s.code !== 0) throw new Error(`bench:sungen for "${c}" exited with ${s.code}: ${s.stderr.trim().split('\n').at(-1)}`);
    const res = JSON.parse(s.stdout.trim().split('\n').at(-1)!);
    const results = (res.results as { method: string; test: string; accuracy: number; accuracyStd: number; macroF1: number }[]).map((r) => ({
      method: r.method, test: path.basename(r.test).replace(/\.jsonl$/, ''), accuracy: r.accuracy, accuracyStd: r.accuracyStd, macroF1: r.macroF1,
    }));
    out.push({ condition: c, levers: leverArgs[c].join(' '), rows: rows.length, generation, diversity, results });
  }

  const testNames = ['sst2-validation-rest', 'rotten-tomatoes-validation', 'sst2-test', 'rotten-tomatoes-test'];
  console.log(`\nSmolLM2 (q8, chat) ${TASK_ID}, ${perLabel} per label, fast model, ${seeds} seeds — accuracy % (mean ± std)`);
  console.log(`${'condition'.padEnd(9)} ${'method'.padEnd(8)} ${testNames.map((t) => t.padStart(28)).join('')}  distinct-2  same-opening  copied`);
  for (const o of out) {
    for (const m of [...new Set(o.results.map((r) => r.method))]) {
      const cells = testNames.map((t) => {
        const r = o.results.find((x) => x.method === m && x.test === t);
        return (r ? `${(r.accuracy * 100).toFixed(2)} ± ${(r.accuracyStd * 100).toFixed(2)}` : '-').padStart(28);
      });
      console.log(`${o.condition.padEnd(9)} ${m.padEnd(8)} ${cells.join('')}  ${o.diversity.distinct2.toFixed(3).padStart(10)}  ${o.diversity.sameOpeningShare.toFixed(3).padStart(12)}  ${o.diversity.copiedFromPool.toFixed(3).padStart(6)}`);
    }
  }
  if (flags.has('json')) {
    console.log(JSON.stringify({ generator: MODEL_ID, task: TASK_ID, promptStyle: 'chat', perLabel, seeds, shots, poolPerLabel: pool, poolSource: 'sst2-validation (left out of the validation test)', topics: topics.topics, topicTemplate: topics.template, conditions: out }));
  }
  return 0;
}

runCli({ name: 'bench:levers', usage: USAGE, main });
