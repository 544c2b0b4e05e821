// Chat messages for instruct models served through /v1/chat/completions, built from a task's ZeroGen prompt: the
// continuation prompt without its opening quote becomes the description of the one text the model should write.
import { fillPrompt } from '../generation/prompt.ts';
import type { LabelSpec, TaskSpec } from '../tasks/types.ts';
import type { ChatMessage } from './client.ts';

export function chatMessagesFor(_task: TaskSpec, label: LabelSpec, context?: string): ChatMessage[] {
  const description = fillPrompt(label.prompt, context).replace(/\s*:?\s*["“]\s*$/, '').trim();
  return [
    { role: 'system', content: 'You write realistic example texts. Reply with the text only: no title, no quotes, no explanation.' },
    { role: 'user', content: `Write one example. ${description}:` },
  ];
}
