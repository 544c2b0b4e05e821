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

  it('turns topics and examples typed in the form into the task’s levers (validated, so saved with the run)', () => {
    const form = defaultTaskForm();
    form.draft.topics = [' a garden ', 'the <b>sea</b>'];
    form.draft.topicTemplate = 'The story takes place in {topic}.';
    form.draft.examples = [{ text: 'I love it!', label: 'happy' }, { text: 'I miss my dog.', label: 'sad' }];
    form.draft.shots = '1';
    const parsed = parseTask(form);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.task.topics).toEqual(['a garden', 'the <b>sea</b>']);
    expect(parsed.task.topicTemplate).toBe('The story takes place in {topic}.');
    expect(parsed.task.examples).toEqual([{ text: 'I love it!', label: 'happy' }, { text: 'I miss my dog.', label: 'sad' }]);
    expect(parsed.task.shots).toBe(1);
    expect(parsed.task.id).toMatch(/^custom-/);
    // Back to the form (e.g. from the JSON view) keeps them.
    const again = draftFromTask(parsed.task, form.draft.basePresetId);
    expect(taskFromDraft(again)).toEqual(parsed.task);
    // Emptied lists switch the levers off again: the untouched preset comes back.
    form.draft.topics = [];
    form.draft.examples = [];
    const off = parseTask(form);
    expect(off.ok && off.task).toEqual(TASK_PRESETS.find((t) => t.id === form.presetId));
  });

  it('names the lever field at fault', () => {
    const draft = defaultTaskForm().draft;
    draft.topics = ['beach', ' ', 'Beach'];
    draft.topicTemplate = 'no placeholder';
    draft.examples = [{ text: '', label: 'happy' }, { text: 'x', label: 'joyful' }];
    draft.shots = '9';
    const e = checkDraft(draft);
    expect(e['topic-1']).toMatch(/Write a topic or remove it/);
    expect(e['topic-2']).toMatch(/already topic 1/);
    expect(e['topic-template']).toMatch(/must contain \{topic\}/);
    expect(e['example-0-text']).toMatch(/Write the example text/);
    expect(e['example-1-label']).toMatch(/“joyful” is not one of this task's labels/);
    expect(e.shots).toMatch(/from 0 \(off\) to 8/);
    draft.shots = '2';
    draft.examples = [{ text: 'yay', label: 'happy' }];
    expect(checkDraft(draft).examples).toMatch(/none yet for “sad”/);
    draft.shots = '0';
    expect(checkDraft(draft).examples).toBeUndefined();
  });
});
