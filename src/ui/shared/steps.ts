// The steps of the guided flow, in order, and how a step and a run are written in the URL hash (`#/train?run=<id>`).
export const STEPS = [
  { id: 'task', title: 'Task', short: 'Name the task and its labels' },
  { id: 'generate', title: 'Generate', short: 'The model writes examples' },
  { id: 'clean', title: 'Clean', short: 'SunGen weighs the examples' },
  { id: 'train', title: 'Train', short: 'Train a small classifier' },
  { id: 'evaluate', title: 'Evaluate', short: 'Test it on real text' },
  { id: 'runs', title: 'Runs', short: 'Compare and manage runs' },
] as const;

export type StepId = (typeof STEPS)[number]['id'];

const STEP_IDS: readonly string[] = STEPS.map((s) => s.id);

export function isStepId(x: string): x is StepId {
  return STEP_IDS.includes(x);
}

/** Parses `#/<step>?run=<id>`; unknown steps fall back to `fallback`. */
export function parseHash(hash: string, fallback: StepId = 'task'): { step: StepId; runId: string | null } {
  const raw = hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const step = isStepId(path) ? path : fallback;
  const runId = new URLSearchParams(query).get('run');
  return { step, runId: runId && runId.trim() ? runId : null };
}

export function formatHash(step: StepId, runId: string | null): string {
  return `#/${step}${runId ? `?run=${encodeURIComponent(runId)}` : ''}`;
}

