// Factory for the task models by kind, and re-exports of what callers need.
import type { Tam, TamConfig } from './types.ts';
import { BiLstmTam } from './bilstm.ts';
import { FastTam } from './fast.ts';
import { TransformerTam } from './transformer.ts';

export function createTam(config: TamConfig): Tam {
  switch (config.kind) {
    case 'lstm':
      return new BiLstmTam(config);
    case 'transformer':
      return new TransformerTam(config);
    case 'fast':
      return new FastTam(config);
    default:
      throw new Error(`Unknown TAM kind ${JSON.stringify((config as { kind: unknown }).kind)} (expected lstm, transformer or fast).`);
  }
}
