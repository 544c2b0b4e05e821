// `npm run generate -- --task <preset id | task.json> --model <catalog id | folder> --per-label N --out FILE.jsonl ...`
// Generates labelled samples in Node with the same core as the page and writes {"text","label"} lines.
// With --server URL --server-model NAME it generates through an OpenAI-compatible server instead (server-source.ts).
// Output safety: the output path is checked before any work (its folder exists and is writable, it is not a folder
// or a device, it does not exist yet unless --force), and FILE.partial is opened before the model is loaded or the
// server is asked. Samples are written to FILE.partial and renamed to FILE only when generation completes; on bad
// input nothing is created (exit 2); on Ctrl-C (exit 130) or a server failure (exit 1) it is kept as FILE.partial and
// `--resume` continues from it; on other errors (a failed write included) a fresh partial file is removed (exit 1).
import { createWriteStream, existsSync, openSync, statSync } from 'node:fs';
import { readFile, rename, rm, truncate } from 'node:fs/promises';
import path from 'node:path';
// transformers.js (onnxruntime) loads only for in-process generation: a --server run starts in a fraction of the time.
import type { LoadedLm } from '../core/generation/generator.ts';
import type { GeneratedSample, GenerationProgress, SamplingConfig } from '../core/generation/types.ts';
import { parseLabelledJsonl } from '../core/data/jsonl.ts';
import { RemoteError } from '../core/remote/errors.ts';
import { generateSamplesRemote, type RemoteProgress } from '../core/remote/remote-generator.ts';
import { SERVER_USAGE, SERVER_VALUE_OPTIONS, serverSourceFromArgs } from './server-source.ts';
import { defaultPromptStyle, withPromptStyle } from '../core/generation/prompt.ts';
import { findCatalogEntry, formatBytes, resolveModel } from '../core/models/catalog.ts';
import { findTaskPreset, TASK_PRESETS } from '../core/tasks/presets.ts';
import type { TaskSpec } from '../core/tasks/types.ts';
import { DEFAULT_SAMPLING, validatePerLabel, validateSampling, validateTask } from '../core/tasks/validate.ts';
import { numberOption, parseArgs, UsageError } from './args.ts';
import { checkOutputPath, runCli } from './run-cli.ts';
import { decodeUtf8 } from '../core/data/read-file.ts';
import { applyLeverArgs, describeLevers, LEVER_FLAGS, LEVER_USAGE, LEVER_VALUE_OPTIONS } from './lever-args.ts';

const USAGE = `Usage: npm run generate -- --task <preset id | task.json> --model <catalog id | model folder>
  --per-label N --out FILE.jsonl [--batch B] [--seed S] [--temperature T] [--top-k K] [--top-p P]
  [--max-new-tokens N] [--min-words N] [--greedy] [--allow-network] [--prompt-style chat|continuation] [--resume]
  (default prompt style: the task file's, else chat for instruct models, continuation for base models and servers)
${LEVER_USAGE}
${SERVER_USAGE}
--resume continues an interrupted run from FILE.partial.
--force overwrites an existing FILE.jsonl (and discards a FILE.jsonl.partial left by an interrupted run).
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
  const { configureNodeTransformers, NODE_MODEL_BASE, nodeFileExists } = await import('./node-env.ts');
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

/** Samples of an interrupted run kept in FILE.partial; a line cut off by a crash is dropped from the file. */
async function readPartial(partialPath: string, task: TaskSpec): Promise<GeneratedSample[]> {
  let text = await readFile(partialPath, 'utf8');
  if (text !== '' && !text.endsWith('\n')) {
    text = text.slice(0, text.lastIndexOf('\n') + 1);
    await truncate(partialPath, Buffer.byteLength(text));
  }
  const rows = parseLabelledJsonl(text, { source: partialPath, labelNames: task.labels.map((l) => l.name) });
  return rows.map((r) => ({ text: r.text, label: r.label }));
}

async function main(argv: string[]): Promise<number> {
  const { values, flags } = parseArgs(argv, {
    values: ['task', 'model', 'per-label', 'batch', 'seed', 'temperature', 'top-k', 'top-p', 'max-new-tokens', 'min-words', 'out', 'prompt-style', ...SERVER_VALUE_OPTIONS, ...LEVER_VALUE_OPTIONS],
    flags: ['allow-network', 'greedy', 'resume', 'force', ...LEVER_FLAGS],
  });
  for (const required of ['task', 'per-label', 'out']) {
    if (!values.has(required)) throw new UsageError(`--${required} is required.`);
  }
  const server = serverSourceFromArgs(values);
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
  const leveredTask = applyLeverArgs(loadedTask, values, flags, sv.sampling.seed);
  const force = flags.has('force');
  const resume = flags.has('resume');
  const out = await checkOutputPath(values.get('out')!, force || resume);
  const modelId = server ? null : await prepareModel(values.get('model') ?? 'karpathy/stories260K', flags.has('allow-network'));
  let task: TaskSpec;
  try {
    task = withPromptStyle(leveredTask, styleArg ?? defaultPromptStyle(leveredTask, modelId ? findCatalogEntry(modelId)?.variant : undefined));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  console.error(`Prompt style: ${task.promptStyle}. ${describeLevers(task)}`);

  const partialPath = await checkOutputPath(`${out}.partial`, true, '--out (its .partial file)');
  let already: GeneratedSample[] = [];
  if (resume) {
    if (existsSync(partialPath)) already = await readPartial(partialPath, task);
    else if (existsSync(out)) throw new UsageError(`${out} is already complete; there is nothing to resume.`);
  } else if (existsSync(partialPath) && !force) {
    throw new UsageError(`${partialPath} holds the samples of an interrupted run: add --resume to continue it, --force to discard it, or delete it.`);
  }

  // Open the partial file before the model is loaded or the server is asked: an unwritable output fails now, not
  // after the work. A failed write later (disk full) stops the generation and is reported once, never as a crash.
  let fd: number;
  try {
    fd = openSync(partialPath, already.length > 0 ? 'a' : 'w');
  } catch (e) {
    throw new UsageError(`--out: cannot write ${partialPath} (${e instanceof Error ? e.message : String(e)}).`);
  }
  const stream = createWriteStream(partialPath, { fd, encoding: 'utf8' });
  const controller = new AbortController();
  let writeError: Error | null = null;
  stream.on('error', (e) => {
    writeError = e;
    controller.abort();
  });
  const discard = async () => {
    stream.destroy();
    if (already.length === 0) await rm(partialPath, { force: true });
  };

  let lm: LoadedLm | null = null;
  const local = server ? null : await import('../core/generation/generator.ts');
  try {
    if (server) {
      console.error(`Checking the server ${server.host} (model "${server.client.connection.model}")…`);
      await server.client.checkServer();
      const s = server.settings;
      const endpoint = task.promptStyle === 'chat' ? 'chat/completions' : 'completions';
      console.error(`Generating on ${server.host} through /v1/${endpoint}: ${s.concurrency} requests in flight, n = ${s.samplesPerRequest}.`);
    } else {
      lm = await local!.loadLm({ modelId: modelId!, device: 'cpu' });
      const st = await local!.selfTest(lm);
      console.error(st.message);
      if (!st.ok) {
        await lm.dispose();
        await discard();
        return 1;
      }
    }
  } catch (e) {
    await lm?.dispose();
    await discard();
    throw e;
  }
  if (already.length > 0) console.error(`Resuming with ${already.length} samples from ${partialPath}.`);

  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let lastLog = 0;
  let stored = already.length;
  const common = {
    task,
    perLabel: perLabel!,
    sampling: sv.sampling,
    already,
    signal: controller.signal,
    onSamples: async (batch: GeneratedSample[]) => {
      if (writeError) throw writeError;
      const text = batch.map((s) => JSON.stringify({ text: s.text, label: s.label })).join('\n') + '\n';
      if (!stream.write(text)) await new Promise<void>((r) => stream.once('drain', () => r()));
      stored += batch.length;
    },
    onProgress: (p: GenerationProgress & { server?: RemoteProgress }) => {
      if (Date.now() - lastLog < 1000) return;
      lastLog = Date.now();
      const sec = Math.max(p.elapsedMs, 1) / 1000;
      const fresh = Object.values(p.acceptedByLabel).reduce((a, b) => a + b, 0) - already.length;
      const tokens = p.server && !p.server.tokensReported ? 'tokens/s n/a' : `${(p.generatedTokens / sec).toFixed(1)} tokens/s`;
      const srv = p.server ? ` | ${p.server.inFlight} in flight, ${p.server.retries} retries${p.server.notice ? ` | ${p.server.notice}` : ''}` : '';
      console.error(
        `accepted ${JSON.stringify(p.acceptedByLabel)} dropped ${JSON.stringify(p.dropped)} | ${(fresh / sec).toFixed(2)} samples/s, ${tokens}${srv}`,
      );
    },
  };
  const closeStream = () => new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
  try {
    const res = server ? await generateSamplesRemote(server.client, { ...common, remote: server.settings }) : await local!.generateSamples(lm!, common);
    if (writeError) throw writeError;
    await closeStream();
    if (writeError) throw writeError;
    const total = Object.values(res.acceptedByLabel).reduce((a, b) => a + b, 0);
    const sec = Math.max(res.elapsedMs, 1) / 1000;
    const rate = `${((total - already.length) / sec).toFixed(2)} samples/s, ${(res as { server?: RemoteProgress }).server?.tokensReported === false ? 'tokens/s n/a' : `${(res.generatedTokens / sec).toFixed(1)} tokens/s`}`;
    const summary = `${total} samples, dropped ${JSON.stringify(res.dropped)}, ${res.generatedTokens} tokens in ${sec.toFixed(1)} s (${rate})`;
    if (res.stopReason === 'interrupted') {
      console.error(`Interrupted: ${summary}; kept in ${partialPath} (add --resume to continue)`);
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
    if (e instanceof RemoteError) {
      // A server failure mid-run: every sample received so far is in the partial file; keep it for --resume.
      await closeStream().catch(() => undefined);
      console.error(`Error: ${e.message}\nKept ${stored} samples in ${partialPath}; run the same command with --resume to continue.`);
      return 1;
    }
    await discard();
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    await lm?.dispose();
  }
}

runCli({ name: 'generate', usage: USAGE, main });
