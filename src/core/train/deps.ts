// Default dependencies of runMethod (src/core/clean/methods.ts): how a TAM is built for a dataset and how the
// final/filter model is trained (a few weighted-CE epochs with one Adam optimizer, per-step progress). Shared by the
// training worker and usable by the CLI bench, so page and Node train the same way.
import { createAdam } from '../tfjs/fused-adam.ts';
import type { MethodDeps } from '../clean/methods.ts';
import { trainWeightedEpoch } from './weighted-epoch.ts';
import { mixSeed } from '../generation/prng.ts';
import type { TamConfig, TamKind } from '../classifier/types.ts';
import { createTam } from '../classifier/create.ts';

export interface FinalTrainingOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Dropout of the final model (the SunGen inner model always uses 0, as in the paper). */
  dropout: number;
  seed: number;
}

export const DEFAULT_FINAL_TRAINING: FinalTrainingOptions = { epochs: 3, batchSize: 32, learningRate: 1e-3, dropout: 0.5, seed: 1 };

export interface ModelShape {
  vocabSize: number;
  numClasses: number;
  maxLenTokens: number;
  /** Optional size overrides passed through to the TAM config. */
  embeddingDim?: number;
  hiddenSize?: number;
}

/** Progress of the final (or filter's first) training run. */
export interface FinalStepProgress {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
}

/** The TamConfig the pipeline uses for `kind` (inner SunGen models have no dropout). */
export function tamConfigFor(kind: TamKind, shape: ModelShape, seed: number, dropout: number): TamConfig {
  const config: TamConfig = { kind, vocabSize: shape.vocabSize, numClasses: shape.numClasses, maxLenTokens: shape.maxLenTokens, seed, dropout };
  if (shape.embeddingDim !== undefined) config.embeddingDim = shape.embeddingDim;
  if (shape.hiddenSize !== undefined) config.hiddenSize = shape.hiddenSize;
  return config;
}

/** MethodDeps for the real TAMs: createTam by kind, and `epochs` weighted epochs with one Adam per training run. */
export function defaultMethodDeps(shape: ModelShape, training: FinalTrainingOptions, onStep?: (p: FinalStepProgress) => void): MethodDeps {
  if (!(Number.isInteger(training.epochs) && training.epochs > 0)) throw new Error(`epochs must be a positive integer (got ${training.epochs}).`);
  if (!(Number.isInteger(training.batchSize) && training.batchSize > 0)) throw new Error(`batchSize must be a positive integer (got ${training.batchSize}).`);
  if (!(training.learningRate > 0)) throw new Error(`learningRate must be > 0 (got ${training.learningRate}).`);
  return {
    createTam: (kind, seed, role) => createTam(tamConfigFor(kind, shape, seed, role === 'inner' ? 0 : training.dropout)),
    train: async (tam, data, rows, weights, signal) => {
      const optimizer = createAdam(training.learningRate);
      try {
        for (let epoch = 0; epoch < training.epochs; epoch++) {
          await trainWeightedEpoch(tam, data, rows, weights, {
            batchSize: training.batchSize,
            learningRate: training.learningRate,
            seed: mixSeed(training.seed, 0x7a11 + epoch + 1),
            signal,
            optimizer,
            reportEverySteps: 10,
            onStep: (step, steps, loss) => onStep?.({ epoch, epochs: training.epochs, step, steps, loss }),
          });
        }
      } finally {
        optimizer.dispose();
      }
    },
  };
}
