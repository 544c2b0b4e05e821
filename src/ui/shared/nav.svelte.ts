// Where the user is in the guided flow: the current step and the selected run, kept in the URL hash
// (`#/train?run=<id>`) so a reload, a bookmark or Back returns to the same step with the same run.
import { formatHash, parseHash, type StepId } from './steps.ts';

export { STEPS, type StepId } from './steps.ts';

export class Nav {
  step = $state<StepId>('task');
  /** The run named in the URL at load time (the runs state decides whether it still exists). */
  initialRunId: string | null = null;
  private runId: string | null = null;

  constructor() {
    if (typeof location === 'undefined') return;
    const { step, runId } = parseHash(location.hash);
    this.step = step;
    this.initialRunId = runId;
    this.runId = runId;
    window.addEventListener('hashchange', () => {
      const next = parseHash(location.hash, this.step);
      this.step = next.step;
    });
  }

  /** Go to a step (a new history entry, so Back returns to the previous step). */
  go(step: StepId): void {
    this.step = step;
    const hash = formatHash(step, this.runId);
    if (location.hash !== hash) location.hash = hash;
    // Keep keyboard and screen-reader users at the start of the new step.
    queueMicrotask(() => document.getElementById('step-title')?.focus());
  }

  /** Record the selected run in the URL without a new history entry. */
  setRun(runId: string | null): void {
    this.runId = runId;
    const hash = formatHash(this.step, runId);
    if (location.hash !== hash) history.replaceState(history.state, '', hash);
  }
}
