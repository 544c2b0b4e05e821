// Types shared by the generator (core), the generation worker, storage, CLI and UI.

export interface SamplingConfig {
  temperature: number; // > 0; sampling is greedy when doSample is false
  topK: number; // 0 = off
  topP: number; // 1 = off
  maxNewTokens: number;
  minWords: number; // ZeroGen parse rule: drop shorter generations
  seed: number;
  batchSize: number; // prompts decoded together per forward pass
  doSample: boolean;
}

/** Why a raw generation was not accepted. */
export type DropReason = 'tooShort' | 'duplicate' | 'empty';

export interface GeneratedSample {
  text: string;
  label: string;
  context?: string;
}

export interface GenerationProgress {
  acceptedByLabel: Record<string, number>;
  targetPerLabel: number;
  dropped: Record<DropReason, number>;
  generatedTokens: number;
  elapsedMs: number;
}
