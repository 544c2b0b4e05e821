// Fills a task's prompts. Continuation style (ZeroGen, base models): the label's template, where the only placeholder
// is `{context}` (the papers' `<C>` / `<X1>`), filled with a generated or fixed context (e.g. a movie title or a
// product category). Chat style (instruct models): a list of chat messages (system turn + the label's instruction as
// the user turn) that the model's chat template, or an OpenAI-compatible server, turns into a prompt.
// Both styles carry the optional diversity and few-shot levers (Li et al. 2024): a topic sentence and k examples of
// the label being generated, chosen per sample from the run seed (drawLevers), so a run is reproducible.
import type { ChatMessage, FewShotExample, LabelSpec, PromptStyle, TaskSpec } from '../tasks/types.ts';
import { CONTEXT_PLACEHOLDER, DEFAULT_SHOTS, DEFAULT_TOPIC_TEMPLATE, TOPIC_PLACEHOLDER } from '../tasks/validate.ts';
import { mixSeed, mulberry32 } from './prng.ts';

export { CONTEXT_PLACEHOLDER, DEFAULT_SHOTS, DEFAULT_TOPIC_TEMPLATE, TOPIC_PLACEHOLDER };
export type { ChatMessage, FewShotExample, PromptStyle };

/** The system turn of chat-style tasks that do not set `systemPrompt`. */
export const DEFAULT_SYSTEM_PROMPT =
  'You write short, realistic example texts exactly as asked. Reply with the text only: no title, no preamble, no quotes.';

/** Replaces every `{context}` in the template. Throws when a context is given but the template has no placeholder. */
export function fillPrompt(template: string, context?: string): string {
  const has = template.includes(CONTEXT_PLACEHOLDER);
  if (context === undefined) {
    if (has) throw new Error(`Prompt template needs a context but none was given: ${JSON.stringify(template)}`);
    return template;
  }
  if (!has) throw new Error(`Prompt template has no ${CONTEXT_PLACEHOLDER} placeholder: ${JSON.stringify(template)}`);
  return template.split(CONTEXT_PLACEHOLDER).join(context.trim());
}

/** The task's prompt style ('continuation' when the task does not say). */
export function promptStyleOf(task: TaskSpec): PromptStyle {
  return task.promptStyle ?? 'continuation';
}

/** Values filled into a label's prompt or instruction. */
export interface PromptVars {
  /** The context (e.g. movie title) for tasks with a context stage; required exactly when the task has one. */
  context?: string;
  /** Diversity lever: the topic of this sample (see drawLevers); woven in through the task's topic template. */
  topic?: string;
  /** Few-shot lever: example texts of the label being generated, shown before the request. */
  examples?: string[];
}

/** The levers drawn for one sample. */
export interface PromptLevers {
  topic?: string;
  examples?: string[];
}

const TOPIC_STREAM = 0x746f7063; // 'topc'
const SHOTS_STREAM = 0x73686f74; // 'shot'

/** A seeded permutation of 0..n-1 (Fisher–Yates). */
function permutation(n: number, seed: number): number[] {
  const rng = mulberry32(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** k shown per prompt: the task's `shots`, DEFAULT_SHOTS when it has examples but no count, 0 without examples. */
export function shotsOf(task: TaskSpec): number {
  if (!task.examples || task.examples.length === 0) return 0;
  return task.shots ?? DEFAULT_SHOTS;
}

/** The examples of one label (the only ones its prompts may show). */
export function examplesOf(task: TaskSpec, labelName: string): FewShotExample[] {
  return (task.examples ?? []).filter((e) => e.label === labelName);
}

/**
 * The topic and examples for the `n`-th sample (0-based, counted per label) of `labelName` in a run with `seed`.
 * Topics go through a fresh seeded permutation every `topics.length` samples, so each block of that many samples of
 * a label uses every topic once, and the topic sequence is the same for every label (topics carry no label signal;
 * self-debiasing counter-prompts get the same topic). Examples: `shots` distinct examples of this label only, in a
 * seeded order. Same inputs → same levers, in the page, in workers, in Node and against a server.
 */
export function drawLevers(task: TaskSpec, labelName: string, seed: number, n: number): PromptLevers {
  const out: PromptLevers = {};
  const topics = task.topics ?? [];
  if (topics.length > 0) {
    const block = Math.floor(n / topics.length);
    out.topic = topics[permutation(topics.length, mixSeed(seed ^ TOPIC_STREAM, block))[n % topics.length]];
  }
  const k = shotsOf(task);
  const pool = k > 0 ? examplesOf(task, labelName) : [];
  if (pool.length > 0) {
    const labelIndex = task.labels.findIndex((l) => l.name === labelName);
    const order = permutation(pool.length, mixSeed(mixSeed(seed ^ SHOTS_STREAM, labelIndex), n));
    out.examples = order.slice(0, Math.min(k, pool.length)).map((i) => pool[i].text);
  }
  return out;
}

/** The topic sentence for `topic` (the task's template, or the default). User text is inserted, never expanded. */
export function topicSentence(task: TaskSpec, topic: string): string {
  return (task.topicTemplate ?? DEFAULT_TOPIC_TEMPLATE).split(TOPIC_PLACEHOLDER).join(topic.trim());
}

/** Example texts on one line each (a newline inside an example would read as the end of a sample). */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The continuation prompt (ZeroGen style) for one sample: the topic sentence on its own line, then each example as a
 * finished sample of the same prompt (`…is: "example"`), then the label's prompt that the model continues.
 */
export function continuationPrompt(task: TaskSpec, labelName: string, vars: PromptVars = {}): string {
  const label = task.labels.find((l) => l.name === labelName);
  if (!label) {
    throw new Error(`Task "${task.id}" has no label "${labelName}" (labels: ${task.labels.map((l) => l.name).join(', ')}).`);
  }
  const prompt = fillPrompt(label.prompt, vars.context);
  const head = vars.topic !== undefined ? `${topicSentence(task, vars.topic)}\n` : '';
  const shots = (vars.examples ?? []).map((e) => `${prompt}${oneLine(e)}"\n`).join('');
  return head + shots + prompt;
}

/**
 * The chat messages for one sample of label `labelName` of `task`: a system turn (the task's `systemPrompt`, or
 * DEFAULT_SYSTEM_PROMPT; none when it is the empty string), then the label's `instruction` as the user turn with
 * `{context}` filled, then the topic sentence when `vars.topic` is set. With `vars.examples`, each example comes first
 * as an earlier exchange: the same instruction (same context, no topic) answered by the example. The assistant turn
 * after the last user turn is what the model writes. This is the stable entry point for anything that
 * speaks chat (the generator through the model's chat template, an OpenAI-compatible `/v1/chat/completions` client).
 * Throws a clear error for an unknown label, a label without an instruction, or a missing/unexpected context.
 */
export function chatMessages(task: TaskSpec, labelName: string, vars: PromptVars = {}): ChatMessage[] {
  const label = task.labels.find((l) => l.name === labelName);
  if (!label) {
    throw new Error(`Task "${task.id}" has no label "${labelName}" (labels: ${task.labels.map((l) => l.name).join(', ')}).`);
  }
  if (!label.instruction || label.instruction.trim() === '') {
    throw new Error(`Task "${task.id}", label "${labelName}": no instruction for the chat prompt style.`);
  }
  const system = task.systemPrompt ?? DEFAULT_SYSTEM_PROMPT;
  const messages: ChatMessage[] = [];
  if (system.trim() !== '') messages.push({ role: 'system', content: system });
  const instruction = fillPrompt(label.instruction, vars.context);
  // Few-shot examples as earlier turns: the same request, answered by the example (why: README, "Diversity and
  // few-shot levers": SmolLM2-135M copies the reply format of prior assistant turns, while examples listed inside
  // the user turn made it talk about them).
  for (const e of vars.examples ?? []) messages.push({ role: 'user', content: instruction }, { role: 'assistant', content: oneLine(e) });
  messages.push({ role: 'user', content: vars.topic !== undefined ? `${instruction} ${topicSentence(task, vars.topic)}` : instruction });
  return messages;
}

/** The chat messages that ask for a context in the chat style, or null when the context stage has no instruction. */
export function contextChatMessages(task: TaskSpec): ChatMessage[] | null {
  const instruction = task.context?.instruction;
  if (!instruction || instruction.trim() === '') return null;
  const system = task.systemPrompt ?? DEFAULT_SYSTEM_PROMPT;
  return [
    ...(system.trim() !== '' ? [{ role: 'system' as const, content: system }] : []),
    { role: 'user', content: instruction },
  ];
}

/** A copy of `task` set to `style`; fails with the labels that lack an instruction when switching to 'chat'. */
export function withPromptStyle(task: TaskSpec, style: PromptStyle): TaskSpec {
  if (style === 'chat') {
    const missing = task.labels.filter((l) => !l.instruction || l.instruction.trim() === '').map((l) => l.name);
    if (missing.length > 0) {
      throw new Error(`Task "${task.id}" cannot use the chat prompt style: no instruction for label(s) ${missing.join(', ')}.`);
    }
  }
  return { ...task, promptStyle: style };
}

/**
 * The prompt style to use when the user did not choose one: the task's own setting, else 'chat' for instruct models
 * when every label has an instruction, else 'continuation'.
 */
export function defaultPromptStyle(task: TaskSpec, modelVariant: 'base' | 'instruct' | undefined): PromptStyle {
  if (task.promptStyle) return task.promptStyle;
  const allInstructions = task.labels.every((l) => l.instruction && l.instruction.trim() !== '');
  return modelVariant === 'instruct' && allInstructions ? 'chat' : 'continuation';
}

/** The labels whose prompts are decoded as counter-prompts for `label` (self-debiasing), resolved by name. */
export function counterLabelsOf(task: TaskSpec, label: LabelSpec): LabelSpec[] {
  if (!task.selfDebiasDecay || task.selfDebiasDecay <= 0) return [];
  const names = label.counterLabels ?? [];
  return task.labels.filter((l) => l.name !== label.name && names.includes(l.name));
}

/**
 * What the model is given for the `n`-th sample of `labelName` in a fresh run with `seed` (the generator draws its
 * levers from mixSeed(seed, 0) when nothing was generated before), as text: chat messages one per line as
 * `role: content`, or the continuation prompt. A made-up context stands in for a generated one.
 */
export function promptPreview(task: TaskSpec, labelName: string, seed: number, n = 0): string {
  const context = task.context ? (task.context.values?.[0] ?? 'The Example Movie') : undefined;
  const vars = { context, ...drawLevers(task, labelName, mixSeed(seed, 0), n) };
  if (promptStyleOf(task) === 'chat') return chatMessages(task, labelName, vars).map((m) => `${m.role}: ${m.content}`).join('\n');
  return continuationPrompt(task, labelName, vars);
}
