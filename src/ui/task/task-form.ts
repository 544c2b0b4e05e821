// The Task step's raw input: a form (task name, labels with their prompts, started from a preset) or, for power
// users, the task as JSON; and its parsing into a TaskSpec. Problems are reported per field so the form can show
// each message next to its field; nothing is generated or stored unless the task is valid.
import type { LabelSpec, TaskSpec } from '../../core/tasks/types.ts';
import { CONTEXT_PLACEHOLDER, validateTask } from '../../core/tasks/validate.ts';
import { DEFAULT_TASK_ID, TASK_PRESETS } from '../../core/tasks/presets.ts';

/** One label as typed in the form. */
export interface LabelDraft {
  name: string;
  prompt: string;
  /** The user turn for chat-style tasks. */
  instruction?: string;
}

/** The task as edited in the form: everything but the labels and name comes from the preset it started from. */
export interface TaskDraft {
  name: string;
  labels: LabelDraft[];
  /** The preset this draft started from (its context stage, prompt style, debiasing are kept). */
  basePresetId: string;
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
  const same = base && JSON.stringify(task) === JSON.stringify(base);
  if (!same) {
    task.id = slug(draft.name) ? `custom-${slug(draft.name)}` : 'custom-task';
    delete task.source;
  }
  return task;
}

/** A message for one field of the form. */
export type FieldErrors = Record<string, string>;

/** Field-level problems of a draft: keys 'name', 'labels', 'label-<i>-name', 'label-<i>-prompt', 'label-<i>-instruction'. */
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
  return errors;
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
