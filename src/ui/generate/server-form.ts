// The Generate step's "OpenAI-compatible server" fields as typed (strings), and their parsing into what the worker
// needs: the normalised API root, the model name, the prompt style (→ endpoint) and the request settings.
import { parseServerUrl } from '../../core/remote/server-url.ts';
import { DEFAULT_REMOTE_SETTINGS, validateRemoteSettings, type RemoteSettings } from '../../core/remote/remote-generator.ts';
import type { PromptStyle } from '../../core/tasks/types.ts';

export type GeneratorSource = 'model' | 'server';

export interface ServerForm {
  url: string;
  model: string;
  /** continuation → /v1/completions (base models); chat → /v1/chat/completions (instruct models). */
  promptStyle: PromptStyle;
  inFlight: string;
  perRequest: string;
  maxRetries: string;
}

export function defaultServerForm(): ServerForm {
  const d = DEFAULT_REMOTE_SETTINGS;
  return { url: '', model: '', promptStyle: 'continuation', inFlight: String(d.concurrency), perRequest: String(d.samplesPerRequest), maxRetries: String(d.maxRetries) };
}

export interface ParsedServerForm {
  apiBase: string;
  origin: string;
  host: string;
  model: string;
  promptStyle: PromptStyle;
  settings: RemoteSettings;
}

/** The server the form names (URL + model), without the request settings; used by Connect. */
export function parseServerTarget(form: ServerForm): { ok: true; apiBase: string; origin: string; host: string; model: string } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const url = parseServerUrl(form.url);
  if (!url.ok) errors.push(`Server URL: ${url.error}`);
  const model = form.model.trim();
  if (model === '') errors.push('Server model: enter the model name the server serves (see its /v1/models).');
  if (!url.ok || errors.length > 0) return { ok: false, errors };
  return { ok: true, apiBase: url.apiBase, origin: url.origin, host: url.host, model };
}

export function parseServerForm(form: ServerForm): { ok: true; server: ParsedServerForm } | { ok: false; errors: string[] } {
  const target = parseServerTarget(form);
  const errors = target.ok ? [] : [...target.errors];
  const num = (label: string, raw: string): number | undefined => {
    const n = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(n)) {
      errors.push(`${label} must be a number (got "${raw}")`);
      return undefined;
    }
    return n;
  };
  const v = validateRemoteSettings({
    concurrency: num('Requests in flight', form.inFlight),
    samplesPerRequest: num('Samples per request', form.perRequest),
    maxRetries: num('Retries', form.maxRetries),
  });
  if (!v.ok) errors.push(...v.errors.map((e) => `Server: ${e}`));
  if (!target.ok || !v.ok || errors.length > 0) return { ok: false, errors };
  return { ok: true, server: { apiBase: target.apiBase, origin: target.origin, host: target.host, model: target.model, promptStyle: form.promptStyle, settings: v.settings } };
}
