// Validation of what goes into storage, done before any write so a bad run or batch leaves nothing behind.
import type { GeneratedSample } from '../generation/types.ts';
import { validateSampling, validateTask } from '../tasks/validate.ts';
import type { CleaningRecord, RunConfig, RunServerConfig, TestSetRecord } from './schema.ts';
import { parseServerUrl } from '../remote/server-url.ts';
import { validateRemoteSettings } from '../remote/remote-generator.ts';

const DEVICES = new Set(['webgpu', 'wasm', 'cpu', 'server']);
export const MAX_PER_LABEL = 100_000;

/** All problems with a run config, as readable messages (empty = valid). */
export function validateRunConfig(config: unknown): string[] {
  if (!config || typeof config !== 'object') return ['run config must be an object'];
  const c = config as Partial<RunConfig>;
  const errors: string[] = [];
  const task = validateTask(c.task);
  if (!task.ok) errors.push(...task.errors.map((e) => `task: ${e}`));
  const sampling = validateSampling(c.sampling);
  if (!sampling.ok) errors.push(...sampling.errors.map((e) => `sampling: ${e}`));
  if (typeof c.modelId !== 'string' || c.modelId.trim() === '') errors.push('modelId must be a non-empty string');
  if (typeof c.dtype !== 'string' || c.dtype === '') errors.push('dtype must be a non-empty string');
  if (typeof c.device !== 'string' || !DEVICES.has(c.device)) errors.push(`device must be one of ${[...DEVICES].join(', ')}`);
  if (typeof c.deviceReason !== 'string') errors.push('deviceReason must be a string');
  if (typeof c.perLabel !== 'number' || !Number.isInteger(c.perLabel) || c.perLabel < 1 || c.perLabel > MAX_PER_LABEL) {
    errors.push(`perLabel must be a whole number from 1 to ${MAX_PER_LABEL}`);
  }
  if (typeof c.allowNetwork !== 'boolean') errors.push('allowNetwork must be true or false');
  if (!c.versions || typeof c.versions.app !== 'string' || typeof c.versions.transformers !== 'string') {
    errors.push('versions must name the app and transformers.js versions');
  }
  if (c.device === 'server' || c.server !== undefined) errors.push(...validateServerConfig(c.device, c.server));
  return errors;
}

function validateServerConfig(device: unknown, server: Partial<RunServerConfig> | undefined): string[] {
  if (device !== 'server') return ['server must only be set when device is "server"'];
  if (!server || typeof server !== 'object') return ['a run on a server must record the server (apiBase, model, settings)'];
  const errors: string[] = [];
  const url = typeof server.apiBase === 'string' ? parseServerUrl(server.apiBase) : null;
  if (!url || !url.ok || url.apiBase !== server.apiBase) errors.push('server.apiBase must be a normalised http(s) API root');
  if (typeof server.model !== 'string' || server.model.trim() === '') errors.push('server.model must be a non-empty string');
  const settings = validateRemoteSettings(server.settings);
  if (!settings.ok) errors.push(...settings.errors.map((e) => `server.settings: ${e}`));
  if (typeof server.usesApiKey !== 'boolean') errors.push('server.usesApiKey must be true or false');
  if ('apiKey' in server) errors.push('server must not hold an API key');
  return errors;
}

/** Problems with a batch of samples for a run whose task has `labels`. */
export function validateSampleBatch(samples: readonly GeneratedSample[], labels: readonly string[]): string[] {
  if (!Array.isArray(samples)) return ['samples must be an array'];
  const known = new Set(labels);
  const errors: string[] = [];
  samples.forEach((s, i) => {
    if (!s || typeof s !== 'object') return void errors.push(`sample ${i}: must be an object`);
    if (typeof s.text !== 'string' || s.text.trim() === '') errors.push(`sample ${i}: text must be a non-empty string`);
    if (typeof s.label !== 'string' || !known.has(s.label)) errors.push(`sample ${i}: label "${String(s.label)}" is not one of the run's labels (${labels.join(', ')})`);
    if (s.context !== undefined && typeof s.context !== 'string') errors.push(`sample ${i}: context must be a string when present`);
  });
  return errors;
}

/** Problems with a test set record (empty = valid): every row needs text and one of the set's labels. */
export function validateTestSet(set: TestSetRecord): string[] {
  const errors: string[] = [];
  if (!set || typeof set !== 'object') return ['test set must be an object'];
  if (typeof set.id !== 'string' || !set.id) errors.push('test set id must be a non-empty string');
  if (typeof set.name !== 'string' || !set.name.trim()) errors.push('test set name must be a non-empty string');
  if (set.source !== 'typed' && set.source !== 'file') errors.push('test set source must be "typed" or "file"');
  if (!Array.isArray(set.labels) || set.labels.length < 2 || set.labels.some((l) => typeof l !== 'string' || !l)) {
    errors.push('test set labels must list at least two label names');
  }
  if (!Array.isArray(set.rows)) return [...errors, 'test set rows must be an array'];
  const known = new Set(set.labels);
  set.rows.forEach((r, i) => {
    if (errors.length >= 5) return;
    if (!r || typeof r.text !== 'string' || !r.text.trim()) errors.push(`row ${i + 1}: text must be a non-empty string`);
    else if (typeof r.label !== 'string' || !known.has(r.label)) errors.push(`row ${i + 1}: label "${String(r?.label)}" is not one of ${set.labels.join(', ')}`);
  });
  return errors;
}

/** Problems with a Clean-step scores record (empty = valid): one finite score per sample id, known source. */
export function validateCleaning(c: CleaningRecord): string[] {
  if (!c || typeof c !== 'object') return ['cleaning must be an object'];
  const errors: string[] = [];
  if (!['sungen', 'filter', 'oof'].includes(c.source)) errors.push('cleaning source must be "sungen", "filter" or "oof"');
  for (const f of ['method', 'key', 'model', 'backend'] as const) if (typeof c[f] !== 'string' || !c[f]) errors.push(`cleaning ${f} must be a non-empty string`);
  if (!Array.isArray(c.sampleIds) || !Array.isArray(c.scores) || !Array.isArray(c.validationIds)) return [...errors, 'cleaning sampleIds, scores and validationIds must be arrays'];
  if (c.sampleIds.length !== c.scores.length) errors.push(`cleaning has ${c.scores.length} scores for ${c.sampleIds.length} samples`);
  if (c.sampleIds.some((id) => !Number.isInteger(id)) || c.validationIds.some((id) => !Number.isInteger(id))) errors.push('cleaning sample ids must be whole numbers');
  if (c.scores.some((v) => typeof v !== 'number' || !Number.isFinite(v))) errors.push('cleaning scores must be finite numbers');
  if (typeof c.createdAt !== 'number' || typeof c.seconds !== 'number') errors.push('cleaning createdAt and seconds must be numbers');
  return errors;
}
