// Typed storage errors with messages a user can act on.

/** The browser refused to store more data (disk/quota full). What was stored before stays. */
export class StorageQuotaError extends Error {
  override readonly name = 'StorageQuotaError';
  constructor(readonly runId: string | undefined, cause: unknown) {
    super(
      'Browser storage is full: no more samples could be saved' +
        (runId ? ` (run ${runId} was stopped; the samples saved so far are kept)` : '') +
        '. Delete old runs or free disk space, then press Resume.',
      { cause },
    );
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
