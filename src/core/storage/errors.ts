// Typed storage errors with messages a user can act on.

/** What was being written when the disk filled up; each gets a message that says what actually happened. */
export type QuotaAction = 'generation' | 'import' | 'training' | 'other';

/** The browser refused to store more data (disk/quota full). What was stored before stays. */
export class StorageQuotaError extends Error {
  override readonly name = 'StorageQuotaError';
  constructor(
    readonly runId: string | undefined,
    cause: unknown,
    readonly action: QuotaAction = runId ? 'generation' : 'other',
    /** For 'generation': whether the run could be marked 'stopped' (that write needs a little space too). */
    stopped = true,
  ) {
    super(quotaMessage(action, runId, stopped), { cause });
  }
}

function quotaMessage(action: QuotaAction, runId: string | undefined, stopped: boolean): string {
  const free = 'Delete old runs or trainings, or free disk space';
  switch (action) {
    case 'generation':
      return (
        'Browser storage is full: no more samples could be saved' +
        (runId ? ` (run ${runId} ${stopped ? 'was stopped' : 'could not even be marked stopped'}; the samples saved so far are kept)` : '') +
        `. ${free}, then press Resume.`
      );
    case 'import':
      return `Browser storage is full: the file was not imported and nothing of it was stored. ${free}, then import it again.`;
    case 'training':
      return `Browser storage is full: the trained model could not be saved (nothing was stored). ${free}, then train again.`;
    default:
      return `Browser storage is full: nothing was saved. ${free}, then try again.`;
  }
}

/** The run is being written by a live worker (this or another tab); it cannot be deleted or resumed now. */
export class RunBusyError extends Error {
  override readonly name = 'RunBusyError';
  constructor(
    readonly runId: string,
    what: string,
  ) {
    super(`This run is being generated right now (in this or another tab or window), so it cannot be ${what}. Stop it there first, or wait until it finishes.`);
  }
}

/** An import was cancelled by the user; nothing was stored. */
export class ImportCancelledError extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('Import cancelled; nothing was stored.');
  }
}

/** A run configuration or sample batch failed validation; nothing was written. */
export class StorageValidationError extends Error {
  override readonly name = 'StorageValidationError';
  constructor(readonly errors: string[]) {
    super(`Not saved — invalid data:\n- ${errors.join('\n- ')}`);
  }
}

export class RunNotFoundError extends Error {
  override readonly name = 'RunNotFoundError';
  constructor(readonly runId: string) {
    super(`No saved run with id "${runId}"`);
  }
}

/** True for the DOMException (or idb-wrapped error) IndexedDB raises when the quota is exceeded. */
export function isQuotaError(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const name = (e as { name?: unknown }).name;
  if (name === 'QuotaExceededError') return true;
  const cause = (e as { cause?: unknown }).cause;
  return cause !== undefined && cause !== e && isQuotaError(cause);
}
