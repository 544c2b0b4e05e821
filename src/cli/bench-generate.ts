// `npm run bench:generate [-- --json] [--model ID] [--batches 8,16,32,64] [--tokens N] [--threads N]`
// Single-sequence vs batched decoding of the same model in the same run, with the production decoding loop
// (KV cache, left padding, seeded top-p sampling, no early stop so every row decodes --tokens tokens unless it hits
// EOS). Prints a table and, with --json, one JSON object as the last line.
import { decodeJobs } from '../core/generation/decoder.ts';
import { loadLm, selfTest } from '../core/generation/generator.ts';
import { mixSeed, mulberry32 } from '../core/generation/prng.ts';
import { findTaskPreset, DEFAULT_TASK_ID } from '../core/tasks/presets.ts';
import { numberOption, parseArgs, UsageError } from './args.ts';
import { configureNodeTransformers } from './node-env.ts';

/** Repeats a measurement until at least this much time has been spent (steadier numbers on a shared machine). */
const MIN_MEASURE_MS = 1500;

async function main(): Promise<void> {
  const { values, flags } = parseArgs(process.argv.slice(2), { values: ['model', 'batches', 'tokens', 'threads'], flags: ['json'] });
  const modelId = values.get('model') ?? 'karpathy/stories260K';
  const batches = (values.get('batches') ?? '8,16,32,64').split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--batches must be positive integers separated by commas (got "${s}").`);
    return n;
  });
  const newTokens = numberOption(values, 'tokens') ?? 64;
  const threads = numberOption(values, 'threads');
  configureNodeTransformers();
  const lm = await loadLm({
    modelId,
    device: 'cpu',
    sessionOptions: threads ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : undefined,
  });
  const st = await selfTest(lm);
  if (!st.ok) throw new Error(st.message);
  const prompt = findTaskPreset(DEFAULT_TASK_ID)!.labels[0].prompt;
  const promptIds = lm.internals.encode(prompt);
  const choice = { doSample: true, temperature: 1, topK: 0, topP: 0.9 };

  /** Tokens per second for `batch` sequences decoded together. */
  async function measure(batch: number): Promise<number> {
    let tokens = 0;
    let ms = 0;
    let rep = 0;
    while (ms < MIN_MEASURE_MS || rep < 2) {
      const jobs = Array.from({ length: batch }, (_, i) => ({ promptIds, rng: mulberry32(mixSeed(rep, i)) }));
      const t0 = performance.now();
      const r = await decodeJobs(lm.internals, jobs, { maxNewTokens: newTokens, choice, stopAtQuote: false });
      ms += performance.now() - t0;
      tokens += r.generatedTokens;
      rep++;
    }
    return (tokens / ms) * 1000;
  }

  await measure(1); // warm-up
  await measure(Math.max(...batches));
  const single = await measure(1);
  const batched: { batch: number; tokensPerSec: number }[] = [];
  for (const b of batches) batched.push({ batch: b, tokensPerSec: await measure(b) });

  const backend = `onnxruntime-node cpu (${threads ? `${threads} intra-op threads` : 'default threads'})`;
  console.log(`model ${modelId}, ${backend}, prompt ${promptIds.length} tokens + ${newTokens} new tokens per sequence`);
  console.log('batch  tokens/s   speedup');
  console.log(`${'1'.padStart(5)}  ${single.toFixed(0).padStart(8)}   1.0x`);
  for (const b of batched) {
    console.log(`${String(b.batch).padStart(5)}  ${b.tokensPerSec.toFixed(0).padStart(8)}   ${(b.tokensPerSec / single).toFixed(1)}x`);
  }
  const bestSpeedup = Math.max(...batched.map((b) => b.tokensPerSec / single));
  await lm.dispose();
  if (flags.has('json')) {
    const round = (x: number) => Math.round(x * 10) / 10;
    console.log(
      JSON.stringify({
        model: modelId,
        backend,
        singleTokensPerSec: round(single),
        batched: batched.map((b) => ({ batch: b.batch, tokensPerSec: round(b.tokensPerSec) })),
        bestSpeedup: Math.round(bestSpeedup * 100) / 100,
      }),
    );
  }
}

main().catch((e) => {
  console.error(`Error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
