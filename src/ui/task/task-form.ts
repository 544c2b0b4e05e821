// The Task step's raw input (a preset, or a custom task as JSON) and its parsing into a TaskSpec with readable
// messages. Nothing is generated or stored unless the task is valid.
import type { TaskSpec } from '../../core/tasks/types.ts';
import { validateTask } from '../../core/tasks/validate.ts';
import { DEFAULT_TASK_ID, TASK_PRESETS } from '../../core/tasks/presets.ts';

export interface TaskForm {
  taskMode: 'preset' | 'custom';
  presetId: string;
  customJson: string;
}

export function defaultTaskForm(): TaskForm {
  return {
    taskMode: 'preset',
    presetId: TASK_PRESETS.some((t) => t.id === DEFAULT_TASK_ID) ? DEFAULT_TASK_ID : (TASK_PRESETS[0]?.id ?? ''),
    customJson: JSON.stringify(TASK_PRESETS.find((t) => t.id === DEFAULT_TASK_ID) ?? TASK_PRESETS[0], null, 2),
  };
}

/** The task from a preset id or pasted JSON. */
export function parseTask(form: TaskForm): { ok: true; task: TaskSpec } | { ok: false; errors: string[] } {
  if (form.taskMode === 'preset') {
    const task = TASK_PRESETS.find((t) => t.id === form.presetId);
    return task ? { ok: true, task } : { ok: false, errors: [`Unknown preset "${form.presetId}"`] };
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
