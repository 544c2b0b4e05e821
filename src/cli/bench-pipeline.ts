// `npm run bench:pipeline [-- --per-label 1000] [--task imdb] [--out build/data/smollm2-imdb.jsonl] [--shards 2] [--json]`
// The paper's pipeline on text our own generator writes: SmolLM2 (offline pack, Node) generates N samples per label
// for the IMDb task with chat prompts (resuming from --out when it already holds samples, so a long run can be done
// in parts), then `bench:sungen` trains the fast classifier with none, filter and SunGen and tests it on SST-2 and
// Rotten Tomatoes, and the same LM labels those test sets zero-shot (ZeroGen's PROMPTING row). Prints a table and
// one JSON object as the last line. --max-generation-minutes stops generation early (what was written is used and
// the JSON says so); --prompting-max scores evenly spaced test rows only. The levers of `generate` (--topics,
// --few-shot-file, --shots, ...; see lever-args.ts) apply to the generation and are reported in the JSON.
// --shards N (default 2) splits generation over N child processes (this file with --generation-only), each with one
// onnxruntime thread, its own seed and its own file (--out.shard-K-of-N.jsonl, resumable): onnxruntime-node runs a
// session synchronously on the JS thread, so one process leaves a core idle while it samples; N processes keep N cores
// busy. The shards' rows are then merged into --out (duplicates across shards dropped, at most N per label) and the
// shard files removed, so a later run resumes from --out.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSamples, loadLm, selfTest, type LoadedLm } from '../core/generation/generator.ts';
import { shotsOf, withPromptStyle } from '../core/generation/prompt.ts';
import type { TaskSpec } from '../core/tasks/types.ts';
import { promptingClassify } from '../core/generation/prompting.ts';
import type { GeneratedSample } from '../core/generation/types.ts';
import { parseLabelledJsonl } from '../core/data/jsonl.ts';
import { findTaskPreset } from '../core/tasks/presets.ts';
import { DEFAULT_SAMPLING } from '../core/tasks/validate.ts';
import { numberOption, parseArgs, UsageError } from './args.ts';
import { configureNodeTransformers } from './node-env.ts';
import { applyLeverArgs, describeLevers, LEVER_FLAGS, LEVER_VALUE_OPTIONS } from './lever-args.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODEL_ID = 'HuggingFaceTB/SmolLM2-135M-Instruct';
const TESTS = [
  { name: 'sst2-test', file: path.join(ROOT, '..', 'shared', 'data', 'eval', 'sst2-test.jsonl') },
  { name: 'rotten-tomatoes-test', file: path.join(ROOT, '..', 'shared', 'data', 'eval', 'rotten-tomatoes-test.jsonl') },
];

function macroF1(gold: string[], pred: string[], labels: string[]): number {
  const f1s = labels.map((l) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    gold.forEach((g, i) => {
      if (pred[i] === l && g === l) tp++;
      else if (pred[i] === l) fp++;
      else if (g === l) fn++;
    });
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  });
  return f1s.reduce((a, b) => a + b, 0) / f1s.length;
}

/** Runs bench:sungen in a child process and returns its JSON last line. */
function runSungen(train: string, seeds: number, log: (s: string) => void): Promise<any> {
  const args = ['tsx', path.join(ROOT, 'src/cli/bench-sungen.ts'), '--train', train, ...TESTS.flatMap((t) => ['--test', t.file]),
    '--model', 'fast', '--methods', 'none,filter,sungen', '--seeds', String(seeds), '--json'];
  return new Promise((resolve, reject) => {
    const child = spawn('npx', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => log(String(d).trimEnd()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`bench:sungen exited with ${code}`));
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`bench:sungen printed no JSON last line: ${last.slice(0, 200)}`));
      }
    });
  });
}

/** The levers of a run, for the JSON line: topics, template, examples per prompt and the pool size per label. */
function leverSummary(task: TaskSpec) {
  return {
    topics: task.topics ?? [],
    topicTemplate: task.topics?.length ? (task.topicTemplate ?? null) : null,
    shots: shotsOf(task),
    examplesPerLabel: Object.fromEntries(task.labels.map((l) => [l.name, (task.examples ?? []).filter((e) => e.label === l.name).length])),
  };
}

/** What one generation process reports (the JSON last line of --generation-only). */
interface GenerationReport {
  generatedTokens: number;
  dropped: Record<string, number>;
  stopReason: string;
}

interface GenerationSettings {
  task: TaskSpec;
  perLabel: number;
  batch: number;
  seed: number;
  maxNewTokens: number;
  maxMinutes: number;
}

function readRows(file: string): GeneratedSample[] {
  return existsSync(file)
    ? parseLabelledJsonl(readFileSync(file, 'utf8'), { source: file }).map((r) => ({ text: r.text, label: r.label }))
    : [];
}

/** Generates in this process into `out` (resuming from its rows) until `perLabel` per label or the time limit. */
async function generateHere(lm: LoadedLm, out: string, g: GenerationSettings, log: (s: string) => void): Promise<GenerationReport> {
  const task = g.task;
  const already = readRows(out);
  const t0 = Date.now();
  const stop = new AbortController();
  const timer = Number.isFinite(g.maxMinutes) ? setTimeout(() => stop.abort(), g.maxMinutes * 60_000) : undefined;
  let last = 0;
  try {
    const gen = await generateSamples(lm, {
      signal: stop.signal,
      task,
      perLabel: g.perLabel,
      already,
      sampling: { ...DEFAULT_SAMPLING, batchSize: g.batch, seed: g.seed, maxNewTokens: g.maxNewTokens },
      onSamples: (batch) => appendFileSync(out, batch.map((s) => JSON.stringify({ text: s.text, label: s.label })).join('\n') + '\n'),
      onProgress: (p) => {
        if (Date.now() - last < 10_000) return;
        last = Date.now();
        log(`generation: ${JSON.stringify(p.acceptedByLabel)} of ${g.perLabel}/label, ${p.generatedTokens} tokens, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      },
    });
    return { generatedTokens: gen.generatedTokens, dropped: gen.dropped, stopReason: gen.stopReason };
  } finally {
    clearTimeout(timer);
  }
}

async function loadGenerator(threads: number): Promise<LoadedLm> {
  configureNodeTransformers();
  const lm = await loadLm({ modelId: MODEL_ID, device: 'cpu', dtype: 'q8', sessionOptions: { intraOpNumThreads: threads, interOpNumThreads: 1 } });
  const st = await selfTest(lm);
  if (!st.ok) throw new Error(st.message);
  return lm;
}

/** Runs one shard (this file with --generation-only) and returns its report. */
function runShard(args: string[], tag: string, log: (s: string) => void): Promise<GenerationReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => log(String(d).trimEnd().split('\n').map((l) => `[${tag}] ${l}`).join('\n')));
    child.on('error', reject);
    child.on('close', (code) => {
      const lastLine = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`generation ${tag} exited with ${code}`));
      try {
        resolve(JSON.parse(lastLine));
      } catch {
        reject(new Error(`generation ${tag} printed no JSON last line: ${lastLine.slice(0, 200)}`));
      }
    });
  });
}

/**
 * Merges `out`'s rows and the shard files into `out` (written to a temporary file, then renamed): shard rows in
 * turn, at most perLabel per label, texts already present dropped. Removes the shard files. Returns the duplicates.
 */
function mergeShards(out: string, shardFiles: string[], perLabel: number): number {
  const rows = readRows(out);
  const seen = new Set(rows.map((r) => r.text));
  const count = new Map<string, number>();
  for (const r of rows) count.set(r.label, (count.get(r.label) ?? 0) + 1);
  const shardRows = shardFiles.map(readRows);
  let duplicates = 0;
  for (let i = 0; shardRows.some((rs) => i < rs.length); i++) {
    for (const rs of shardRows) {
      const r = rs[i];
      if (!r || (count.get(r.label) ?? 0) >= perLabel) continue;
      if (seen.has(r.text)) {
        duplicates++;
        continue;
      }
      seen.add(r.text);
      rows.push(r);
      count.set(r.label, (count.get(r.label) ?? 0) + 1);
    }
  }
  const tmp = `${out}.merging`;
  writeFileSync(tmp, rows.map((r) => JSON.stringify({ text: r.text, label: r.label }) + '\n').join(''));
  renameSync(tmp, out);
  for (const f of shardFiles) rmSync(f, { force: true });
  return duplicates;
}

async function main(): Promise<void> {
  const { values, flags } = parseArgs(process.argv.slice(2), {
    values: ['per-label', 'task', 'out', 'batch', 'seed', 'seeds', 'threads', 'max-new-tokens', 'prompting-max', 'max-generation-minutes', 'shards',
      'lever-seed', ...LEVER_VALUE_OPTIONS],
    flags: ['json', 'skip-generation', 'generation-only', ...LEVER_FLAGS],
  });
  const log = (s: string) => process.stderr.write(s + '\n');
  const perLabel = numberOption(values, 'per-label') ?? 1000;
  const taskId = values.get('task') ?? 'imdb';
  const preset = findTaskPreset(taskId);
  if (!preset) throw new UsageError(`--task "${taskId}" is not a preset.`);
  // Shards get the run's seed as --lever-seed (their own --seed only seeds their sampling), so all draw the same examples.
  const leverSeed = numberOption(values, 'lever-seed') ?? numberOption(values, 'seed') ?? 1;
  const task = withPromptStyle(applyLeverArgs(preset, values, flags, leverSeed), 'chat');
  log(describeLevers(task));
  const out = path.resolve(values.get('out') ?? path.join(ROOT, 'build', 'data', `smollm2-${taskId}.jsonl`));
  const shards = numberOption(values, 'shards') ?? 2;
  if (!Number.isInteger(shards) || shards < 1) throw new UsageError(`--shards must be a positive integer (got ${shards}).`);
  const threads = numberOption(values, 'threads') ?? (shards > 1 ? 1 : 2);
  const seeds = numberOption(values, 'seeds') ?? 1;
  const promptingMax = numberOption(values, 'prompting-max') ?? Infinity;
  const g: GenerationSettings = {
    task,
    perLabel,
    batch: numberOption(values, 'batch') ?? 32,
    seed: numberOption(values, 'seed') ?? 1,
    maxNewTokens: numberOption(values, 'max-new-tokens') ?? 64,
    maxMinutes: numberOption(values, 'max-generation-minutes') ?? Infinity,
  };
  mkdirSync(path.dirname(out), { recursive: true });

  if (flags.has('generation-only')) {
    const lm = await loadGenerator(threads);
    try {
      console.log(JSON.stringify(await generateHere(lm, out, g, log)));
    } finally {
      await lm.dispose();
    }
    return;
  }

  // 1. Generation (resumable: rows already in --out, and in shard files of an interrupted run, count).
  const already = readRows(out);
  const t0 = Date.now();
  let report: GenerationReport = { generatedTokens: 0, dropped: {}, stopReason: 'skipped' };
  let mergeDuplicates = 0;
  let lm: LoadedLm | undefined;
  if (!flags.has('skip-generation')) {
    if (shards === 1) {
      lm = await loadGenerator(threads);
      report = await generateHere(lm, out, g, log);
    } else {
      // Each shard gets an equal share of the largest deficit (the merge caps each label at --per-label).
      const have = new Map<string, number>();
      for (const r of already) have.set(r.label, (have.get(r.label) ?? 0) + 1);
      const deficit = Math.max(0, ...task.labels.map((l) => perLabel - (have.get(l.name) ?? 0)));
      const shardFiles = Array.from({ length: shards }, (_, k) => `${out}.shard-${k + 1}-of-${shards}.jsonl`);
      const common = ['--task', taskId, '--per-label', String(Math.ceil(deficit / shards)), '--batch', String(g.batch),
        '--max-new-tokens', String(g.maxNewTokens), '--threads', String(threads),
        ...(Number.isFinite(g.maxMinutes) ? ['--max-generation-minutes', String(g.maxMinutes)] : []),
        '--lever-seed', String(leverSeed),
        ...LEVER_VALUE_OPTIONS.flatMap((o) => (values.has(o) ? [`--${o}`, values.get(o)!] : [])),
        ...LEVER_FLAGS.filter((f) => flags.has(f)).map((f) => `--${f}`)];
      const reports = deficit === 0 ? [] : await Promise.all(shardFiles.map((f, k) =>
        runShard([...common, '--generation-only', '--out', f, '--seed', String(g.seed * 1000 + k + 1)], `shard ${k + 1}/${shards}`, log)));
      mergeDuplicates = mergeShards(out, shardFiles, perLabel);
      report = {
        generatedTokens: reports.reduce((a, r) => a + r.generatedTokens, 0),
        dropped: reports.reduce((acc, r) => {
          for (const [k, v] of Object.entries(r.dropped)) acc[k] = (acc[k] ?? 0) + v;
          return acc;
        }, {} as Record<string, number>),
        stopReason: reports.find((r) => r.stopReason !== 'done')?.stopReason ?? 'done',
      };
    }
  }
  const genSeconds = (Date.now() - t0) / 1000;
  const rowsNow = readRows(out);
  const samples = rowsNow.length;
  const perLabelNow = Object.fromEntries(task.labels.map((l) => [l.name, rowsNow.filter((r) => r.label === l.name).length]));
  const generation = {
    seconds: Math.round(genSeconds),
    tokensPerSec: genSeconds > 0 ? Math.round((report.generatedTokens / genSeconds) * 10) / 10 : 0,
    samples,
    newSamples: samples - already.length,
    perLabel: perLabelNow,
    dropped: Object.values(report.dropped).reduce((a, b) => a + b, 0) + mergeDuplicates,
    droppedBy: { ...report.dropped, duplicateAcrossShards: mergeDuplicates },
    perLabelTarget: perLabel,
    shards,
    stopped: report.stopReason === 'interrupted' ? `time limit (${g.maxMinutes} min)` : report.stopReason,
    file: path.relative(ROOT, out),
  };
  log(`generation: ${JSON.stringify(generation)}`);
  lm ??= await loadGenerator(2);

  // 2. Prompting baseline on the real test sets.
  const prompting = [];
  for (const t of TESTS) {
    const all = parseLabelledJsonl(readFileSync(t.file, 'utf8'), { source: t.file });
    // --prompting-max: evenly spaced rows of the test set (keeps its label mix).
    const step = all.length / Math.min(all.length, promptingMax);
    const rows = Array.from({ length: Math.min(all.length, promptingMax) }, (_, k) => all[Math.floor(k * step)]);
    const tp = Date.now();
    const pred = await promptingClassify(lm, task, rows.map((r) => r.text), {
      batchSize: 16,
      onProgress: (d, n) => {
        if (d % 320 === 0 || d === n) log(`prompting ${t.name}: ${d}/${n}`);
      },
    });
    const gold = rows.map((r) => r.label);
    const accuracy = gold.filter((g, i) => g === pred[i]).length / gold.length;
    prompting.push({ test: t.name, accuracy, macroF1: macroF1(gold, pred, task.labels.map((l) => l.name)), n: gold.length, seconds: Math.round((Date.now() - tp) / 1000) });
  }
  await lm.dispose();

  // 3. none / filter / SunGen with the fast model on the generated set.
  const sungen = await runSungen(out, seeds, log);
  const results = (sungen.results as any[]).map((r) => ({
    method: r.method,
    test: path.basename(String(r.test)).replace(/\.jsonl$/, ''),
    accuracy: r.accuracy,
    macroF1: r.macroF1,
  }));

  console.log(`generator ${MODEL_ID} (q8, chat prompts, task ${taskId}): ${samples} samples, ${generation.seconds} s, ${generation.tokensPerSec} tokens/s`);
  console.log('method     test                   accuracy  macro-F1');
  for (const r of [...results, ...prompting.map((p) => ({ method: 'prompting', ...p }))]) {
    console.log(`${r.method.padEnd(10)} ${r.test.padEnd(22)} ${(r.accuracy * 100).toFixed(2).padStart(8)}  ${(r.macroF1 * 100).toFixed(2).padStart(8)}`);
  }
  if (flags.has('json')) {
    console.log(JSON.stringify({ generator: MODEL_ID, task: taskId, promptStyle: 'chat', levers: leverSummary(task), sampling: { ...DEFAULT_SAMPLING, batchSize: g.batch, seed: g.seed, maxNewTokens: g.maxNewTokens }, generation, results, prompting }));
  }
}

main().catch((e) => {
  console.error(`Error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
