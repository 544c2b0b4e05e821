// The Task step's raw input: a form (task name, labels with their prompts, started from a preset) or, for power
// users, the task as JSON; and its parsing into a TaskSpec. Problems are reported per field so the form can show
// each message next to its field; nothing is generated or stored unless the task is valid. The optional diversity
// and few-shot levers (topics woven into the prompts, k examples per prompt) are part of the draft too.
import type { LabelSpec, TaskSpec } from '../../core/tasks/types.ts';
import { CONTEXT_PLACEHOLDER, DEFAULT_SHOTS, LEVER_LIMITS, TOPIC_PLACEHOLDER, validateTask } from '../../core/tasks/validate.ts';
import { DEFAULT_TASK_ID, TASK_PRESETS } from '../../core/tasks/presets.ts';

/** One label as typed in the form. */
export interface LabelDraft {
  name: string;
  prompt: string;
  /** The user turn for chat-style tasks. */
  instruction?: string;
}

/** One few-shot example as typed or read from a file. */
export interface ExampleDraft {
  text: string;
  label: string;
}

/**
 * The task as edited in the form: everything but the labels, name and levers comes from the preset it started from.
 * The lever fields are optional so that a form saved by an older page still loads.
 */
export interface TaskDraft {
  name: string;
  labels: LabelDraft[];
  /** The preset this draft started from (its context stage, prompt style, debiasing are kept). */
  basePresetId: string;
  /** Diversity lever: topics, one woven into each sample's prompt. Empty: off. */
  topics?: string[];
  /** The sentence carrying the topic (must contain {topic}); empty: the default sentence. */
  topicTemplate?: string;
  /** Few-shot lever: examples per label. Empty: off. */
  examples?: ExampleDraft[];
  /** Examples per prompt, as typed. */
  shots?: string;
}

export interface TaskForm {
  /** 'preset': the form (started from a preset); 'custom': the JSON view. Names kept for stored forms. */
  taskMode: 'preset' | 'custom';
  presetId: string;
  customJson: string;
  draft: TaskDraft;
}

export function draftFromTask(task: TaskSpec, basePresetId: string): TaskDraft {
  return {
    name: task.name,
    basePresetId,
    labels: task.labels.map((l) => ({ name: l.name, prompt: l.prompt, ...(l.instruction !== undefined ? { instruction: l.instruction } : {}) })),
    topics: [...(task.topics ?? [])],
    topicTemplate: task.topicTemplate ?? '',
    examples: (task.examples ?? []).map((e) => ({ text: e.text, label: e.label })),
    shots: String(task.shots ?? DEFAULT_SHOTS),
  };
}

function defaultPreset(): TaskSpec {
  return TASK_PRESETS.find((t) => t.id === DEFAULT_TASK_ID) ?? TASK_PRESETS[0];
}

export function defaultTaskForm(): TaskForm {
  const preset = defaultPreset();
  return { taskMode: 'preset', presetId: preset.id, customJson: JSON.stringify(preset, null, 2), draft: draftFromTask(preset, preset.id) };
}

function slug(s: string): string {
  return s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

/** The TaskSpec a draft stands for (not yet validated). Unchanged preset → the preset itself (same id). */
export function taskFromDraft(draft: TaskDraft): TaskSpec {
  const base = TASK_PRESETS.find((t) => t.id === draft.basePresetId);
  const labelNames = draft.labels.map((l) => l.name.trim());
  const labels: LabelSpec[] = draft.labels.map((l, i) => {
    const before = base?.labels.find((b) => b.name === l.name.trim()) ?? base?.labels[i];
    const out: LabelSpec = { name: l.name.trim(), prompt: l.prompt };
    if (l.instruction !== undefined) out.instruction = l.instruction;
    // Counter labels (self-debiasing) only when they still name labels of this task.
    const counter = before?.counterLabels?.filter((c) => labelNames.includes(c) && c !== out.name);
    if (counter?.length) out.counterLabels = counter;
    return out;
  });
  const task: TaskSpec = { ...(base ?? {}), id: base?.id ?? 'custom', name: draft.name.trim(), labels } as TaskSpec;
  const topics = draft.topics ?? [];
  if (topics.length > 0) {
    task.topics = topics.map((t) => t.trim());
    const template = (draft.topicTemplate ?? '').trim();
    if (template) task.topicTemplate = template;
    else delete task.topicTemplate;
  } else {
    delete task.topics;
    delete task.topicTemplate;
  }
  const examples = draft.examples ?? [];
  if (examples.length > 0) {
    task.examples = examples.map((e) => ({ text: e.text.trim(), label: e.label }));
    const k = Number((draft.shots ?? '').trim());
    task.shots = (draft.shots ?? '').trim() === '' ? DEFAULT_SHOTS : k;
  } else {
    delete task.examples;
    delete task.shots;
  }
  const same = base && JSON.stringify(task) === JSON.stringify(base);
  if (!same) {
    task.id = slug(draft.name) ? `custom-${slug(draft.name)}` : 'custom-task';
    delete task.source;
  }
  return task;
}

/** A message for one field of the form. */
export type FieldErrors = Record<string, string>;

/**
 * Field-level problems of a draft: keys 'name', 'labels', 'label-<i>-name', 'label-<i>-prompt', 'label-<i>-instruction',
 * and for the levers 'topic-<i>', 'topic-template', 'topics', 'shots', 'example-<i>-text', 'example-<i>-label', 'examples'.
 */
export function checkDraft(draft: TaskDraft): FieldErrors {
  const errors: FieldErrors = {};
  const base = TASK_PRESETS.find((t) => t.id === draft.basePresetId);
  const hasContext = base?.context !== undefined;
  const chat = base?.promptStyle === 'chat';
  if (!draft.name.trim()) errors.name = 'Give the task a name.';
  if (draft.labels.length < 2) errors.labels = 'A classifier needs at least 2 labels.';
  const seen = new Map<string, number>();
  draft.labels.forEach((l, i) => {
    const name = l.name.trim();
    if (!name) errors[`label-${i}-name`] = l.name.length ? 'A label name cannot be only spaces.' : 'Give this label a name.';
    else if (seen.has(name.toLowerCase())) errors[`label-${i}-name`] = `“${name}” is already label ${seen.get(name.toLowerCase())! + 1}; label names must differ.`;
    else seen.set(name.toLowerCase(), i);
    if (!l.prompt.trim()) errors[`label-${i}-prompt`] = 'Write the text the model should continue.';
    else if (hasContext && !l.prompt.includes(CONTEXT_PLACEHOLDER)) errors[`label-${i}-prompt`] = `This task first generates a context: the prompt must contain ${CONTEXT_PLACEHOLDER} where it goes.`;
    else if (!hasContext && l.prompt.includes(CONTEXT_PLACEHOLDER)) errors[`label-${i}-prompt`] = `${CONTEXT_PLACEHOLDER} only works in tasks with a context stage; remove it.`;
    if (chat && !(l.instruction ?? '').trim()) errors[`label-${i}-instruction`] = 'Chat-style tasks need an instruction for each label.';
  });
  checkLeverDraft(draft, errors);
  return errors;
}

function checkLeverDraft(draft: TaskDraft, errors: FieldErrors): void {
  const L = LEVER_LIMITS;
  const topics = draft.topics ?? [];
  const seenTopics = new Map<string, number>();
  topics.forEach((t, i) => {
    const key = t.trim().toLowerCase();
    if (!key) errors[`topic-${i}`] = 'Write a topic or remove it.';
    else if (t.length > L.topicChars) errors[`topic-${i}`] = `Keep a topic under ${L.topicChars} characters.`;
    else if (seenTopics.has(key)) errors[`topic-${i}`] = `“${t.trim()}” is already topic ${seenTopics.get(key)! + 1}.`;
    else seenTopics.set(key, i);
  });
  if (topics.length > L.topics) errors.topics = `At most ${L.topics} topics.`;
  const template = (draft.topicTemplate ?? '').trim();
  if (topics.length > 0 && template && !template.includes(TOPIC_PLACEHOLDER)) {
    errors['topic-template'] = `The sentence must contain ${TOPIC_PLACEHOLDER} where the topic goes (e.g. “Focus on ${TOPIC_PLACEHOLDER}.”).`;
  } else if (template.length > L.templateChars) errors['topic-template'] = `Keep the sentence under ${L.templateChars} characters.`;

  const examples = draft.examples ?? [];
  if (examples.length === 0) return;
  const names = draft.labels.map((l) => l.name.trim()).filter(Boolean);
  examples.forEach((e, i) => {
    if (!e.text.trim()) errors[`example-${i}-text`] = 'Write the example text or remove it.';
    else if (e.text.length > L.exampleChars) errors[`example-${i}-text`] = `Keep an example under ${L.exampleChars} characters.`;
    if (!names.includes(e.label)) errors[`example-${i}-label`] = e.label ? `“${e.label}” is not one of this task's labels; pick one.` : 'Pick the label of this example.';
  });
  if (examples.length > L.examples) errors.examples = `At most ${L.examples} examples.`;
  const shotsText = (draft.shots ?? '').trim();
  const k = shotsText === '' ? DEFAULT_SHOTS : Number(shotsText);
  if (!Number.isInteger(k) || k < 0 || k > L.shots) errors.shots = `Examples per prompt must be a whole number from 0 (off) to ${L.shots}.`;
  else if (k > 0 && !errors.examples) {
    const missing = names.filter((n) => !examples.some((e) => e.label === n));
    if (missing.length) errors.examples = `Every label needs at least one example (none yet for ${missing.map((m) => `“${m}”`).join(', ')}), or set examples per prompt to 0.`;
  }
}

/** The task from the form or the JSON view. */
export function parseTask(form: TaskForm): { ok: true; task: TaskSpec } | { ok: false; errors: string[] } {
  if (form.taskMode === 'preset') {
    const fields = checkDraft(form.draft);
    if (Object.keys(fields).length) return { ok: false, errors: Object.values(fields).map((m) => `Task: ${m}`) };
    const checked = validateTask(taskFromDraft(form.draft));
    return checked.ok ? checked : { ok: false, errors: checked.errors.map((m) => `Task: ${m}`) };
  }
  if (form.customJson.trim() === '') return { ok: false, errors: ['Custom task: paste a task as JSON'] };
  let value: unknown;
  try {
    value = JSON.parse(form.customJson);
  } catch (e) {
    return { ok: false, errors: [`Custom task is not valid JSON: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const checked = validateTask(value);
  return checked.ok ? checked : { ok: false, errors: checked.errors.map((m) => `Custom task: ${m}`) };
}
