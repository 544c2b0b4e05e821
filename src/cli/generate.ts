// `npm run generate -- --task <preset id | task.json> --model <catalog id | folder> --per-label N --out FILE.jsonl ...`
// Generates labelled samples in Node with the same core as the page and writes {"text","label"} lines.
// Output safety: the output path is checked before the model is loaded (folder exists and is writable, not a folder,
// not an existing file unless --force); samples are written to FILE.partial, which is opened before any work, and
// renamed to FILE only when generation completes; on bad input nothing is created (exit 2), on an error the partial
// file is removed (exit 1), on Ctrl-C it is kept as FILE.partial (exit 130) so the work is not lost.
import { createWriteStream, existsSync, openSync, statSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { generateSamples, loadLm, selfTest } from '../core/generation/generator.ts';
import { defaultPromptStyle, withPromptStyle } from '../core/generation/prompt.ts';
import type { SamplingConfig } from '../core/generation/types.ts';
import { findCatalogEntry, formatBytes, resolveModel } from '../core/models/catalog.ts';
import { findTaskPreset, TASK_PRESETS } from '../core/tasks/presets.ts';
import type { TaskSpec } from '../core/tasks/types.ts';
import { DEFAULT_SAMPLING, validatePerLabel, validateSampling, validateTask } from '../core/tasks/validate.ts';
import { numberOption, parseArgs, UsageError } from './args.ts';
import { checkOutputPath, runCli } from './run-cli.ts';
import { decodeUtf8 } from '../core/data/read-file.ts';
import { configureNodeTransformers, NODE_MODEL_BASE, nodeFileExists } from './node-env.ts';

const USAGE = `Usage: npm run generate -- --task <preset id | task.json> --model <catalog id | model folder>
  --per-label N --out FILE.jsonl [--force] [--batch B] [--seed S] [--temperature T] [--top-k K] [--top-p P]
  [--max-new-tokens N] [--min-words N] [--greedy] [--allow-network] [--prompt-style chat|continuation]
  (default prompt style: the task file's, else chat for instruct models, continuation for base models)
  --force overwrites an existing FILE.jsonl (and a FILE.jsonl.partial left by an interrupted run)
Presets: ${TASK_PRESETS.map((t) => t.id).join(', ')}`;

async function loadTask(arg: string): Promise<TaskSpec> {
  const preset = findTaskPreset(arg);
  if (preset) return preset;
  if (!existsSync(arg)) throw new UsageError(`--task "${arg}" is neither a preset id nor an existing JSON file.`);
  if (!statSync(arg).isFile()) throw new UsageError(`--task ${arg} is not a file.`);
  if (statSync(arg).size > 1024 * 1024) throw new UsageError(`--task ${arg} is larger than 1 MB; a task file is a small JSON object.`);
  let text: string;
  try {
    text = decodeUtf8(await readFile(arg), `Task file ${arg}`);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const v = validateTask(text);
  if (!v.ok) throw new UsageError(`Task file ${arg} is invalid:\n- ${v.errors.join('\n- ')}`);
  return v.task;
}

/** Returns the model id to load after configuring transformers.js; throws UsageError when unavailable. */
async function prepareModel(arg: string, allowNetwork: boolean): Promise<string> {
  if (!findCatalogEntry(arg) && existsSync(arg) && statSync(arg).isDirectory()) {
    const dir = path.resolve(arg);
    const id = path.basename(dir);
    const res = await resolveModel(id, { localModelBase: path.dirname(dir), fileExists: nodeFileExists(dir), allowNetwork: false });
    if (res.kind !== 'local') throw new UsageError(res.kind === 'unavailable' ? res.reason : `Model folder ${dir} is incomplete.`);
    configureNodeTransformers({ allowNetwork: false, localModelPath: path.dirname(dir) + path.sep });
    return id;
  }
  const res = await resolveModel(arg, {
    localModelBase: NODE_MODEL_BASE,
    fileExists: nodeFileExists(path.join(NODE_MODEL_BASE, arg)),
    allowNetwork,
  });
  if (res.kind === 'unavailable') throw new UsageError(res.reason);
  if (res.kind === 'hub') console.error(`Downloading ${res.entry.displayName} (${formatBytes(res.downloadSizeBytes)}) from the hub...`);
  configureNodeTransformers({ allowNetwork: res.kind === 'hub' });
  return arg;
}

async function main(argv: string[]): Promise<number> {
  const { values, flags } = parseArgs(argv, {
    values: ['task', 'model', 'per-label', 'batch', 'seed', 'temperature', 'top-k', 'top-p', 'max-new-tokens', 'min-words', 'out', 'prompt-style'],
    flags: ['allow-network', 'greedy', 'force'],
  });
  for (const required of ['task', 'per-label', 'out']) {
    if (!values.has(required)) throw new UsageError(`--${required} is required.`);
  }
  const loadedTask = await loadTask(values.get('task')!);
  const styleArg = values.get('prompt-style');
  if (styleArg !== undefined && styleArg !== 'chat' && styleArg !== 'continuation') {
    throw new UsageError(`--prompt-style must be "chat" or "continuation" (got "${styleArg}").`);
  }
  const perLabel = numberOption(values, 'per-label');
  const perLabelErrors = validatePerLabel(perLabel);
  if (perLabelErrors.length) throw new UsageError(perLabelErrors.join(' '));
  const partial: Partial<SamplingConfig> = {
    batchSize: numberOption(values, 'batch'),
    seed: numberOption(values, 'seed'),
    temperature: numberOption(values, 'temperature'),
    topK: numberOption(values, 'top-k'),
    topP: numberOption(values, 'top-p'),
    maxNewTokens: numberOption(values, 'max-new-tokens'),
    minWords: numberOption(values, 'min-words'),
    doSample: flags.has('greedy') ? false : undefined,
  };
  const sv = validateSampling({ ...DEFAULT_SAMPLING, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) });
  if (!sv.ok) throw new UsageError(`Invalid sampling settings:\n- ${sv.errors.join('\n- ')}`);
  const force = flags.has('force');
  const out = await checkOutputPath(values.get('out')!, force);
  const partialPath = `${out}.partial`;
  await checkOutputPath(partialPath, force, '--out (its .partial file)');
  const modelId = await prepareModel(values.get('model') ?? 'karpathy/stories260K', flags.has('allow-network'));
  let task: TaskSpec;
  try {
    task = withPromptStyle(loadedTask, styleArg ?? defaultPromptStyle(loadedTask, findCatalogEntry(modelId)?.variant));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  console.error(`Prompt style: ${task.promptStyle}`);

  // Open the partial file before the model is loaded: an unwritable output fails now, not after the work.
  let fd: number;
  try {
    fd = openSync(partialPath, 'w');
  } catch (e) {
    throw new UsageError(`--out: cannot write ${partialPath} (${e instanceof Error ? e.message : String(e)}).`);
  }
  const stream = createWriteStream(partialPath, { fd, encoding: 'utf8' });
  let writeError: Error | null = null;
  const controller = new AbortController();
  stream.on('error', (e) => {
    writeError = e;
    controller.abort();
  });

  let lm: Awaited<ReturnType<typeof loadLm>>;
  try {
    lm = await loadLm({ modelId, device: 'cpu' });
  } catch (e) {
    stream.destroy();
    await rm(partialPath, { force: true });
    throw e;
  }
  const st = await selfTest(lm);
  console.error(st.message);
  if (!st.ok) {
    stream.destroy();
    await rm(partialPath, { force: true });
    await lm.dispose();
    return 1;
  }

  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let lastLog = 0;
  try {
    const res = await generateSamples(lm, {
      task,
      perLabel: perLabel!,
      sampling: sv.sampling,
      signal: controller.signal,
      onSamples: async (batch) => {
        if (writeError) throw writeError;
        const text = batch.map((s) => JSON.stringify({ text: s.text, label: s.label })).join('\n') + '\n';
        if (!stream.write(text)) await new Promise<void>((r) => stream.once('drain', () => r()));
      },
      onProgress: (p) => {
        if (Date.now() - lastLog < 1000) return;
        lastLog = Date.now();
        console.error(`accepted ${JSON.stringify(p.acceptedByLabel)} dropped ${JSON.stringify(p.dropped)} tokens ${p.generatedTokens}`);
      },
    });
    if (writeError) throw writeError;
    await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
    if (writeError) throw writeError;
    const total = Object.values(res.acceptedByLabel).reduce((a, b) => a + b, 0); // own properties only: safe for any label
    const summary = `${total} samples, dropped ${JSON.stringify(res.dropped)}, ${res.generatedTokens} tokens in ${(res.elapsedMs / 1000).toFixed(1)} s`;
    if (res.stopReason === 'interrupted') {
      console.error(`Interrupted: ${summary}; kept in ${partialPath}`);
      return 130;
    }
    await rename(partialPath, out);
    if (res.stopReason === 'exhausted') {
      console.error(`Stopped early (too many rejected generations; try sampling instead of --greedy): ${summary} -> ${out}`);
      return 1;
    }
    console.error(`Wrote ${summary} -> ${out}`);
    return 0;
  } catch (e) {
    stream.destroy();
    await rm(partialPath, { force: true });
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    await lm.dispose();
  }
}

runCli({ name: 'generate', usage: USAGE, main });
