// `npm run bench:pipeline [-- --per-label 1000] [--task imdb] [--out build/data/smollm2-imdb.jsonl] [--json]`
// The paper's pipeline on text our own generator writes: SmolLM2 (offline pack, Node) generates N samples per label
// for the IMDb task with chat prompts (resuming from --out when it already holds samples, so a long run can be done
// in parts), then `bench:sungen` trains the fast classifier with none, filter and SunGen and tests it on SST-2 and
// Rotten Tomatoes, and the same LM labels those test sets zero-shot (ZeroGen's PROMPTING row). Prints a table and
// one JSON object as the last line. --max-generation-minutes stops generation early (what was written is used and
// the JSON says so); --prompting-max scores evenly spaced test rows only. The levers of `generate` (--topics,
// --few-shot-file, --shots, ...; see lever-args.ts) apply to the generation and are reported in the JSON.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSamples, loadLm, selfTest } from '../core/generation/generator.ts';
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

async function main(): Promise<void> {
  const { values, flags } = parseArgs(process.argv.slice(2), {
    values: ['per-label', 'task', 'out', 'batch', 'seed', 'seeds', 'threads', 'max-new-tokens', 'prompting-max', 'max-generation-minutes', ...LEVER_VALUE_OPTIONS],
    flags: ['json', 'skip-generation', ...LEVER_FLAGS],
  });
  const log = (s: string) => process.stderr.write(s + '\n');
  const perLabel = numberOption(values, 'per-label') ?? 1000;
  const taskId = values.get('task') ?? 'imdb';
  const preset = findTaskPreset(taskId);
  if (!preset) throw new UsageError(`--task "${taskId}" is not a preset.`);
  const task = withPromptStyle(applyLeverArgs(preset, values, flags, numberOption(values, 'seed') ?? 1), 'chat');
  log(describeLevers(task));
  const out = path.resolve(values.get('out') ?? path.join(ROOT, 'build', 'data', `smollm2-${taskId}.jsonl`));
  const threads = numberOption(values, 'threads') ?? 2;
  const seeds = numberOption(values, 'seeds') ?? 1;
  const promptingMax = numberOption(values, 'prompting-max') ?? Infinity;
  mkdirSync(path.dirname(out), { recursive: true });

  configureNodeTransformers();
  const lm = await loadLm({ modelId: MODEL_ID, device: 'cpu', dtype: 'q8', sessionOptions: { intraOpNumThreads: threads, interOpNumThreads: 1 } });
  const st = await selfTest(lm);
  if (!st.ok) throw new Error(st.message);

  // 1. Generation (resumable: rows already in --out count towards the target).
  const already: GeneratedSample[] = existsSync(out)
    ? parseLabelledJsonl(readFileSync(out, 'utf8'), { source: out }).map((r) => ({ text: r.text, label: r.label }))
    : [];
  const t0 = Date.now();
  let gen = { generatedTokens: 0, dropped: { tooShort: 0, duplicate: 0, empty: 0 } as Record<string, number>, acceptedByLabel: {} as Record<string, number> };
  const maxMinutes = numberOption(values, 'max-generation-minutes') ?? Infinity;
  const stop = new AbortController();
  const timer = Number.isFinite(maxMinutes) ? setTimeout(() => stop.abort(), maxMinutes * 60_000) : undefined;
  let stopReason = 'skipped';
  if (!flags.has('skip-generation')) {
    let last = 0;
    gen = await generateSamples(lm, {
      signal: stop.signal,
      task,
      perLabel,
      already,
      sampling: {
        ...DEFAULT_SAMPLING,
        batchSize: numberOption(values, 'batch') ?? 32,
        seed: numberOption(values, 'seed') ?? 1,
        maxNewTokens: numberOption(values, 'max-new-tokens') ?? 64,
      },
      onSamples: (batch) => appendFileSync(out, batch.map((s) => JSON.stringify({ text: s.text, label: s.label })).join('\n') + '\n'),
      onProgress: (p) => {
        if (Date.now() - last < 10_000) return;
        last = Date.now();
        log(`generation: ${JSON.stringify(p.acceptedByLabel)} of ${perLabel}/label, ${p.generatedTokens} tokens, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      },
    });
    stopReason = (gen as { stopReason?: string }).stopReason ?? 'done';
  }
  clearTimeout(timer);
  const genSeconds = (Date.now() - t0) / 1000;
  const samples = parseLabelledJsonl(readFileSync(out, 'utf8'), { source: out }).length;
  const generation = {
    seconds: Math.round(genSeconds),
    tokensPerSec: genSeconds > 0 ? Math.round((gen.generatedTokens / genSeconds) * 10) / 10 : 0,
    samples,
    newSamples: samples - already.length,
    dropped: Object.values(gen.dropped).reduce((a, b) => a + b, 0),
    perLabelTarget: perLabel,
    stopped: stopReason === 'interrupted' ? `time limit (${maxMinutes} min)` : stopReason,
    file: path.relative(ROOT, out),
  };
  log(`generation: ${JSON.stringify(generation)}`);

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
    console.log(JSON.stringify({ generator: MODEL_ID, task: taskId, promptStyle: 'chat', levers: leverSummary(task), generation, results, prompting }));
  }
}

main().catch((e) => {
  console.error(`Error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
