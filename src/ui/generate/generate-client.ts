// Page side of the generation worker: starts it, sends typed requests, fans out typed events,
// and turns "load" into a promise (resolved by the device event, rejected by an error event).
import type { DeviceEvent, LoadMessage, WorkerEvent, WorkerRequest } from '../../workers/generate-protocol.ts';
import { TypedWorker } from '../shared/typed-worker.ts';

export type WorkerListener = (e: WorkerEvent) => void;

export class GenerationWorkerClient extends TypedWorker<WorkerRequest, WorkerEvent> {
  constructor() {
    super(new Worker(new URL('../../workers/generate.worker.ts', import.meta.url), { type: 'module', name: 'generate' }), (message) => [
      { type: 'error', kind: 'internal', message: `Generation worker crashed: ${message}` },
    ]);
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
}
