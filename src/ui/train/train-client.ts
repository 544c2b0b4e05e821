// Page side of the training worker: starts it and exchanges typed requests and events.
import type { TrainEvent, TrainRequest } from '../../workers/train-protocol.ts';
import { TypedWorker } from '../shared/typed-worker.ts';

export type TrainListener = (e: TrainEvent) => void;

export class TrainWorkerClient extends TypedWorker<TrainRequest, TrainEvent> {
  constructor() {
    super(new Worker(new URL('../../workers/train.worker.ts', import.meta.url), { type: 'module', name: 'train' }), (message) => [
      { type: 'error', kind: 'internal', message: `Training worker crashed: ${message}` },
      { type: 'status', phase: 'idle', message: '' },
    ]);
  }
}
