// Fills a task's prompts. Continuation style (ZeroGen, base models): the label's template, where the only placeholder
// is `{context}` (the papers' `<C>` / `<X1>`), filled with a generated or fixed context (e.g. a movie title or a
// product category). Chat style (instruct models): a list of chat messages (system turn + the label's instruction as
// the user turn) that the model's chat template, or an OpenAI-compatible server, turns into a prompt.
import type { ChatMessage, LabelSpec, PromptStyle, TaskSpec } from '../tasks/types.ts';
import { CONTEXT_PLACEHOLDER } from '../tasks/validate.ts';

export { CONTEXT_PLACEHOLDER };
export type { ChatMessage, PromptStyle };

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
}

/**
 * The chat messages for one sample of label `labelName` of `task`: a system turn (the task's `systemPrompt`, or
 * DEFAULT_SYSTEM_PROMPT; none when it is the empty string), then the label's `instruction` as the user turn with
 * `{context}` filled. The assistant turn is what the model writes. This is the stable entry point for anything that
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
  messages.push({ role: 'user', content: fillPrompt(label.instruction, vars.context) });
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
