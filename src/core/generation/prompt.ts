// Fills a task's prompt templates. The only placeholder is `{context}` (the papers' `<C>` / `<X1>`), filled with a
// generated or fixed context (e.g. a movie title or a product category).
import type { LabelSpec, TaskSpec } from '../tasks/types.ts';
import { CONTEXT_PLACEHOLDER } from '../tasks/validate.ts';

export { CONTEXT_PLACEHOLDER };

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

/** The labels whose prompts are decoded as counter-prompts for `label` (self-debiasing), resolved by name. */
export function counterLabelsOf(task: TaskSpec, label: LabelSpec): LabelSpec[] {
  if (!task.selfDebiasDecay || task.selfDebiasDecay <= 0) return [];
  const names = label.counterLabels ?? [];
  return task.labels.filter((l) => l.name !== label.name && names.includes(l.name));
}
