// Page side of the generation worker: starts it, sends typed requests, fans out typed events,
// and turns "load" into a promise (resolved by the device event, rejected by an error event).
import type { ConnectMessage, DeviceEvent, LoadMessage, ServerEvent, WorkerEvent, WorkerRequest } from '../../workers/generate-protocol.ts';
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
    return this.request({ type: 'load', ...msg }, 'device');
  }

  /** Check a server the user confirmed; resolves when it answered as an OpenAI-compatible API serving the model. */
  connect(msg: Omit<ConnectMessage, 'type'>): Promise<ServerEvent> {
    return this.request({ type: 'connect', ...msg }, 'server');
  }

  private request<K extends 'device' | 'server'>(msg: WorkerRequest, answer: K): Promise<Extract<WorkerEvent, { type: K }>> {
    return new Promise((resolve, reject) => {
      const off = this.on((e) => {
        if (e.type === answer) {
          off();
          resolve(e as Extract<WorkerEvent, { type: K }>);
        } else if (e.type === 'error') {
          off();
          reject(new Error(e.message));
        }
      });
      this.send(msg);
    });
  }
}
