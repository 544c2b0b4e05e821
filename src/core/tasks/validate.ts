// Validation of user-supplied tasks (JSON from the editor or the CLI) and sampling settings. Returns every problem as
// a clear message instead of failing deep inside the generator.
import type { SamplingConfig } from '../generation/types.ts';
import type { ContextStage, FewShotExample, LabelSpec, TaskSpec } from './types.ts';

export const CONTEXT_PLACEHOLDER = '{context}';
/** The place of the topic in a task's topic template. */
export const TOPIC_PLACEHOLDER = '{topic}';
/** The sentence that carries a topic when the task sets no template. */
export const DEFAULT_TOPIC_TEMPLATE = 'The text is about {topic}.';
/** Examples per prompt when a task has examples but does not say how many. */
export const DEFAULT_SHOTS = 2;
/** Limits of the levers (a prompt must stay far below the model's context; the run record stays small). */
export const LEVER_LIMITS = { topics: 500, topicChars: 200, templateChars: 300, examples: 1000, exampleChars: 1000, shots: 8 } as const;

export const DEFAULT_SAMPLING: SamplingConfig = {
  temperature: 1.0,
  topK: 0,
  topP: 0.9,
  maxNewTokens: 48,
  minWords: 3,
  seed: 42,
  batchSize: 32,
  doSample: true,
};

/** Limits enforced by validateSampling (inclusive). */
export const SAMPLING_LIMITS = {
  temperature: { min: 0.01, max: 10 },
  topK: { min: 0, max: 100_000 },
  topP: { min: 0.01, max: 1 },
  maxNewTokens: { min: 1, max: 1024 },
  minWords: { min: 0, max: 1000 },
  seed: { min: 0, max: 4294967295 },
  batchSize: { min: 1, max: 512 },
} as const;

const MAX_CONTEXT_TOKENS = 256;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function parseIfString(x: unknown, what: string, errors: string[]): unknown {
  if (typeof x !== 'string') return x;
  try {
    return JSON.parse(x);
  } catch (e) {
    errors.push(`${what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

function checkLabel(raw: unknown, i: number, hasContext: boolean, chat: boolean, errors: string[]): LabelSpec | undefined {
  const where = `labels[${i}]`;
  if (!isObject(raw)) {
    errors.push(`${where} must be an object with "name" and "prompt".`);
    return undefined;
  }
  const { name, prompt, counterLabels, instruction } = raw;
  let ok = true;
  if (typeof name !== 'string' || name.trim() === '') {
    errors.push(`${where}.name must be a non-empty string.`);
    ok = false;
  }
  const label = typeof name === 'string' && name.trim() !== '' ? `label "${name}"` : where;
  if (typeof prompt !== 'string' || prompt.trim() === '') {
    errors.push(`${label}: prompt must be a non-empty string.`);
    ok = false;
  } else if (hasContext && !prompt.includes(CONTEXT_PLACEHOLDER)) {
    errors.push(`${label}: prompt must contain ${CONTEXT_PLACEHOLDER} because the task has a context stage.`);
    ok = false;
  } else if (!hasContext && prompt.includes(CONTEXT_PLACEHOLDER)) {
    errors.push(`${label}: prompt contains ${CONTEXT_PLACEHOLDER} but the task has no context stage.`);
    ok = false;
  }
  if (instruction !== undefined || chat) {
    if (typeof instruction !== 'string' || instruction.trim() === '') {
      errors.push(
        instruction === undefined
          ? `${label}: the chat prompt style needs an "instruction" (the user turn, e.g. "Write a positive movie review.").`
          : `${label}: instruction must be a non-empty string.`,
      );
      ok = false;
    } else if (hasContext && !instruction.includes(CONTEXT_PLACEHOLDER)) {
      errors.push(`${label}: instruction must contain ${CONTEXT_PLACEHOLDER} because the task has a context stage.`);
      ok = false;
    } else if (!hasContext && instruction.includes(CONTEXT_PLACEHOLDER)) {
      errors.push(`${label}: instruction contains ${CONTEXT_PLACEHOLDER} but the task has no context stage.`);
      ok = false;
    }
  }
  if (counterLabels !== undefined && (!Array.isArray(counterLabels) || !counterLabels.every((c) => typeof c === 'string'))) {
    errors.push(`${label}: counterLabels must be a list of label names.`);
    ok = false;
  }
  if (!ok) return undefined;
  const out: LabelSpec = { name: (name as string).trim(), prompt: prompt as string };
  if (instruction !== undefined) out.instruction = instruction as string;
  if (counterLabels !== undefined) out.counterLabels = counterLabels as string[];
  return out;
}

function checkContext(raw: unknown, errors: string[]): ContextStage | undefined {
  if (!isObject(raw)) {
    errors.push('context must be an object with "prompt" and "maxNewTokens" (and optional "values").');
    return undefined;
  }
  const { prompt, values, maxNewTokens, instruction } = raw;
  let ok = true;
  if (typeof prompt !== 'string' || prompt.trim() === '') {
    errors.push('context.prompt must be a non-empty string.');
    ok = false;
  } else if (prompt.includes(CONTEXT_PLACEHOLDER)) {
    errors.push(`context.prompt must not contain ${CONTEXT_PLACEHOLDER}.`);
    ok = false;
  }
  if (typeof maxNewTokens !== 'number' || !Number.isInteger(maxNewTokens) || maxNewTokens < 1 || maxNewTokens > MAX_CONTEXT_TOKENS) {
    errors.push(`context.maxNewTokens must be an integer from 1 to ${MAX_CONTEXT_TOKENS}.`);
    ok = false;
  }
  if (instruction !== undefined && (typeof instruction !== 'string' || instruction.trim() === '' || instruction.includes(CONTEXT_PLACEHOLDER))) {
    errors.push(`context.instruction must be a non-empty string without ${CONTEXT_PLACEHOLDER}.`);
    ok = false;
  }
  if (values !== undefined) {
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'string' && v.trim() !== '')) {
      errors.push('context.values must be a non-empty list of non-empty strings.');
      ok = false;
    }
  }
  if (!ok) return undefined;
  const out: ContextStage = { prompt: prompt as string, maxNewTokens: maxNewTokens as number };
  if (values !== undefined) out.values = values as string[];
  if (instruction !== undefined) out.instruction = instruction as string;
  return out;
}

/** Checks the diversity and few-shot levers; returns the fields to keep (empty lists and shots 0 are kept as given). */
function checkLevers(
  raw: { topics: unknown; topicTemplate: unknown; examples: unknown; shots: unknown },
  labelNames: string[],
  errors: string[],
): Pick<TaskSpec, 'topics' | 'topicTemplate' | 'examples' | 'shots'> {
  const out: Pick<TaskSpec, 'topics' | 'topicTemplate' | 'examples' | 'shots'> = {};
  const L = LEVER_LIMITS;
  if (raw.topics !== undefined) {
    if (!Array.isArray(raw.topics)) errors.push('topics must be a list of short texts (e.g. ["the acting", "the plot"]).');
    else if (raw.topics.length > L.topics) errors.push(`topics: at most ${L.topics} topics (got ${raw.topics.length}).`);
    else {
      const seen = new Set<string>();
      const topics: string[] = [];
      raw.topics.forEach((t, i) => {
        if (typeof t !== 'string' || t.trim() === '') errors.push(`topics[${i}] must be a non-empty text.`);
        else if (t.length > L.topicChars) errors.push(`topics[${i}] is longer than ${L.topicChars} characters.`);
        else if (seen.has(t.trim().toLowerCase())) errors.push(`topics[${i}]: "${t.trim()}" is listed twice.`);
        else {
          seen.add(t.trim().toLowerCase());
          topics.push(t.trim());
        }
      });
      out.topics = topics;
    }
  }
  if (raw.topicTemplate !== undefined) {
    const t = raw.topicTemplate;
    if (typeof t !== 'string' || !t.includes(TOPIC_PLACEHOLDER)) errors.push(`topicTemplate must be a sentence containing ${TOPIC_PLACEHOLDER}, e.g. "Focus on ${TOPIC_PLACEHOLDER}."`);
    else if (t.length > L.templateChars) errors.push(`topicTemplate is longer than ${L.templateChars} characters.`);
    else out.topicTemplate = t;
  }
  if (raw.shots !== undefined) {
    const k = raw.shots;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > L.shots) errors.push(`shots (examples per prompt) must be a whole number from 0 (off) to ${L.shots}.`);
    else out.shots = k;
  }
  if (raw.examples !== undefined) {
    if (!Array.isArray(raw.examples)) errors.push('examples must be a list of {"text", "label"} objects.');
    else if (raw.examples.length > L.examples) errors.push(`examples: at most ${L.examples} examples (got ${raw.examples.length}); use a smaller file.`);
    else {
      const known = new Set(labelNames);
      const examples: FewShotExample[] = [];
      let bad = 0;
      raw.examples.forEach((e, i) => {
        if (bad >= 5) return;
        const before = errors.length;
        if (!isObject(e)) errors.push(`examples[${i}] must be an object with "text" and "label".`);
        else if (typeof e.text !== 'string' || e.text.trim() === '') errors.push(`examples[${i}]: the text is empty.`);
        else if (e.text.length > L.exampleChars) errors.push(`examples[${i}]: the text is longer than ${L.exampleChars} characters.`);
        else if (typeof e.label !== 'string' || !known.has(e.label.normalize('NFC').trim())) {
          errors.push(`examples[${i}]: label ${JSON.stringify(e.label)} is not a label of this task (labels: ${labelNames.join(', ')}).`);
        } else examples.push({ text: e.text, label: e.label.normalize('NFC').trim() });
        if (errors.length > before) bad++;
      });
      out.examples = examples;
      const k = out.shots ?? DEFAULT_SHOTS;
      if (bad === 0 && k > 0 && examples.length > 0) {
        const missing = labelNames.filter((n) => !examples.some((e) => e.label === n));
        if (missing.length) errors.push(`examples: no example for label(s) ${missing.join(', ')}; every label needs at least one (or set shots to 0).`);
      }
    }
  }
  return out;
}

/** Checks a task (object or JSON text). Unknown extra fields are ignored. */
export function validateTask(x: unknown): { ok: true; task: TaskSpec } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const raw = parseIfString(x, 'Task', errors);
  if (errors.length) return { ok: false, errors };
  if (!isObject(raw)) return { ok: false, errors: ['Task must be a JSON object with "id", "name" and "labels".'] };

  const { id, name, labels, context, selfDebiasDecay, source, promptStyle, systemPrompt, topics, topicTemplate, examples, shots } = raw;
  if (typeof id !== 'string' || id.trim() === '') errors.push('id must be a non-empty string.');
  if (typeof name !== 'string' || name.trim() === '') errors.push('name must be a non-empty string.');
  if (source !== undefined && typeof source !== 'string') errors.push('source must be a string.');
  if (promptStyle !== undefined && promptStyle !== 'continuation' && promptStyle !== 'chat') {
    errors.push(`promptStyle must be "continuation" (base models) or "chat" (instruct models), got ${JSON.stringify(promptStyle)}.`);
  }
  if (systemPrompt !== undefined && typeof systemPrompt !== 'string') errors.push('systemPrompt must be a string.');
  const chat = promptStyle === 'chat';
  const contextStage = context === undefined ? undefined : checkContext(context, errors);
  const hasContext = context !== undefined;

  const checked: LabelSpec[] = [];
  if (!Array.isArray(labels) || labels.length === 0) {
    errors.push('labels must be a non-empty list (a classifier needs at least 2 labels).');
  } else {
    if (labels.length < 2) errors.push('A task needs at least 2 labels.');
    labels.forEach((l, i) => {
      const label = checkLabel(l, i, hasContext, chat, errors);
      if (label) checked.push(label);
    });
    const seen = new Set<string>();
    for (const l of checked) {
      if (seen.has(l.name)) errors.push(`Duplicate label name "${l.name}".`);
      seen.add(l.name);
    }
    for (const l of checked) {
      for (const c of l.counterLabels ?? []) {
        if (c === l.name) errors.push(`label "${l.name}": counterLabels must not contain the label itself.`);
        else if (!seen.has(c)) errors.push(`label "${l.name}": counter label "${c}" is not a label of this task.`);
      }
    }
  }
  if (
    selfDebiasDecay !== undefined &&
    (typeof selfDebiasDecay !== 'number' || !Number.isFinite(selfDebiasDecay) || selfDebiasDecay < 0 || selfDebiasDecay > 10_000)
  ) {
    errors.push('selfDebiasDecay must be a number from 0 (off) to 10000.');
  }
  const levers = checkLevers({ topics, topicTemplate, examples, shots }, checked.map((l) => l.name), errors);
  if (errors.length) return { ok: false, errors };

  const task: TaskSpec = { id: (id as string).trim(), name: (name as string).trim(), labels: checked, ...levers };
  if (contextStage) task.context = contextStage;
  if (selfDebiasDecay !== undefined) task.selfDebiasDecay = selfDebiasDecay as number;
  if (source !== undefined) task.source = source as string;
  if (promptStyle !== undefined) task.promptStyle = promptStyle as TaskSpec['promptStyle'];
  if (systemPrompt !== undefined) task.systemPrompt = systemPrompt as string;
  return { ok: true, task };
}

/**
 * Checks sampling settings (object or JSON text). Missing fields take DEFAULT_SAMPLING's value; present ones must be
 * numbers in SAMPLING_LIMITS (integers where it makes sense), doSample a boolean.
 */
export function validateSampling(x: unknown): { ok: true; sampling: SamplingConfig } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const raw = parseIfString(x, 'Sampling settings', errors);
  if (errors.length) return { ok: false, errors };
  if (!isObject(raw)) return { ok: false, errors: ['Sampling settings must be a JSON object.'] };
  const out: SamplingConfig = { ...DEFAULT_SAMPLING };
  const integers = new Set(['topK', 'maxNewTokens', 'minWords', 'seed', 'batchSize']);
  for (const key of Object.keys(SAMPLING_LIMITS) as (keyof typeof SAMPLING_LIMITS)[]) {
    const v = raw[key];
    if (v === undefined) continue;
    const { min, max } = SAMPLING_LIMITS[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      errors.push(`${key} must be a number (got ${JSON.stringify(v)}).`);
    } else if (integers.has(key) && !Number.isInteger(v)) {
      errors.push(`${key} must be a whole number (got ${v}).`);
    } else if (v < min || v > max) {
      errors.push(`${key} must be between ${min} and ${max} (got ${v}).`);
    } else {
      out[key] = v;
    }
  }
  if (raw.doSample !== undefined) {
    if (typeof raw.doSample !== 'boolean') errors.push('doSample must be true or false.');
    else out.doSample = raw.doSample;
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, sampling: out };
}

/** Checks the number of samples to generate per label. */
export function validatePerLabel(x: unknown): string[] {
  if (typeof x !== 'number' || !Number.isInteger(x)) return [`perLabel must be a whole number (got ${JSON.stringify(x)}).`];
  if (x <= 0) return [`perLabel must be at least 1 (got ${x}).`];
  if (x > 1_000_000) return [`perLabel must be at most 1000000 (got ${x}).`];
  return [];
}
