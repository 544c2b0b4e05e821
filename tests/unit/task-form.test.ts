// The Task step's form: bad input (empty, space-only or duplicate label names, a prompt without its placeholder)
// gets a message for that field; an untouched preset stays the preset; an edited one becomes a valid custom task.
import { describe, expect, it } from 'vitest';
import { TASK_PRESETS } from '../../src/core/tasks/presets.ts';
import { validateTask } from '../../src/core/tasks/validate.ts';
import { checkDraft, defaultTaskForm, draftFromTask, parseTask, taskFromDraft } from '../../src/ui/task/task-form.ts';

describe('task form', () => {
  it('keeps an untouched preset as it is', () => {
    const form = defaultTaskForm();
    const parsed = parseTask(form);
    expect(parsed.ok && parsed.task).toEqual(TASK_PRESETS.find((t) => t.id === form.presetId));
  });

  it('turns an edited draft into a valid custom task, keeping counter labels that still exist', () => {
    const form = defaultTaskForm();
    form.draft.name = 'Cats vs <b>dogs</b>';
    form.draft.labels[0].name = 'cat';
    form.draft.labels.push({ name: 'bird', prompt: 'The bird sang and said, "' });
    const parsed = parseTask(form);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.task.id).toBe('custom-cats-vs-b-dogs-b');
    expect(parsed.task.name).toBe('Cats vs <b>dogs</b>');
    expect(parsed.task.labels.map((l) => l.name)).toEqual(['cat', 'sad', 'bird']);
    expect(validateTask(parsed.task).ok).toBe(true);
    for (const l of parsed.task.labels) for (const c of l.counterLabels ?? []) expect(['cat', 'sad', 'bird']).toContain(c);
  });

  it('names the field at fault for each bad input', () => {
    const form = defaultTaskForm();
    form.draft.name = '   ';
    form.draft.labels = [
      { name: '', prompt: 'x "' },
      { name: '   ', prompt: 'y "' },
      { name: 'Happy', prompt: 'z "' },
      { name: 'happy ', prompt: '' },
    ];
    const errors = checkDraft(form.draft);
    expect(errors.name).toMatch(/name/);
    expect(errors['label-0-name']).toMatch(/Give this label a name/);
    expect(errors['label-1-name']).toMatch(/only spaces/);
    expect(errors['label-3-name']).toMatch(/already label 3/);
    expect(errors['label-3-prompt']).toMatch(/Write the text/);
    expect(parseTask(form).ok).toBe(false);
  });

  it('asks for {context} in tasks with a context stage, and rejects it elsewhere', () => {
    const imdb = TASK_PRESETS.find((t) => t.context)!;
    const draft = draftFromTask(imdb, imdb.id);
    draft.labels[0].prompt = 'A review without its placeholder: "';
    expect(checkDraft(draft)['label-0-prompt']).toMatch(/must contain \{context\}/);
    const plain = defaultTaskForm().draft;
    plain.labels[0].prompt = 'About {context}: "';
    expect(checkDraft(plain)['label-0-prompt']).toMatch(/only works in tasks with a context stage/);
    expect(checkDraft({ ...plain, labels: plain.labels.slice(0, 1) }).labels).toMatch(/at least 2 labels/);
  });

  it('round-trips a preset through the draft', () => {
    for (const preset of TASK_PRESETS) expect(taskFromDraft(draftFromTask(preset, preset.id))).toEqual(preset);
  });
});
