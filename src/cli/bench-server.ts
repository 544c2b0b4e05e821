// `npm run bench:generate -- --server URL [--server-model NAME] [--in-flight 1,4,16,64] [--samples N] [--n N]
//   [--max-new-tokens N] [--task ID] [--prompt-style continuation|chat] [--api-key-env VAR] [--json]`
// Throughput of generation through an OpenAI-compatible server at several numbers of requests in flight, with the
// production path (remote generator: parse, dedup, per-label targets, retries): samples/s and tokens/s (from the
// server's usage.completion_tokens) per level, against the same server in the same run. One warm-up request first.
import { OpenAiClient } from '../core/remote/client.ts';
import { parseServerUrl } from '../core/remote/server-url.ts';
import { generateSamplesRemote } from '../core/remote/remote-generator.ts';
import { defaultPromptStyle, withPromptStyle } from '../core/generation/prompt.ts';
import { findTaskPreset } from '../core/tasks/presets.ts';
import { DEFAULT_SAMPLING } from '../core/tasks/validate.ts';
import { numberOption, UsageError } from './args.ts';

export const SERVER_BENCH_VALUES = ['server', 'server-model', 'api-key-env', 'in-flight', 'samples', 'n', 'max-new-tokens', 'prompt-style', 'task'];

export interface ServerBenchLevel {
  inFlight: number;
  samples: number;
  seconds: number;
  samplesPerSec: number;
  tokensPerSec: number | null;
  requests: number;
  retries: number;
}

function positiveInt(values: Map<string, string>, name: string, dflt: number): number {
  const v = numberOption(values, name) ?? dflt;
  if (!Number.isInteger(v) || v < 1) throw new UsageError(`--${name} must be a positive whole number (got ${v}).`);
  return v;
}

export async function runServerBench(values: Map<string, string>, json: boolean): Promise<void> {
  const url = parseServerUrl(values.get('server')!);
  if (!url.ok) throw new UsageError(`--server: ${url.error}`);
  let apiKey: string | undefined;
  const keyVar = values.get('api-key-env');
  if (keyVar !== undefined) {
    apiKey = process.env[keyVar];
    if (!apiKey) throw new UsageError(`--api-key-env ${keyVar}: the environment variable ${keyVar} is not set or empty.`);
  }
  const levels = (values.get('in-flight') ?? '1,4,16,64').split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--in-flight must be whole numbers from 1 to 256 separated by commas (got "${s}").`);
    return n;
  });
  const samples = positiveInt(values, 'samples', 128);
  const n = positiveInt(values, 'n', 1);
  const maxNewTokens = positiveInt(values, 'max-new-tokens', 48);
  const preset = findTaskPreset(values.get('task') ?? 'happy-sad-stories');
  if (!preset) throw new UsageError(`--task must be a preset id (got "${values.get('task')}").`);
  const style = values.get('prompt-style') ?? defaultPromptStyle(preset, undefined);
  if (style !== 'chat' && style !== 'continuation') throw new UsageError(`--prompt-style must be "chat" or "continuation" (got "${style}").`);
  const task = withPromptStyle(preset, style);

  let model = values.get('server-model')?.trim();
  if (!model) {
    const models = await new OpenAiClient({ apiBase: url.apiBase, model: '', apiKey }).listModels();
    if (models.length === 0) throw new UsageError('--server-model NAME is needed: the server lists no models.');
    model = models[0];
  }
  const client = new OpenAiClient({ apiBase: url.apiBase, model, apiKey });
  await client.checkServer();
  await client.complete({ prompt: 'Hello', n: 1, maxTokens: 4, temperature: 1, topP: 1 }); // warm-up

  const perLabel = Math.ceil(samples / task.labels.length);
  const results: ServerBenchLevel[] = [];
  console.log(`server ${url.host}, model "${model}", ${style === 'chat' ? '/v1/chat/completions' : '/v1/completions'}, task ${task.id}, ` +
    `${perLabel * task.labels.length} samples per level, n = ${n}, max_tokens ${maxNewTokens}`);
  console.log('in flight  samples/s  tokens/s  requests  retries  seconds');
  for (const [i, inFlight] of levels.entries()) {
    const res = await generateSamplesRemote(client, {
      task,
      perLabel,
      sampling: { ...DEFAULT_SAMPLING, maxNewTokens, seed: 1000 + i },
      remote: { concurrency: inFlight, samplesPerRequest: n, maxRetries: 4 },
    });
    const seconds = res.elapsedMs / 1000;
    const total = Object.values(res.acceptedByLabel).reduce((a, b) => a + b, 0);
    const level: ServerBenchLevel = {
      inFlight,
      samples: total,
      seconds: Math.round(seconds * 10) / 10,
      samplesPerSec: Math.round((total / seconds) * 100) / 100,
      tokensPerSec: res.server.tokensReported ? Math.round((res.generatedTokens / seconds) * 10) / 10 : null,
      requests: res.server.requests,
      retries: res.server.retries,
    };
    results.push(level);
    console.log(
      `${String(inFlight).padStart(9)}  ${level.samplesPerSec.toFixed(2).padStart(9)}  ${(level.tokensPerSec?.toFixed(1) ?? 'n/a').padStart(8)}` +
        `  ${String(level.requests).padStart(8)}  ${String(level.retries).padStart(7)}  ${level.seconds.toFixed(1).padStart(7)}`,
    );
  }
  const base = results[0].samplesPerSec;
  const best = results.reduce((a, b) => (b.samplesPerSec > a.samplesPerSec ? b : a));
  if (json) {
    console.log(
      JSON.stringify({
        server: url.host,
        model,
        promptStyle: style,
        task: task.id,
        samplesPerLevel: perLabel * task.labels.length,
        n,
        maxNewTokens,
        levels: results,
        bestInFlight: best.inFlight,
        bestSpeedup: Math.round((best.samplesPerSec / base) * 100) / 100,
      }),
    );
  }
}
