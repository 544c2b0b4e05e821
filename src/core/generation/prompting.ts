// ZeroGen's PROMPTING baseline: the language model labels each real test text itself, zero-shot. The text goes into a
// question that lists the task's label names (through the chat template for chat-style tasks, as plain text
// otherwise) and the label whose name the model finds likelier as the answer's first token wins. This is what the
// small classifier trained on the same model's generated data has to beat.
import { Tensor } from '@huggingface/transformers';
import type { TaskSpec } from '../tasks/types.ts';
import type { LoadedLm } from './lm.ts';
import { promptStyleOf } from './prompt.ts';

export interface PromptingOptions {
  /** Texts scored together per forward pass. */
  batchSize: number;
  /** Longer texts are cut to this many tokens (keeps the cost bounded). */
  maxTextTokens?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** The question for one text; the answer is expected to start with a label name. */
export function promptingQuestion(task: TaskSpec, text: string): string {
  const names = task.labels.map((l) => l.name);
  return `Classify this text as ${names.slice(0, -1).join(', ')} or ${names.at(-1)}.\n\nText: "${text}"\n\nAnswer with one word.`;
}

/** First token ids of each label name as an answer (as written, lower- and capitalised, with and without a space). */
function answerTokens(lm: LoadedLm, names: string[], chat: boolean): number[][] {
  return names.map((name) => {
    const forms = new Set([name, name.toLowerCase(), name[0].toUpperCase() + name.slice(1)]);
    const ids = new Set<number>();
    for (const f of forms) for (const w of chat ? [f, ` ${f}`] : [` ${f}`]) ids.add(lm.internals.encode(w)[0]);
    return [...ids];
  });
}

/** The predicted label name for each text. */
export async function promptingClassify(lm: LoadedLm, task: TaskSpec, texts: string[], opts: PromptingOptions): Promise<string[]> {
  const I = lm.internals;
  const chat = promptStyleOf(task) === 'chat' && I.hasChatTemplate;
  const names = task.labels.map((l) => l.name);
  const answers = answerTokens(lm, names, chat);
  const maxText = opts.maxTextTokens ?? 160;
  const encodeOne = (text: string): number[] => {
    const ids = I.encode(text);
    const cut = ids.length > maxText ? I.decode(ids.slice(0, maxText)) : text;
    const q = promptingQuestion(task, cut);
    return chat ? I.encodeChat([{ role: 'user', content: q }]) : I.encode(`${q}\nAnswer:`);
  };
  const out: string[] = [];
  for (let start = 0; start < texts.length; start += opts.batchSize) {
    if (opts.signal?.aborted) throw new Error('Prompting baseline interrupted.');
    const rows = texts.slice(start, start + opts.batchSize).map(encodeOne);
    const B = rows.length;
    const S = Math.max(...rows.map((r) => r.length));
    const ids = new BigInt64Array(B * S).fill(BigInt(I.padId));
    const mask = new BigInt64Array(B * S);
    const pos = new BigInt64Array(B * S).fill(1n);
    rows.forEach((r, b) => {
      const pad = S - r.length;
      r.forEach((t, k) => {
        ids[b * S + pad + k] = BigInt(t);
        mask[b * S + pad + k] = 1n;
        pos[b * S + pad + k] = BigInt(k);
      });
    });
    const res = await I.model.forward({
      input_ids: new Tensor('int64', ids, [B, S]),
      attention_mask: new Tensor('int64', mask, [B, S]),
      position_ids: new Tensor('int64', pos, [B, S]),
      num_logits_to_keep: new Tensor('int64', BigInt64Array.of(1n), []),
    });
    let logitsT: Tensor = res.logits;
    if (!(logitsT.data instanceof Float32Array)) logitsT = logitsT.to('float32');
    const logits = logitsT.data as Float32Array;
    const [, L, V] = logitsT.dims as number[];
    for (let b = 0; b < B; b++) {
      const row = logits.subarray((b * L + L - 1) * V, (b * L + L) * V);
      let best = 0;
      let bestScore = -Infinity;
      answers.forEach((toks, k) => {
        // log-sum-exp over the label's answer forms: the probability that the answer starts with this label.
        const m = Math.max(...toks.map((t) => row[t]));
        const score = m + Math.log(toks.reduce((s, t) => s + Math.exp(row[t] - m), 0));
        if (score > bestScore) {
          bestScore = score;
          best = k;
        }
      });
      out.push(names[best]);
    }
    for (const t of Object.values(res) as Tensor[]) if ((t as any).location === 'gpu-buffer') await (t as any).dispose();
    opts.onProgress?.(out.length, texts.length);
  }
  return out;
}
