// The diversity and few-shot levers (Li et al. 2024) in the prompt core: seeded, reproducible choice of a topic and k
// examples per sample; every topic used, equally for every label; a label's prompt never shows another label's
// examples; both prompt styles; user text inserted literally; validation and few-shot files with clear errors.
import { describe, expect, it } from 'vitest';
import { parseFewShotFile } from '../../src/core/generation/few-shot.ts';
import {
  chatMessages,
  continuationPrompt,
  DEFAULT_TOPIC_TEMPLATE,
  drawLevers,
  DEFAULT_SYSTEM_PROMPT,
  shotsOf,
  topicSentence,
  withPromptStyle,
} from '../../src/core/generation/prompt.ts';
import { findTaskPreset } from '../../src/core/tasks/presets.ts';
import type { TaskSpec } from '../../src/core/tasks/types.ts';
import { validateTask } from '../../src/core/tasks/validate.ts';

const sst2 = findTaskPreset('sst-2')!;
const TOPICS = ['the acting', 'the plot', 'the music', 'the ending', 'the pacing'];
const EXAMPLES = [
  { text: 'a joy from start to finish .', label: 'positive' },
  { text: 'warm , funny and wise .', label: 'positive' },
  { text: 'the best film of the year .', label: 'positive' },
  { text: 'a tedious mess .', label: 'negative' },
  { text: 'dull , dull , dull .', label: 'negative' },
  { text: 'nothing works here .', label: 'negative' },
];
const levered: TaskSpec = { ...sst2, topics: TOPICS, topicTemplate: 'Focus on {topic}.', examples: EXAMPLES, shots: 2 };

describe('drawLevers', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const run = (seed: number) => Array.from({ length: 20 }, (_, n) => drawLevers(levered, 'positive', seed, n));
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('uses every topic once per block of topics.length samples, in the same order for every label', () => {
    for (const seed of [0, 1, 42, 2 ** 32 - 1]) {
      const pos = Array.from({ length: 15 }, (_, n) => drawLevers(levered, 'positive', seed, n).topic);
      const neg = Array.from({ length: 15 }, (_, n) => drawLevers(levered, 'negative', seed, n).topic);
      for (let b = 0; b < 3; b++) expect(new Set(pos.slice(b * 5, b * 5 + 5))).toEqual(new Set(TOPICS));
      expect(neg).toEqual(pos); // topics carry no label signal
    }
  });

  it('shows k distinct examples of the label being generated, never another label’s', () => {
    const seen = new Set<string>();
    for (let n = 0; n < 50; n++) {
      for (const label of ['positive', 'negative']) {
        const ex = drawLevers(levered, label, 3, n).examples!;
        expect(ex).toHaveLength(2);
        expect(new Set(ex).size).toBe(2);
        const own = EXAMPLES.filter((e) => e.label === label).map((e) => e.text);
        for (const e of ex) expect(own).toContain(e);
        ex.forEach((e) => seen.add(e));
        const prompt = JSON.stringify(chatMessages(levered, label, { context: 'Alien', ...drawLevers(levered, label, 3, n) }));
        for (const other of EXAMPLES.filter((e) => e.label !== label)) expect(prompt).not.toContain(other.text);
      }
    }
    expect(seen.size).toBe(EXAMPLES.length); // every example gets used
  });

  it('caps k at the pool size, and is off without topics, without examples or with shots 0', () => {
    expect(drawLevers({ ...levered, shots: 8 }, 'negative', 1, 0).examples).toHaveLength(3);
    expect(drawLevers(sst2, 'positive', 1, 0)).toEqual({});
    expect(drawLevers({ ...levered, shots: 0 }, 'positive', 1, 0).examples).toBeUndefined();
    expect(shotsOf({ ...levered, shots: undefined })).toBe(2);
    expect(shotsOf(sst2)).toBe(0);
  });
});

describe('weaving into prompts', () => {
  it('chat: each example as an earlier exchange (same instruction, example as the reply), the topic in the last turn', () => {
    const chat = withPromptStyle(levered, 'chat');
    const ask = 'Write a negative one-sentence review of the movie "Alien".';
    expect(chatMessages(chat, 'negative', { context: 'Alien', topic: 'the music', examples: ['a tedious mess .', 'dull\n.'] })).toEqual([
      { role: 'system', content: DEFAULT_SYSTEM_PROMPT },
      { role: 'user', content: ask },
      { role: 'assistant', content: 'a tedious mess .' },
      { role: 'user', content: ask },
      { role: 'assistant', content: 'dull .' },
      { role: 'user', content: `${ask} Focus on the music.` },
    ]);
    // Without levers the messages are exactly the plain ones.
    expect(chatMessages(chat, 'negative', { context: 'Alien' }).at(-1)!.content).toBe('Write a negative one-sentence review of the movie "Alien".');
  });

  it('continuation: the topic sentence first, each example as a finished sample of the same prompt, then the prompt', () => {
    const p = continuationPrompt(levered, 'positive', { context: 'Up', topic: 'the plot', examples: ['so good .', 'line one\nline two'] });
    const base = 'The movie review in positive sentiment for movie "Up" is: "';
    expect(p).toBe(`Focus on the plot.\n${base}so good ."\n${base}line one line two"\n${base}`);
    expect(continuationPrompt(sst2, 'positive', { context: 'Up' })).toBe(base);
  });

  it('inserts user text literally: placeholders and markup in topics and examples are not expanded', () => {
    const t: TaskSpec = { ...levered, topicTemplate: 'About {topic}.' };
    const msgs = chatMessages(withPromptStyle(t, 'chat'), 'positive', { context: 'X', topic: '{context} <b>{topic}</b>', examples: ['{context} $& $1'] });
    expect(msgs.at(-1)!.content).toContain('About {context} <b>{topic}</b>.');
    expect(msgs[2].content).toBe('{context} $& $1');
    expect(continuationPrompt(t, 'positive', { context: 'X', topic: '$&{topic}', examples: ['{context}'] })).toMatch(/^About \$&\{topic\}\.\n.*"\{context\}"\n/);
    expect(topicSentence({ ...sst2 }, 'cats')).toBe(DEFAULT_TOPIC_TEMPLATE.replace('{topic}', 'cats'));
  });
});

describe('validation of the levers (saved with the run)', () => {
  it('keeps valid levers through a JSON round trip', () => {
    const v = validateTask(JSON.stringify(levered));
    expect(v.ok ? { topics: v.task.topics, t: v.task.topicTemplate, ex: v.task.examples, k: v.task.shots } : v.errors).toEqual({
      topics: TOPICS, t: 'Focus on {topic}.', ex: EXAMPLES, k: 2,
    });
  });

  it('names each problem', () => {
    const errs = (x: object) => {
      const v = validateTask({ ...sst2, ...x });
      return v.ok ? '' : v.errors.join('\n');
    };
    expect(errs({ topics: 'acting' })).toMatch(/topics must be a list/);
    expect(errs({ topics: ['a', ' ', 'A'] })).toMatch(/topics\[1\] must be a non-empty text[\s\S]*topics\[2\]: "A" is listed twice/);
    expect(errs({ topicTemplate: 'no placeholder' })).toMatch(/topicTemplate must be a sentence containing \{topic\}/);
    expect(errs({ shots: 2.5 })).toMatch(/shots .* from 0 \(off\) to 8/);
    expect(errs({ examples: [{ text: 'x', label: 'pos' }] })).toMatch(/examples\[0\]: label "pos" is not a label of this task \(labels: positive, negative\)/);
    expect(errs({ examples: [{ text: 'x', label: 'positive' }] })).toMatch(/no example for label\(s\) negative/);
    expect(errs({ examples: [{ text: 'x', label: 'positive' }], shots: 0 })).toBe('');
    expect(errs({ examples: [{ text: '  ', label: 'positive' }] })).toMatch(/examples\[0\]: the text is empty/);
  });
});

describe('few-shot files', () => {
  const labels = ['positive', 'negative'];
  it('reads JSONL, CSV and TSV with text and label', () => {
    const jsonl = parseFewShotFile('a.jsonl', '{"text":"great","label":"positive"}\n{"text":"bad","label":"negative"}\n', labels);
    const csv = parseFewShotFile('a.csv', 'text,label\n"great, really",positive\nbad,negative\n', labels);
    const tsv = parseFewShotFile('a.tsv', 'label\ttext\npositive\tgreat\nnegative\tbad\n', labels);
    expect(jsonl).toEqual([{ text: 'great', label: 'positive' }, { text: 'bad', label: 'negative' }]);
    expect(csv[0]).toEqual({ text: 'great, really', label: 'positive' });
    expect(tsv).toEqual(jsonl);
  });

  it('gives clear errors: unknown label (with the task’s labels), a label without example, bad JSON, unknown format', () => {
    expect(() => parseFewShotFile('a.jsonl', '{"text":"great","label":"pos"}\n', labels)).toThrow(/Few-shot file a\.jsonl: .*line 1: unknown label "pos"; the task's labels are "positive", "negative"/s);
    expect(() => parseFewShotFile('a.csv', 'text,label\ngreat,positive\n', labels)).toThrow(/Few-shot file a\.csv has no example for label\(s\) "negative"/);
    expect(() => parseFewShotFile('a.jsonl', '{"text": "x"\n', labels)).toThrow(/Few-shot file a\.jsonl: .*line 1: malformed JSON/s);
    expect(() => parseFewShotFile('a.docx', 'x', labels)).toThrow(/Few-shot file a\.docx: .*unknown file type/);
    expect(() => parseFewShotFile('a.csv', 'text,label\n', labels)).toThrow(/no examples/);
  });

  it('picks N per label by seed from a larger file', () => {
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ text: `t${i}`, label: labels[i % 2] })).join('\n');
    const a = parseFewShotFile('big.jsonl', lines, labels, { perLabel: 3, seed: 5 });
    expect(a).toHaveLength(6);
    expect(a.filter((e) => e.label === 'negative')).toHaveLength(3);
    expect(parseFewShotFile('big.jsonl', lines, labels, { perLabel: 3, seed: 5 })).toEqual(a);
    expect(parseFewShotFile('big.jsonl', lines, labels, { perLabel: 3, seed: 6 })).not.toEqual(a);
  });
});
