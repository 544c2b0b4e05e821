// One way to turn anything thrown into the message shown to a person (pages, workers, CLI). A DOMException with an
// empty message (e.g. QuotaExceededError in some browsers) is shown by its name, never as an empty cause.
export function errorText(e: unknown): string {
  if (e instanceof Error || (typeof DOMException === 'function' && e instanceof DOMException)) {
    const err = e as Error;
    if (err.message && err.message.trim()) return err.message;
    return err.name && err.name !== 'Error' ? `${err.name} (the browser gave no details)` : 'unknown error (no details were given)';
  }
  if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string' && (e as { message: string }).message) {
    return (e as { message: string }).message;
  }
  const s = String(e);
  return s.trim() ? s : 'unknown error (no details were given)';
}
