// Page side of a worker with a typed protocol: send requests, fan out events to listeners, and turn a worker crash
// into ordinary events (so views show a message instead of hanging). Each client constructs its own Worker with a
// literal `new URL(..., import.meta.url)`, which Vite needs to bundle it.
export class TypedWorker<Req, Ev> {
  private readonly listeners = new Set<(e: Ev) => void>();

  constructor(
    private readonly worker: Worker,
    crashEvents: (message: string) => Ev[],
  ) {
    worker.onmessage = (ev: MessageEvent<Ev>) => this.emit(ev.data);
    worker.onerror = (ev: ErrorEvent) => {
      for (const e of crashEvents(ev.message || 'unknown error')) this.emit(e);
    };
  }

  on(listener: (e: Ev) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(msg: Req): void {
    this.worker.postMessage(msg);
  }

  terminate(): void {
    this.worker.terminate();
    this.listeners.clear();
  }

  private emit(e: Ev): void {
    for (const l of this.listeners) l(e);
  }
}
