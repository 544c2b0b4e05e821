// Throughput and ETA for the progress bar, from the generator's cumulative progress.
import type { GenerationProgress } from '../core/generation/types.ts';

export interface Rates {
  samplesPerSec: number;
  tokensPerSec: number;
  etaSec: number | null;
}

export function totalAccepted(p: GenerationProgress): number {
  return Object.values(p.acceptedByLabel).reduce((a, b) => a + b, 0);
}

/** Samples still missing to reach the target of every label. */
export function remainingSamples(p: GenerationProgress): number {
  return Object.values(p.acceptedByLabel).reduce((sum, n) => sum + Math.max(0, p.targetPerLabel - n), 0);
}

/**
 * `acceptedAtStart`: samples the run already had when this session started (Resume), so they do not inflate the rate.
 * `elapsedMs` and `generatedTokens` in `p` count this session only.
 */
export function computeRates(p: GenerationProgress, acceptedAtStart: number): Rates {
  const seconds = p.elapsedMs / 1000;
  if (seconds <= 0) return { samplesPerSec: 0, tokensPerSec: 0, etaSec: null };
  const samplesPerSec = Math.max(0, totalAccepted(p) - acceptedAtStart) / seconds;
  const tokensPerSec = p.generatedTokens / seconds;
  const remaining = remainingSamples(p);
  const etaSec = remaining === 0 ? 0 : samplesPerSec > 0 ? remaining / samplesPerSec : null;
  return { samplesPerSec, tokensPerSec, etaSec };
}
