// SunGen's bilevel loop (Gao et al., ICLR 2023, as the official code runs it): per-sample scores θ, inner weighted
// training from a fixed initial TAM, noise-robust RCE outer loss on a fixed outer subset, one-step look-ahead
// hypergradient (derivation in weight-math.ts → hypergradient), clipped, and an Adam step on θ.
import * as tf from '@tensorflow/tfjs';
import { createAdam } from '../../tfjs/fused-adam.ts';
import type { EncodedDataset, Tam } from '../../classifier/types.ts';
import { directionalDerivatives, outerLossGradient } from './directional.ts';
import { trainWeightedEpoch, throwIfAborted, yieldToEventLoop } from '../../train/weighted-epoch.ts';
import { allRows, randomSubset, rowCount } from '../../train/rows.ts';
import { DEFAULT_SUNGEN_OPTIONS, type SungenOptions, type SungenProgress, type SungenResult } from './types.ts';
import { ArrayAdam, centerPerClassOn, clipL2InPlace, hypergradient, topFractionMask, weightStats, weightsFromScores } from './weight-math.ts';
import { mixSeed } from '../../generation/prng.ts';

/**
 * Adam ε for θ. The hypergradient carries the factor η/S (≈1e-7 at N = 14k), so the usual 1e-8 would damp it unevenly;
 * Adam is otherwise invariant to that scale, so a negligible ε keeps the update the same as on a rescaled h.
 */
const SCORE_ADAM_EPSILON = 1e-20;

/** `rows` without `exclude`, order kept. */
function complementOf(rows: Int32Array, exclude: Int32Array): Int32Array {
  const drop = new Set(exclude);
  return rows.filter((r) => !drop.has(r));
}

export function validateSungenOptions(o: SungenOptions): void {
  const posInt = (name: keyof SungenOptions) => {
    const v = o[name] as number;
    if (!(Number.isInteger(v) && v > 0)) throw new Error(`SunGen option ${name} must be a positive integer (got ${v}).`);
  };
  const pos = (name: keyof SungenOptions) => {
    const v = o[name] as number;
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`SunGen option ${name} must be a positive number (got ${v}).`);
  };
  posInt('outerIterations');
  posInt('outerSetSize');
  posInt('innerBatchSize');
  posInt('innerEpochs');
  posInt('evalBatchSize');
  pos('innerLearningRate');
  pos('scoreLearningRate');
  pos('hypergradClipNorm');
  pos('finiteDifferenceEpsilon');
  if (o.classCentering !== 'center' && o.classCentering !== 'none') throw new Error(`SunGen option classCentering must be 'center' or 'none' (got ${String(o.classCentering)}).`);
  if (!(o.outerMaskFraction > 0 && o.outerMaskFraction <= 1)) {
    throw new Error(`SunGen option outerMaskFraction must be in (0, 1] (got ${o.outerMaskFraction}).`);
  }
}

/**
 * Learns one weight per sample of `data`. `tam` is the inner model; its current parameters are the fixed
 * initialisation every outer iteration starts from, and they are restored on return (also on abort/error).
 */
export async function sungenReweight(
  tam: Tam,
  data: EncodedDataset,
  options: Partial<SungenOptions> = {},
  hooks: {
    onProgress?: (p: SungenProgress) => void;
    signal?: AbortSignal;
    /** Rows that may be weighted and trained on (default all); the others keep θ = 0 and are never trained on. */
    rows?: Int32Array;
    /** Explicit outer set (e.g. a few real labelled rows appended to `data`), never trained on; default a random subset of `rows`. */
    outerRows?: Int32Array;
  } = {},
): Promise<SungenResult> {
  const o: SungenOptions = { ...DEFAULT_SUNGEN_OPTIONS, ...options };
  validateSungenOptions(o);
  const n = rowCount(data);
  if (n === 0) throw new Error('SunGen needs at least one training sample.');
  if (tam.config.numClasses !== data.numClasses) {
    throw new Error(`The TAM has ${tam.config.numClasses} classes but the dataset has ${data.numClasses}.`);
  }
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const theta = new Float32Array(n); // θ = 0 → w = 0.5 everywhere
  const adam = new ArrayAdam(n, o.scoreLearningRate, 0.9, 0.999, SCORE_ADAM_EPSILON);
  const pool = hooks.rows ?? allRows(n);
  const explicitOuter = hooks.outerRows !== undefined;
  const outerRows = explicitOuter
    ? Int32Array.from(hooks.outerRows!)
    : Int32Array.from(randomSubset(pool.length, o.outerSetSize, mixSeed(o.seed, 0x0071e5)), (k) => pool[k]);
  if (outerRows.length === 0) throw new Error('SunGen: the outer set is empty.');
  const heldOut = o.outerHeldOut || explicitOuter;
  const trainRows = explicitOuter ? complementOf(pool, outerRows) : o.outerHeldOut ? complementOf(pool, outerRows) : pool;
  if (trainRows.length === 0) throw new Error('SunGen: the held-out outer set leaves no sample to weight (lower outerSetSize).');
  const history: SungenResult['history'] = [];
  const meanInnerLoss = new Float32Array(n);
  const losses = new Float32Array(trainRows.length);
  const init = tam.snapshot();
  try {
    for (let t = 1; t <= o.outerIterations; t++) {
      const iterStart = performance.now();
      throwIfAborted(hooks.signal);
      const weights = weightsFromScores(theta);
      // 1. Inner: φ* = innerEpochs weighted epochs (one Adam state) from the fixed initialisation.
      tam.restore(init);
      let innerLoss = NaN;
      const innerOptimizer = createAdam(o.innerLearningRate);
      try {
        for (let e = 0; e < o.innerEpochs; e++) {
          innerLoss = await trainWeightedEpoch(tam, data, trainRows, weights, {
            batchSize: o.innerBatchSize,
            learningRate: o.innerLearningRate,
            seed: mixSeed(o.seed, t * 1009 + e),
            signal: hooks.signal,
            optimizer: innerOptimizer,
            onStep: (step, steps, loss) =>
              hooks.onProgress?.({ phase: 'inner', iteration: t, iterations: o.outerIterations, innerStep: e * steps + step, innerSteps: o.innerEpochs * steps, innerLoss: loss, elapsedSeconds: elapsed() }),
          });
        }
      } finally {
        innerOptimizer.dispose();
      }
      throwIfAborted(hooks.signal);
      // 2. Outer: g = ∇φ RCE on the outer subset, counting only samples in the top outerMaskFraction of weights.
      const mask = topFractionMask(weights, o.outerMaskFraction);
      // Held-out outer samples carry no learned weight, so all of them count in the outer loss.
      if (heldOut) for (const r of outerRows) mask[r] = 1;
      const { grads, loss: outerLoss } = outerLossGradient(tam, data, outerRows, mask, o.evalBatchSize, o.balancedOuterLoss);
      hooks.onProgress?.({ phase: 'outer', iteration: t, iterations: o.outerIterations, innerLoss, outerLoss, elapsedSeconds: elapsed() });
      await yieldToEventLoop();
      throwIfAborted(hooks.signal);
      // 3. Hypergradient h = −(η/S)·w(1−w)·⟨g, ∇CEᵢ(φ*)⟩, clipped, one Adam step on θ.
      let dots: Float32Array;
      try {
        dots = directionalDerivatives(tam, data, trainRows, grads, { epsilon: o.finiteDifferenceEpsilon, batchSize: o.evalBatchSize, lossesOut: losses });
        trainRows.forEach((r, k) => (meanInnerLoss[r] += losses[k] / o.outerIterations));
      } finally {
        tf.dispose(grads);
      }
      const h = new Float32Array(n); // held-out outer rows keep h = 0
      const hTrain = hypergradient(dots, Float32Array.from(trainRows, (r) => weights[r]), o.innerLearningRate);
      trainRows.forEach((r, k) => (h[r] = hTrain[k]));
      const hypergradNorm = clipL2InPlace(h, o.hypergradClipNorm);
      const delta = adam.update(h);
      // Centre the θ step (not only h: Adam's per-coordinate scaling would reintroduce a class-wide drift) per class
      // over the weighted rows, so each class's mean θ stays where it started.
      if (o.classCentering === 'center') centerPerClassOn(delta, trainRows, data.labels, data.numClasses);
      for (let i = 0; i < n; i++) theta[i] += delta[i];
      const stats = weightStats(weightsFromScores(theta));
      history.push({ iteration: t, innerLoss, outerLoss, hypergradNorm, weightStats: stats, seconds: (performance.now() - iterStart) / 1000 });
      hooks.onProgress?.({ phase: 'hypergradient', iteration: t, iterations: o.outerIterations, innerLoss, outerLoss, hypergradNorm, weightStats: stats, elapsedSeconds: elapsed() });
      await yieldToEventLoop();
    }
  } finally {
    tam.restore(init);
    tf.dispose(init);
  }
  return { theta, weights: weightsFromScores(theta), meanInnerLoss, history, seconds: elapsed() };
}
