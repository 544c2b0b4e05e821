// Web Locks around a generating run, so a page opened in another tab does not mistake a run that a live worker
// is still writing for one left behind by a closed tab. Without the Locks API (Node) both functions degrade:
// no lock is ever reported held and `withRunLock` simply runs the function.

interface LocksLike {
  request(name: string, callback: () => Promise<unknown>): Promise<unknown>;
  request(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

function locks(): LocksLike | undefined {
  const nav = (globalThis as { navigator?: { locks?: LocksLike } }).navigator;
  return nav?.locks;
}

const lockName = (runId: string): string => `sungen-lab-run:${runId}`;

/** Run `fn` while holding the run's lock (released when `fn` settles). */
export async function withRunLock<T>(runId: string, fn: () => Promise<T>): Promise<T> {
  const api = locks();
  if (!api) return fn();
  let result: T | undefined;
  await api.request(lockName(runId), async () => {
    result = await fn();
  });
  return result as T;
}

/**
 * Run `fn` holding the run's lock only if nobody holds it now; returns `{ busy: true }` (without running `fn`) when
 * another tab's worker owns the run. Everything that reads a run before writing to it (resume: the existing samples)
 * must happen inside `fn`, or two tabs can both read the same state and overshoot the target.
 */
export async function withRunLockIfFree<T>(runId: string, fn: () => Promise<T>): Promise<{ busy: false; value: T } | { busy: true }> {
  const api = locks();
  if (!api) return { busy: false, value: await fn() };
  let outcome: { busy: false; value: T } | { busy: true } = { busy: true };
  await api.request(lockName(runId), { ifAvailable: true }, async (lock) => {
    if (lock === null) return;
    outcome = { busy: false, value: await fn() };
  });
  return outcome;
}

/** True when some tab's worker currently holds the run's lock. */
export async function isRunLockHeld(runId: string): Promise<boolean> {
  const api = locks();
  if (!api) return false;
  const state = await api.query();
  return (state.held ?? []).some((l) => l.name === lockName(runId));
}
