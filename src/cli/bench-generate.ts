// `npm run bench:generate [-- --json] [--browser] [--model ID] [--batches 8,16,32,64] [--tokens N] [--threads N]
//   [--no-reference]`
// Single-sequence vs batched decoding of the same model in the same run, with the production decoding loop
// (KV cache, left padding, seeded top-p sampling, no early stop so every row decodes --tokens tokens unless it hits
// EOS). Node runs onnxruntime-node on the CPU; --browser builds bench/generate.html (bench/vite.config.ts), serves it
// on 127.0.0.1 and runs the same measurement in headless Chromium on the wasm device, every request kept on that
// origin. For the SmolLM2 offline pack it also measures, in the same run, llama.cpp (node-llama-cpp) on the GGUF the
// pack was built from: single-sequence and batched tokens/s with the same prompt, sampling and token count — the
// engine a user would otherwise pick. With --server URL it measures an OpenAI-compatible server at 1, 4, 16 and 64
// requests in flight instead (bench-server.ts). Prints a table and, with --json, one JSON object as the last line.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium } from 'playwright-core';
import { measureGenerate, type GenerateBenchOptions, type GenerateBenchResult } from '../../bench/generate-measure.ts';
import { loadLm, selfTest } from '../core/generation/generator.ts';
import { numberOption, parseArgs, UsageError } from './args.ts';
import { runCli } from './run-cli.ts';
import { configureNodeTransformers } from './node-env.ts';
import { startLoopbackPreview } from './loopback-preview.ts';
import { chromiumPathOrThrow } from './chromium.ts';
import { runServerBench, SERVER_BENCH_VALUES } from './bench-server.ts';
import { existsSync } from 'node:fs';
import { GGUF_PATH, measureLlamaCpp, PACK_MODEL_ID, type LlamaCppSpeed } from '../../bench/llama-reference.ts';
import { findTaskPreset, DEFAULT_TASK_ID } from '../core/tasks/presets.ts';

/** Peak resident memory of this process (Node mode: the model runs here) in MB, sampled every 100 ms. */
function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage().rss) / (1024 * 1024));
    },
  };
}

/** Repeats a measurement until at least this much time has been spent (steadier numbers on a shared machine). */
const MIN_MEASURE_MS = 1500;
const BENCH_VITE_CONFIG = fileURLToPath(new URL('../../bench/vite.config.ts', import.meta.url));
/** Upper bound for the whole in-page measurement. */
const BROWSER_TIMEOUT_MS = 15 * 60_000;

async function runNode(modelId: string, threads: number, opts: GenerateBenchOptions): Promise<GenerateBenchResult> {
  configureNodeTransformers();
  const lm = await loadLm({
    modelId,
    device: 'cpu',
    sessionOptions: { intraOpNumThreads: threads, interOpNumThreads: 1 },
  });
  try {
    const st = await selfTest(lm);
    if (!st.ok) throw new Error(st.message);
    return await measureGenerate(lm.internals, opts);
  } finally {
    await lm.dispose();
  }
}

async function runBrowser(modelId: string, opts: GenerateBenchOptions): Promise<GenerateBenchResult> {
  await build({ configFile: BENCH_VITE_CONFIG, logLevel: 'warn' });
  const { server, baseUrl } = await startLoopbackPreview({ configFile: BENCH_VITE_CONFIG });
  const browser = await chromium.launch({ executablePath: chromiumPathOrThrow(), headless: true });
  try {
    const context = await browser.newContext();
    const blocked: string[] = [];
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith(baseUrl) || url.startsWith('data:') || url.startsWith('blob:')) await route.continue();
      else {
        blocked.push(url);
        await route.abort('blockedbyclient');
      }
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${baseUrl}generate.html`);
    await page.waitForFunction(() => document.getElementById('status')?.dataset.ready === '1', undefined, { timeout: 60_000 });
    page.setDefaultTimeout(BROWSER_TIMEOUT_MS);
    const result = await page.evaluate((req) => (globalThis as any).runGenerateBench(req), { modelId, ...opts });
    if (blocked.length > 0) throw new Error(`The bench page tried to leave 127.0.0.1: ${blocked.join(', ')}`);
    if (errors.length > 0) throw new Error(`The bench page reported errors: ${errors.join('; ')}`);
    return result as GenerateBenchResult;
  } finally {
    await browser.close();
    await server.close();
  }
}

const USAGE = `Usage: npm run bench:generate -- [--model ID] [--batches 8,16,32,64] [--tokens N] [--threads N] [--browser] [--json]
  or: npm run bench:generate -- --server URL --server-model NAME [server options] [--json]`;

async function main(argv: string[]): Promise<number> {
  const { values, flags } = parseArgs(argv, {
    values: ['model', 'batches', 'tokens', 'threads', ...SERVER_BENCH_VALUES],
    flags: ['json', 'browser', 'no-reference'],
  });
  if (values.has('server')) {
    const local = ['model', 'batches', 'tokens', 'threads'].filter((o) => values.has(o));
    if (local.length > 0 || flags.has('browser')) throw new UsageError(`--server measures a server; --${local[0] ?? 'browser'} applies to in-process generation.`);
    await runServerBench(values, flags.has('json'));
    return 0;
  }
  const serverOnly = SERVER_BENCH_VALUES.filter((o) => values.has(o));
  if (serverOnly.length > 0) throw new UsageError(`--${serverOnly[0]} needs --server URL.`);
  const modelId = values.get('model') ?? 'karpathy/stories260K';
  const batches = (values.get('batches') ?? '8,16,32,64').split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--batches must be positive integers separated by commas (got "${s}").`);
    return n;
  });
  const newTokens = numberOption(values, 'tokens') ?? 64;
  if (!Number.isInteger(newTokens) || newTokens < 1) throw new UsageError(`--tokens must be a positive integer (got ${newTokens}).`);
  const browserMode = flags.has('browser');
  // One intra-op thread by default: on a small shared machine ORT's spinning worker threads slow every step down.
  const threads = numberOption(values, 'threads') ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads must be a positive integer (got ${threads}).`);
  if (browserMode && values.has('threads')) {
    throw new UsageError('--threads applies to Node only (ORT wasm runs single-threaded without cross-origin isolation).');
  }
  const opts: GenerateBenchOptions = { batches, newTokens, minMeasureMs: MIN_MEASURE_MS };
  const rss = rssSampler();
  const r = browserMode ? await runBrowser(modelId, opts) : await runNode(modelId, threads, opts);
  // In --browser mode the model runs in Chromium's renderer, so this is the Node driver's memory, not the model's.
  const peakRssMB = rss.stop();
  let reference: LlamaCppSpeed | null = null;
  if (modelId === PACK_MODEL_ID && !flags.has('no-reference')) {
    if (!existsSync(GGUF_PATH)) throw new UsageError(`${GGUF_PATH} is missing: run npm run model-pack:fetch for the llama.cpp reference.`);
    reference = await measureLlamaCpp({
      prompt: findTaskPreset(DEFAULT_TASK_ID)!.labels[0].prompt,
      newTokens,
      batch: Math.max(...batches),
      threads,
      minMeasureMs: MIN_MEASURE_MS,
    });
  }

  const backend = browserMode ? 'wasm (chromium)' : `onnxruntime-node cpu (${threads} intra-op thread${threads > 1 ? 's' : ''})`;
  console.log(`model ${modelId}, ${backend}, prompt ${r.promptTokens} tokens + ${newTokens} new tokens per sequence`);
  console.log('batch  tokens/s  speedup   ms/step = session + transformers.js + loop');
  const single = r.single.tokensPerSec;
  for (const m of [r.single, ...r.batched]) {
    const f = (x: number) => x.toFixed(2).padStart(6);
    console.log(
      `${String(m.batch).padStart(5)}  ${m.tokensPerSec.toFixed(0).padStart(8)}  ${`${(m.tokensPerSec / single).toFixed(1)}x`.padStart(7)}` +
        `   ${f(m.step.totalMs)} = ${f(m.step.sessionMs)} + ${f(m.step.wrapperMs)} + ${f(m.step.loopMs)}`,
    );
  }
  console.log(`peak RSS ${peakRssMB} MB${browserMode ? ' (Node driver; the model runs in Chromium)' : ''}`);
  if (reference) {
    console.log(
      `llama.cpp (node-llama-cpp, ${reference.threads} thread${reference.threads > 1 ? 's' : ''}, same GGUF): single ` +
        `${reference.singleTokensPerSec.toFixed(0)} tokens/s, batch ${reference.batch} ${reference.batchedTokensPerSec.toFixed(0)} tokens/s`,
    );
  }
  if (flags.has('json')) {
    const round = (x: number) => Math.round(x * 10) / 10;
    // Where a forward pass's time went (ms): onnxruntime's run(), transformers.js around it, our loop (sampling).
    const stepMs = (m: { step: { totalMs: number; sessionMs: number; wrapperMs: number; loopMs: number } }) => ({
      total: round(m.step.totalMs),
      session: round(m.step.sessionMs),
      transformersJs: round(m.step.wrapperMs),
      loop: round(m.step.loopMs),
    });
    console.log(
      JSON.stringify({
        model: modelId,
        backend,
        singleTokensPerSec: round(single),
        batched: r.batched.map((b) => ({ batch: b.batch, tokensPerSec: round(b.tokensPerSec), stepMs: stepMs(b) })),
        singleStepMs: stepMs(r.single),
        bestSpeedup: Math.round(r.bestSpeedup * 100) / 100,
        peakRssMB,
        ...(reference
          ? {
              reference: {
                engine: reference.engine,
                threads: reference.threads,
                singleTokensPerSec: round(reference.singleTokensPerSec),
                batchedTokensPerSec: round(reference.batchedTokensPerSec),
                batch: reference.batch,
              },
            }
          : {}),
      }),
    );
  }
  return 0;
}

runCli({ name: 'bench:generate', usage: USAGE, main });
