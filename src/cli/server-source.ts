// The CLI side of the "OpenAI-compatible server" generator source: option parsing (URL, model, key from an
// environment variable — never from the command line, where `ps` would show it), the server check, and the run.
import { DEFAULT_TIMEOUTS, OpenAiClient, type ClientTimeouts } from '../core/remote/client.ts';
import { parseServerUrl } from '../core/remote/server-url.ts';
import { validateRemoteSettings, type RemoteSettings } from '../core/remote/remote-generator.ts';
import { numberOption, UsageError } from './args.ts';

export const SERVER_VALUE_OPTIONS = ['server', 'server-model', 'api-key-env', 'in-flight', 'n', 'max-retries', 'timeout', 'stall-timeout'];

export const SERVER_USAGE = `Through an OpenAI-compatible server (vLLM, llama.cpp, Ollama, TGI) instead of --model:
  --server URL --server-model NAME [--in-flight N] [--n N] [--max-retries N] [--api-key-env VAR]
  [--timeout S] [--stall-timeout S]
  (the API key is read from the environment variable VAR; --prompt-style continuation uses /v1/completions with the
   ZeroGen prompt (base models, the default), --prompt-style chat uses /v1/chat/completions (instruct models))`;

export interface ServerSource {
  client: OpenAiClient;
  settings: RemoteSettings;
  host: string;
}

/** Builds the client and settings from the options, or null without --server. Throws UsageError on bad input. */
export function serverSourceFromArgs(values: Map<string, string>): ServerSource | null {
  const given = SERVER_VALUE_OPTIONS.filter((o) => values.has(o));
  if (!values.has('server')) {
    if (given.length > 0) throw new UsageError(`--${given[0]} needs --server URL.`);
    return null;
  }
  if (values.has('model')) throw new UsageError('Give either --model (generate in this process) or --server (generate on a server), not both.');
  const url = parseServerUrl(values.get('server')!);
  if (!url.ok) throw new UsageError(`--server: ${url.error}`);
  const model = values.get('server-model')?.trim();
  if (!model) throw new UsageError('--server-model NAME is required with --server (the model name the server serves; see its /v1/models).');
  let apiKey: string | undefined;
  const keyVar = values.get('api-key-env');
  if (keyVar !== undefined) {
    apiKey = process.env[keyVar];
    if (!apiKey) throw new UsageError(`--api-key-env ${keyVar}: the environment variable ${keyVar} is not set or empty.`);
  }
  const v = validateRemoteSettings({
    concurrency: numberOption(values, 'in-flight'),
    samplesPerRequest: numberOption(values, 'n'),
    maxRetries: numberOption(values, 'max-retries'),
  });
  if (!v.ok) throw new UsageError(`Invalid server settings:\n- ${v.errors.join('\n- ')}`);
  const seconds = (name: string, dflt: number) => {
    const s = numberOption(values, name);
    if (s === undefined) return dflt;
    if (!(s > 0)) throw new UsageError(`--${name} must be a positive number of seconds (got ${s}).`);
    return s * 1000;
  };
  const timeouts: ClientTimeouts = {
    responseTimeoutMs: seconds('timeout', DEFAULT_TIMEOUTS.responseTimeoutMs),
    stallTimeoutMs: seconds('stall-timeout', DEFAULT_TIMEOUTS.stallTimeoutMs),
  };
  const client = new OpenAiClient({ apiBase: url.apiBase, model, apiKey }, timeouts);
  return { client, settings: v.settings, host: url.host };
}
