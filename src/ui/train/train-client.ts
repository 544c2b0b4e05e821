// Page side of the training worker: starts it lazily, sends typed requests and fans out typed events.
import type { TrainEvent, TrainRequest } from '../../workers/train-protocol.ts';

export type TrainListener = (e: TrainEvent) => void;

export class TrainWorkerClient {
  private readonly worker: Worker;
  private readonly listeners = new Set<TrainListener>();

  constructor() {
    this.worker = new Worker(new URL('../../workers/train.worker.ts', import.meta.url), { type: 'module', name: 'train' });
    this.worker.onmessage = (ev: MessageEvent<TrainEvent>) => {
      for (const l of this.listeners) l(ev.data);
    };
    this.worker.onerror = (ev: ErrorEvent) => {
      const e: TrainEvent = { type: 'error', kind: 'internal', message: `Training worker crashed: ${ev.message || 'unknown error'}` };
      for (const l of this.listeners) l(e);
      const idle: TrainEvent = { type: 'status', phase: 'idle', message: '' };
      for (const l of this.listeners) l(idle);
    };
  }

  on(listener: TrainListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(msg: TrainRequest): void {
    this.worker.postMessage(msg);
  }
}
