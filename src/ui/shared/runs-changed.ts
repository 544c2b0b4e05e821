// A page-wide (and cross-tab) signal that the list of runs changed: the Generate view and the Clean & train view
// each keep their own store handle, so one tells the other when a run is created, finished, imported or deleted.
const CHANNEL = 'sungen-lab:runs-changed';
const local = new EventTarget();
const channel: BroadcastChannel | null = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;
channel?.addEventListener('message', () => local.dispatchEvent(new Event('change')));

export function notifyRunsChanged(): void {
  local.dispatchEvent(new Event('change'));
  channel?.postMessage('change');
}

/** Calls `listener` whenever runs change; returns the unsubscribe function. */
export function onRunsChanged(listener: () => void): () => void {
  const handler = () => listener();
  local.addEventListener('change', handler);
  return () => local.removeEventListener('change', handler);
}
