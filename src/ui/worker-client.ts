// Page side of the generation worker: starts it, sends typed requests, fans out typed events,
// and turns "load" into a promise (resolved by the device event, rejected by an error event).
import type { DeviceEvent, LoadMessage, WorkerEvent, WorkerRequest } from '../workers/generate-protocol.ts';

export type WorkerListener = (e: WorkerEvent) => void;

export class GenerationWorkerClient {
  private readonly worker: Worker;
  private readonly listeners = new Set<WorkerListener>();

  constructor() {
    this.worker = new Worker(new URL('../workers/generate.worker.ts', import.meta.url), { type: 'module', name: 'generate' });
    this.worker.onmessage = (ev: MessageEvent<WorkerEvent>) => {
      for (const l of this.listeners) l(ev.data);
    };
    this.worker.onerror = (ev: ErrorEvent) => {
      const e: WorkerEvent = { type: 'error', kind: 'internal', message: `Generation worker crashed: ${ev.message || 'unknown error'}` };
      for (const l of this.listeners) l(e);
    };
  }

  on(listener: WorkerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(msg: WorkerRequest): void {
    this.worker.postMessage(msg);
  }

  /** Load (or confirm) a model; resolves with the device actually used after the self-test. */
  load(msg: Omit<LoadMessage, 'type'>): Promise<DeviceEvent> {
    return new Promise((resolve, reject) => {
      const off = this.on((e) => {
        if (e.type === 'device') {
          off();
          resolve(e);
        } else if (e.type === 'error') {
          off();
          reject(new Error(e.message));
        }
      });
      this.send({ type: 'load', ...msg });
    });
  }

  terminate(): void {
    this.worker.terminate();
    this.listeners.clear();
  }
}
