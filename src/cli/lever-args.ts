// The diversity and few-shot levers on the command line, shared by `generate` and `bench:pipeline`: --topics (a
// comma-separated list, or @FILE with one topic per line), --topic-template, --no-topics (drop a preset's topics),
// --few-shot-file FILE (JSONL/CSV/TSV/TXT with text and label), --few-shot-per-label N (a seeded pick per label from
// a larger labelled file) and --shots K. The result is validated like any task; a bad file names the file and line.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { decodeUtf8 } from '../core/data/read-file.ts';
import { MAX_FEW_SHOT_FILE_BYTES, parseFewShotFile } from '../core/generation/few-shot.ts';
import type { TaskSpec } from '../core/tasks/types.ts';
import { validateTask } from '../core/tasks/validate.ts';
import { numberOption, UsageError } from './args.ts';

export const LEVER_VALUE_OPTIONS = ['topics', 'topic-template', 'few-shot-file', 'few-shot-per-label', 'shots'];
export const LEVER_FLAGS = ['no-topics'];
export const LEVER_USAGE = `Levers (Li et al. 2024), all optional:
  --topics "the acting,the plot" | --topics @topics.txt   topics woven into the prompts, one per sample (seeded)
  --topic-template "Focus on {topic}."   the sentence that carries the topic   --no-topics   drop the task's own topics
  --few-shot-file FILE   labelled examples (JSONL/CSV/TSV with text,label; labels must be the task's)
  --few-shot-per-label N   keep N examples per label of that file (seeded by --seed)   --shots K   examples per prompt (default 2)`;

function readSmallFile(file: string, what: string, maxBytes: number): string {
  if (!existsSync(file)) throw new UsageError(`${what} ${file} does not exist.`);
  if (!statSync(file).isFile()) throw new UsageError(`${what} ${file} is not a file.`);
  if (statSync(file).size > maxBytes) throw new UsageError(`${what} ${file} is larger than ${Math.round(maxBytes / 1024)} KB.`);
  return decodeUtf8(readFileSync(file), `${what} ${file}`);
}

/** The task with the levers of the command line applied; throws UsageError for bad options, an Error for a bad file. */
export function applyLeverArgs(task: TaskSpec, values: Map<string, string>, flags: Set<string>, seed: number): TaskSpec {
  const out: TaskSpec = { ...task };
  if (flags.has('no-topics')) {
    if (values.has('topics')) throw new UsageError('--no-topics and --topics contradict each other; give one.');
    delete out.topics;
    delete out.topicTemplate;
  }
  const topicsArg = values.get('topics');
  if (topicsArg !== undefined) {
    const list = topicsArg.startsWith('@') ? readSmallFile(topicsArg.slice(1), '--topics file', 256 * 1024).split(/\r?\n/) : topicsArg.split(',');
    out.topics = list.map((t) => t.trim()).filter((t) => t !== '');
    if (out.topics.length === 0) throw new UsageError('--topics gives no topic; list them separated by commas, or @FILE with one per line.');
  }
  const template = values.get('topic-template');
  if (template !== undefined) out.topicTemplate = template;
  const shots = numberOption(values, 'shots');
  if (shots !== undefined) out.shots = shots;
  const fewShotFile = values.get('few-shot-file');
  const perLabel = numberOption(values, 'few-shot-per-label');
  if (perLabel !== undefined && fewShotFile === undefined) throw new UsageError('--few-shot-per-label needs --few-shot-file.');
  if (fewShotFile !== undefined) {
    const text = readSmallFile(fewShotFile, '--few-shot-file', MAX_FEW_SHOT_FILE_BYTES);
    out.examples = parseFewShotFile(fewShotFile, text, task.labels.map((l) => l.name), perLabel !== undefined ? { perLabel, seed } : {});
  }
  if (shots !== undefined && shots > 0 && !(out.examples?.length)) throw new UsageError('--shots needs examples: give --few-shot-file (or a task file with "examples").');
  const v = validateTask(out);
  if (!v.ok) throw new UsageError(`Invalid levers:\n- ${v.errors.join('\n- ')}`);
  return v.task;
}

/** One line describing the levers in use, for the log. */
export function describeLevers(task: TaskSpec): string {
  const parts: string[] = [];
  if (task.topics?.length) parts.push(`${task.topics.length} topics`);
  if (task.examples?.length && (task.shots ?? 2) > 0) parts.push(`${task.shots ?? 2}-shot from ${task.examples.length} examples`);
  return parts.length ? `Levers: ${parts.join(', ')}` : 'Levers: none';
}
