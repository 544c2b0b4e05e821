// The task-level prompt style: chatMessages() (the stable entry point for anything that speaks chat), validation of
// chat tasks, every preset usable in both styles, the chat reply parse rule, and chat-style generation through a
// real model's chat template (stories260K copied with a ChatML template added; it has none of its own).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureNodeTransformers, NODE_MODEL_BASE } from '../../src/cli/node-env.ts';
import { generateSamples, loadLm, type LoadedLm } from '../../src/core/generation/generator.ts';
import { parseChatReply, parseContextReply } from '../../src/core/generation/parse.ts';
import { chatMessages, continuationPrompt, DEFAULT_SYSTEM_PROMPT, drawLevers, promptStyleOf, withPromptStyle } from '../../src/core/generation/prompt.ts';
import { mixSeed } from '../../src/core/generation/prng.ts';
import { findTaskPreset, TASK_PRESETS } from '../../src/core/tasks/presets.ts';
import type { TaskSpec } from '../../src/core/tasks/types.ts';
import { DEFAULT_SAMPLING, validateTask } from '../../src/core/tasks/validate.ts';

const sst2 = findTaskPreset('sst-2')!;

describe('chatMessages', () => {
  it('gives the default system turn and the label instruction with the context filled', () => {
    expect(chatMessages(sst2, 'positive', { context: ' Alien ' })).toEqual([
      { role: 'system', content: DEFAULT_SYSTEM_PROMPT },
      { role: 'user', content: 'Write a positive one-sentence review of the movie "Alien".' },
    ]);
  });

  it('uses the task system prompt, and sends none when it is empty', () => {
    const task: TaskSpec = {
      id: 't', name: 'T', promptStyle: 'chat', systemPrompt: 'Be brief.',
      labels: [{ name: 'a', prompt: 'A: "', instruction: 'Write A.' }, { name: 'b', prompt: 'B: "', instruction: 'Write B.' }],
    };
    expect(chatMessages(task, 'b')).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Write B.' }]);
    expect(chatMessages({ ...task, systemPrompt: '' }, 'a')).toEqual([{ role: 'user', content: 'Write A.' }]);
  });

  it('names the problem: unknown label, missing context, no instruction', () => {
    expect(() => chatMessages(sst2, 'neutral', { context: 'x' })).toThrow(/no label "neutral".*positive, negative/);
    expect(() => chatMessages(sst2, 'positive')).toThrow(/needs a context/);
    const bare: TaskSpec = { id: 'b', name: 'B', labels: [{ name: 'a', prompt: 'A "' }, { name: 'b', prompt: 'B "' }] };
    expect(() => chatMessages(bare, 'a')).toThrow(/label "a": no instruction/);
    expect(() => withPromptStyle(bare, 'chat')).toThrow(/no instruction for label\(s\) a, b/);
  });
});

describe('prompt style in tasks', () => {
  it('defaults to continuation; every preset validates in both styles and has an instruction per label', () => {
    for (const preset of TASK_PRESETS) {
      expect(promptStyleOf(preset)).toBe('continuation');
      const chat = withPromptStyle(preset, 'chat');
      const v = validateTask(JSON.parse(JSON.stringify(chat)));
      expect(v.ok ? v.task.promptStyle : v.errors).toBe('chat');
      for (const label of preset.labels) {
        const ctx = preset.context ? 'Some Title' : undefined;
        const user = chatMessages(chat, label.name, { context: ctx }).at(-1)!.content;
        expect(user).toMatch(/^(Write|Name)/);
        if (ctx) expect(user).toContain(ctx);
      }
    }
  });

  it('keeps promptStyle, systemPrompt and instructions through validation (they are saved with the run)', () => {
    const v = validateTask(JSON.stringify(withPromptStyle({ ...sst2, systemPrompt: 'S' }, 'chat')));
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.task.promptStyle).toBe('chat');
    expect(v.task.systemPrompt).toBe('S');
    expect(v.task.labels[0].instruction).toBe('Write a positive one-sentence review of the movie "{context}".');
    expect(v.task.context?.instruction).toBe('Name one movie. Reply with its title only.');
  });

  it('rejects a bad style, a chat label without instruction and a misplaced {context}', () => {
    const base = { id: 'x', name: 'X', labels: [{ name: 'a', prompt: 'A "' }, { name: 'b', prompt: 'B "', instruction: 'Write {context}.' }] };
    const v = validateTask({ ...base, promptStyle: 'chatty' });
    expect(v.ok ? [] : v.errors.join('\n')).toMatch(/promptStyle must be "continuation".*"chatty"/);
    const w = validateTask({ ...base, promptStyle: 'chat' });
    const errors = w.ok ? '' : w.errors.join('\n');
    expect(errors).toMatch(/label "a": the chat prompt style needs an "instruction"/);
    expect(errors).toMatch(/label "b": instruction contains \{context\} but the task has no context stage/);
  });
});

describe('parseChatReply', () => {
  it('keeps the first line, drops preambles and wrapping quotes', () => {
    expect(parseChatReply('"A warm, funny film."', 3)).toEqual({ ok: true, text: 'A warm, funny film.' });
    expect(parseChatReply('\nHere is a positive review: What a joy to watch!\nSecond paragraph.', 3)).toEqual({
      ok: true,
      text: 'What a joy to watch!',
    });
    expect(parseChatReply('Review: "Dull and far too long."', 3)).toEqual({ ok: true, text: 'Dull and far too long.' });
    expect(parseChatReply('He said "wow" twice and left.', 3)).toEqual({ ok: true, text: 'He said "wow" twice and left.' });
  });

  it('drops an unfinished last sentence only when the reply was cut by the token limit', () => {
    expect(parseChatReply('Great cast. The plot never', 2, true)).toEqual({ ok: true, text: 'Great cast.' });
    expect(parseChatReply('Great cast. The plot never', 2, false)).toEqual({ ok: true, text: 'Great cast. The plot never' });
    expect(parseChatReply('  \n ', 1)).toEqual({ ok: false, reason: 'empty' });
    expect(parseChatReply('Too short', 3)).toEqual({ ok: false, reason: 'tooShort' });
  });
});

describe('parseContextReply', () => {
  it('keeps a quoted title, else the head of the first line', () => {
    const t = (raw: string) => {
      const r = parseContextReply(raw);
      return r.ok ? r.text : r.reason;
    };
    expect(t('One movie I\'m talking about is "Titanic" by Michael B.')).toBe('Titanic');
    expect(t('Sibling - Who am I kiddo??')).toBe('Sibling');
    expect(t('The Lord of the Arucco: A classic re-imagine of')).toBe('The Lord of the Arucco');
    expect(t('**Inception**.')).toBe('Inception');
    expect(t('Cinemax is a great example of talented cinematographer Jerome Kern and more')).toBe('Cinemax is a great example of talented cinematographer');
    expect(t('  \n')).toBe('empty');
  });
});

describe('chat-style generation through a real chat template', () => {
  let dir: string;
  let lm: LoadedLm;
  let plain: LoadedLm;
  const CHATML =
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}" +
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'chat-model-'));
    cpSync(path.join(NODE_MODEL_BASE, 'karpathy', 'stories260K'), path.join(dir, 'test', 'chat260K'), { recursive: true });
    const cfgPath = path.join(dir, 'test', 'chat260K', 'tokenizer_config.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
    writeFileSync(cfgPath, JSON.stringify({ ...cfg, chat_template: CHATML }));
    configureNodeTransformers({ localModelPath: dir + path.sep });
    lm = await loadLm({ modelId: 'test/chat260K', device: 'cpu' });
    configureNodeTransformers();
    plain = await loadLm({ modelId: 'karpathy/stories260K', device: 'cpu' });
  });
  afterAll(async () => {
    await lm?.dispose();
    await plain?.dispose();
    configureNodeTransformers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('encodes the template with the assistant turn open and generates samples for every label, reproducibly', async () => {
    expect(lm.internals.hasChatTemplate).toBe(true);
    const ids = lm.internals.encodeChat([{ role: 'user', content: 'Hi' }]);
    expect(lm.internals.decode(ids)).toContain('assistant');
    const task = withPromptStyle(findTaskPreset('happy-sad-stories')!, 'chat');
    const sampling = { ...DEFAULT_SAMPLING, minWords: 1, maxNewTokens: 24, seed: 3 };
    const run = async () => {
      const texts: string[] = [];
      const r = await generateSamples(lm, { task, perLabel: 3, sampling, onSamples: (b) => void texts.push(...b.map((x) => x.text)) });
      return { r, texts };
    };
    const a = await run();
    expect(a.r.acceptedByLabel).toEqual({ happy: 3, sad: 3 });
    expect((await run()).texts).toEqual(a.texts);
    for (const t of a.texts) expect(t).not.toMatch(/\n|<\|im_/);
  });

  it('weaves topics and few-shot examples into the prompts the model is given, in both styles, reproducibly', async () => {
    const base: TaskSpec = {
      ...findTaskPreset('happy-sad-stories')!,
      topics: ['the park', 'the sea', 'the farm'],
      topicTemplate: 'The story takes place at {topic}.',
      examples: [
        { text: 'I love my new ball!', label: 'happy' }, { text: 'What a sunny day!', label: 'happy' },
        { text: 'My toy is broken.', label: 'sad' }, { text: 'I lost my kitten.', label: 'sad' },
      ],
      shots: 1,
    };
    const sampling = { ...DEFAULT_SAMPLING, minWords: 1, maxNewTokens: 16, seed: 5, batchSize: 4 };
    for (const [model, style] of [[plain, 'continuation'], [lm, 'chat']] as const) {
      const task = withPromptStyle(base, style);
      const seen: string[] = [];
      const I = model.internals;
      const { encode, encodeChat } = I;
      I.encode = (t: string) => (seen.push(t), encode.call(I, t));
      I.encodeChat = (m) => (seen.push(JSON.stringify(m)), encodeChat.call(I, m));
      const run = async () => {
        const texts: string[] = [];
        const r = await generateSamples(model, { task, perLabel: 3, sampling, onSamples: (b) => void texts.push(...b.map((x) => x.text)) });
        return { r, texts };
      };
      try {
        const a = await run();
        expect(a.r.acceptedByLabel).toEqual({ happy: 3, sad: 3 });
        expect((await run()).texts).toEqual(a.texts);
      } finally {
        I.encode = encode;
        I.encodeChat = encodeChat;
      }
      for (const label of ['happy', 'sad']) {
        const vars = drawLevers(task, label, mixSeed(5, 0), 0);
        expect(vars.topic).toBeDefined();
        const expected = style === 'chat' ? JSON.stringify(chatMessages(task, label, vars)) : continuationPrompt(task, label, vars);
        expect(seen).toContain(expected);
      }
      for (const p of seen) expect(p).toMatch(/The story takes place at the (park|sea|farm)\./);
      expect(seen.some((p) => p.includes('I lost my kitten.') && p.includes('I love my new ball!'))).toBe(false);
    }
  });

  it('refuses the chat style on a model without a chat template, naming the fix', async () => {
    expect(plain.internals.hasChatTemplate).toBe(false);
    const task = withPromptStyle(findTaskPreset('happy-sad-stories')!, 'chat');
    await expect(generateSamples(plain, { task, perLabel: 1, sampling: DEFAULT_SAMPLING })).rejects.toThrow(
      /karpathy\/stories260K" has no chat template.*continuation prompt style/,
    );
  });
});

describe('model/task suitability and the page form', () => {
  it('warns for the story model with a movie-review task, not for its own task or for SmolLM2', async () => {
    const { findCatalogEntry, modelTaskWarning } = await import('../../src/core/models/catalog.ts');
    const stories = findCatalogEntry('karpathy/stories260K')!;
    const smol = findCatalogEntry('HuggingFaceTB/SmolLM2-135M-Instruct')!;
    expect(modelTaskWarning(stories, sst2)).toMatch(/children's stories.*"SST-2 \(movie review sentences\)".*SmolLM2 135M Instruct/);
    expect(modelTaskWarning(stories, findTaskPreset('happy-sad-stories')!)).toBeNull();
    expect(modelTaskWarning(smol, sst2)).toBeNull();
  });

  it('resolves the prompt style from the model (auto) or the user, and names the problem for chat without instructions', async () => {
    const { defaultSetupForm, parseSetup } = await import('../../src/ui/generate/setup-form.ts');
    const form = { ...defaultSetupForm(), presetId: 'sst-2' };
    const base = parseSetup(form);
    expect(base.ok && base.setup.task.promptStyle).toBe('continuation');
    const smol = parseSetup({ ...form, modelId: 'HuggingFaceTB/SmolLM2-135M-Instruct' });
    expect(smol.ok && smol.setup.task.promptStyle).toBe('chat');
    const forced = parseSetup({ ...form, modelId: 'HuggingFaceTB/SmolLM2-135M-Instruct', promptStyle: 'continuation' });
    expect(forced.ok && forced.setup.task.promptStyle).toBe('continuation');
    const custom = JSON.stringify({ id: 'c', name: 'C', labels: [{ name: 'a', prompt: 'A "' }, { name: 'b', prompt: 'B "' }] });
    const bad = parseSetup({ ...form, taskMode: 'custom', customJson: custom, promptStyle: 'chat' });
    expect(bad.ok ? [] : bad.errors.join('\n')).toMatch(/Prompt style: .*no instruction for label\(s\) a, b/);
  });
});
