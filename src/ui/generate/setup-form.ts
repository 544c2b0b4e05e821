// The Generate step's raw input (strings, as typed: model, count, sampling) together with the Task step's form, and
// their parsing into a task, sampling config and target count. Every problem becomes a readable message; nothing is
// sent to the worker or stored unless all fields are valid.
import type { SamplingConfig } from '../../core/generation/types.ts';
import type { TaskSpec } from '../../core/tasks/types.ts';
import { DEFAULT_SAMPLING, validateSampling } from '../../core/tasks/validate.ts';
import { DEFAULT_MODEL_ID, findCatalogEntry } from '../../core/models/catalog.ts';
import { defaultPromptStyle, withPromptStyle } from '../../core/generation/prompt.ts';
import type { PromptStyle } from '../../core/tasks/types.ts';
import { defaultTaskForm, parseTask, type TaskForm } from '../task/task-form.ts';

export type SamplingField = 'temperature' | 'topK' | 'topP' | 'maxNewTokens' | 'minWords' | 'seed' | 'batchSize';

export interface SetupForm extends TaskForm {
  modelId: string;
  /** 'auto': chat for instruct models (when every label has an instruction), continuation for base models. */
  promptStyle: 'auto' | PromptStyle;
  allowNetwork: boolean;
  perLabel: string;
  sampling: Record<SamplingField, string>;
  doSample: boolean;
}

export interface ParsedSetup {
  task: TaskSpec;
  sampling: SamplingConfig;
  perLabel: number;
}

export const SAMPLING_FIELDS: { key: SamplingField; label: string; integer: boolean; hint: string }[] = [
  { key: 'temperature', label: 'Temperature', integer: false, hint: 'higher = more varied text' },
  { key: 'topK', label: 'Top-k', integer: true, hint: '0 = off' },
  { key: 'topP', label: 'Top-p', integer: false, hint: '1 = off' },
  { key: 'maxNewTokens', label: 'Max new tokens', integer: true, hint: 'length limit per sample' },
  { key: 'minWords', label: 'Min words', integer: true, hint: 'shorter samples are dropped' },
  { key: 'seed', label: 'Seed', integer: true, hint: 'same seed = same samples' },
  { key: 'batchSize', label: 'Batch size', integer: true, hint: 'prompts decoded together' },
];

export function defaultSetupForm(): SetupForm {
  const s = DEFAULT_SAMPLING;
  return {
    ...defaultTaskForm(),
    modelId: DEFAULT_MODEL_ID,
    promptStyle: 'auto',
    allowNetwork: false,
    perLabel: '100',
    sampling: {
      temperature: String(s.temperature),
      topK: String(s.topK),
      topP: String(s.topP),
      maxNewTokens: String(s.maxNewTokens),
      minWords: String(s.minWords),
      seed: String(s.seed),
      batchSize: String(s.batchSize),
    },
    doSample: s.doSample,
  };
}

function parseNumber(label: string, raw: string, integer: boolean, errors: string[]): number {
  const text = raw.trim();
  const n = text === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(n)) errors.push(`${label} must be a number (got "${raw}")`);
  else if (integer && !Number.isInteger(n)) errors.push(`${label} must be a whole number (got "${raw}")`);
  return n;
}

/** The prompt style a run with this form would use, or an error (e.g. chat chosen for a task without instructions). */
export function resolvePromptStyle(form: Pick<SetupForm, 'promptStyle' | 'modelId'>, task: TaskSpec): { ok: true; task: TaskSpec } | { ok: false; error: string } {
  const style = form.promptStyle === 'auto' ? defaultPromptStyle(task, findCatalogEntry(form.modelId)?.variant) : form.promptStyle;
  try {
    return { ok: true, task: withPromptStyle(task, style) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Parse every field; collect all messages rather than stopping at the first. */
export function parseSetup(form: SetupForm): { ok: true; setup: ParsedSetup } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const parsedTask = parseTask(form);
  let task = parsedTask;
  if (!parsedTask.ok) errors.push(...parsedTask.errors);
  else {
    const styled = resolvePromptStyle(form, parsedTask.task);
    if (styled.ok) task = { ok: true, task: styled.task };
    else errors.push(`Prompt style: ${styled.error}`);
  }

  const perLabel = parseNumber('Samples per label', form.perLabel, true, errors);
  if (Number.isInteger(perLabel) && (perLabel < 1 || perLabel > 100_000)) errors.push('Samples per label must be between 1 and 100000');

  const numeric: Partial<Record<SamplingField, number>> = {};
  const numberErrors: string[] = [];
  for (const f of SAMPLING_FIELDS) numeric[f.key] = parseNumber(f.label, form.sampling[f.key], f.integer, numberErrors);
  errors.push(...numberErrors);
  let sampling: SamplingConfig | undefined;
  if (numberErrors.length === 0) {
    const checked = validateSampling({ ...numeric, doSample: form.doSample });
    if (checked.ok) sampling = checked.sampling;
    else errors.push(...checked.errors.map((m) => `Sampling: ${m}`));
  }
  if (errors.length > 0 || !task.ok || !sampling) return { ok: false, errors };
  return { ok: true, setup: { task: task.task, sampling, perLabel } };
}
