// One user action at a time with its outcome, for panels whose buttons start a job (import a model pack, export or
// import a project…): while `busy` the buttons are off; the job's message or its error replaces the last one.
import { errorText } from '../../core/error-text.ts';

export class BusyTask {
  busy = $state(false);
  message = $state<string | null>(null);
  error = $state<string | null>(null);

  /** Runs `fn` unless a job is running; its returned text becomes the message, a throw the error; `after` runs on success. */
  protected async task(fn: () => Promise<string>, after?: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    this.message = null;
    try {
      this.message = await fn();
      await after?.();
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.busy = false;
    }
  }
}
