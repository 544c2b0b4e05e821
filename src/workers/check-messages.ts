// Run-time checks of the messages the page posts to the workers. TypeScript types vanish at run time, so a worker
// treats each incoming message as untrusted input: anything malformed is answered with a clear 'validation' error
// naming the problem, instead of failing somewhere deep in generation, training or storage.
import { validatePerLabel, validateSampling, validateTask } from '../core/tasks/validate.ts';
import { validateSettings, type TrainingSettings } from '../core/train/settings.ts';
import { validateRemoteSettings } from '../core/remote/remote-generator.ts';
import type { WorkerRequest } from './generate-protocol.ts';
import type { TrainRequest } from './train-protocol.ts';

/** A message from the page that does not follow the protocol. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isNonEmpty = (x: unknown): x is string => typeof x === 'string' && x.trim() !== '';

function fail(worker: string, problems: string[]): never {
  throw new ProtocolError(`The ${worker} worker got an invalid request:\n- ${problems.join('\n- ')}`);
}

function needType(data: unknown, worker: string, types: readonly string[]): Obj {
  if (!isObj(data)) fail(worker, ['the message must be an object']);
  if (!isStr(data.type) || !types.includes(data.type)) fail(worker, [`unknown message type ${JSON.stringify(String(data.type)).slice(0, 60)} (expected ${types.join(', ')})`]);
  return data;
}

/** Checks a request to the generation worker; returns it typed, or throws ProtocolError. */
export function checkGenerateRequest(data: unknown): WorkerRequest {
  const m = needType(data, 'generation', ['load', 'connect', 'generate', 'interrupt']);
  const problems: string[] = [];
  if (m.type === 'interrupt') return { type: 'interrupt' };
  if (m.type === 'connect') {
    // Only http(s) API roots; which host is allowed at all is the user's confirmation in the page.
    if (!isStr(m.apiBase) || !URL.canParse(m.apiBase) || !/^https?:$/.test(new URL(m.apiBase).protocol)) problems.push('apiBase must be an http(s) URL');
    if (!isNonEmpty(m.model)) problems.push('model must be a non-empty string');
    if (m.apiKey !== undefined && !isStr(m.apiKey)) problems.push('apiKey must be a string when present');
    if (problems.length) fail('generation', problems);
    return m as unknown as WorkerRequest;
  }
  if (m.type === 'load') {
    if (!isNonEmpty(m.modelId)) problems.push('modelId must be a non-empty string');
    if (m.device !== 'webgpu' && m.device !== 'wasm') problems.push('device must be "webgpu" or "wasm"');
    if (!isStr(m.deviceReason)) problems.push('deviceReason must be a string');
    if (!isStr(m.appBaseUrl) || !URL.canParse(m.appBaseUrl)) problems.push('appBaseUrl must be an absolute URL');
    if (typeof m.allowNetwork !== 'boolean') problems.push('allowNetwork must be true or false');
    if (m.deviceMemoryGB !== undefined && !(typeof m.deviceMemoryGB === 'number' && Number.isFinite(m.deviceMemoryGB) && m.deviceMemoryGB > 0)) {
      problems.push('deviceMemoryGB must be a number above 0 when present');
    }
    if (problems.length) fail('generation', problems);
    return m as unknown as WorkerRequest;
  }
  if (!isNonEmpty(m.runId)) problems.push('runId must be a non-empty string');
  if (m.mode === 'resume') {
    if (problems.length) fail('generation', problems);
    return { type: 'generate', mode: 'resume', runId: m.runId as string };
  }
  if (m.mode !== 'new') fail('generation', [...problems, 'mode must be "new" or "resume"']);
  if (!isNonEmpty(m.name)) problems.push('name must be a non-empty string');
  const task = validateTask(m.task);
  if (!task.ok) problems.push(...task.errors.map((e) => `task: ${e}`));
  problems.push(...validatePerLabel(m.perLabel));
  const sampling = validateSampling(m.sampling);
  if (!sampling.ok) problems.push(...sampling.errors.map((e) => `sampling: ${e}`));
  const source = (m.source ?? 'model') as 'model' | 'server';
  if (source !== 'model' && source !== 'server') problems.push('source must be "model" or "server"');
  const remote = source === 'server' ? validateRemoteSettings(m.remote) : null;
  if (remote && !remote.ok) problems.push(...remote.errors.map((e) => `server settings: ${e}`));
  if (problems.length || !task.ok || !sampling.ok) fail('generation', problems);
  return {
    type: 'generate',
    mode: 'new',
    runId: m.runId as string,
    name: m.name as string,
    task: task.task,
    perLabel: m.perLabel as number,
    sampling: sampling.sampling,
    source,
    ...(remote?.ok ? { remote: remote.settings } : {}),
  };
}

function checkTestSource(t: unknown, where: string, problems: string[]): void {
  if (!isObj(t)) return void problems.push(`${where} must be an object`);
  if (t.kind === 'preset') {
    if (!isNonEmpty(t.presetId)) problems.push(`${where}.presetId must be a non-empty string`);
    if (!isStr(t.url) || !URL.canParse(t.url)) problems.push(`${where}.url must be an absolute URL`);
  } else if (t.kind === 'rows') {
    if (!isNonEmpty(t.id)) problems.push(`${where}.id must be a non-empty string`);
    if (!isStr(t.name)) problems.push(`${where}.name must be a string`);
    if (!Array.isArray(t.rows) || !t.rows.every((r) => isObj(r) && isStr(r.text) && isStr(r.label))) problems.push(`${where}.rows must be a list of {text, label} strings`);
  } else problems.push(`${where}.kind must be "preset" or "rows"`);
}

/** Checks a request to the training worker; returns it typed, or throws ProtocolError. */
export function checkTrainRequest(data: unknown): TrainRequest {
  const m = needType(data, 'training', ['start', 'clean', 'interrupt', 'classify', 'evaluate']);
  const problems: string[] = [];
  if (m.type === 'interrupt') return { type: 'interrupt' };
  if (!isStr(m.backendQuery)) problems.push('backendQuery must be a string');
  if (m.type === 'classify') {
    if (!Number.isInteger(m.requestId)) problems.push('requestId must be a whole number');
    if (!isNonEmpty(m.trainingId)) problems.push('trainingId must be a non-empty string');
    if (!isStr(m.text)) problems.push('text must be a string');
  } else if (m.type === 'evaluate') {
    if (!Number.isInteger(m.requestId)) problems.push('requestId must be a whole number');
    if (!Array.isArray(m.trainingIds) || !m.trainingIds.every(isNonEmpty)) problems.push('trainingIds must be a list of ids');
    checkTestSource(m.test, 'test', problems);
  } else if (m.type === 'clean') {
    if (!isNonEmpty(m.runId)) problems.push('runId must be a non-empty string');
    if (!isObj(m.settings)) problems.push('settings must be an object');
    else problems.push(...validateSettings(m.settings as unknown as TrainingSettings));
  } else {
    if (!isNonEmpty(m.runId)) problems.push('runId must be a non-empty string');
    if (!isObj(m.settings)) problems.push('settings must be an object');
    else problems.push(...validateSettings(m.settings as unknown as TrainingSettings));
    if (m.test !== undefined) checkTestSource(m.test, 'test', problems);
    if (!isObj(m.versions) || !Object.values(m.versions).every(isStr)) problems.push('versions must map names to version strings');
  }
  if (problems.length) fail('training', problems);
  return m as unknown as TrainRequest;
}
