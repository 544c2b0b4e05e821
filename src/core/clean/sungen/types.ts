// Options, progress events and result of SunGen reweighting (per-sample weights learned without clean labels).
import type { WeightStats } from './weight-math.ts';

export interface SungenOptions {
  /** Outer iterations T (paper: 100; browser-scale default 30). */
  outerIterations: number;
  /** Size of the fixed random outer subset of the synthetic set (paper: 50k; default 2000). */
  outerSetSize: number;
  /**
   * Inner training: batch size (32) and Adam learning rate η. The paper's 1e-3 suits its LSTM on ~1M samples; at
   * browser scale (1k–15k samples) one epoch at 1e-3 leaves the bag-of-embeddings model near its random init, so φ*
   * and the hypergradient are mostly noise. runMethod therefore picks η per inner model kind (innerLearningRateFor).
   */
  innerBatchSize: number;
  innerLearningRate: number;
  /** Inner epochs per outer iteration (paper: 1), one Adam state across them. */
  innerEpochs: number;
  /**
   * Hold the outer set out of the inner training (true) instead of drawing it from the trained samples (paper). A
   * held-out outer set measures generalisation of φ* rather than its fit to samples it was just trained on. Held-out
   * samples get no hypergradient and keep θ = 0 (w = 0.5).
   */
  outerHeldOut: boolean;
  /** Adam learning rate of the scores θ (0.25) and the L2 clip of the hypergradient (3). */
  scoreLearningRate: number;
  hypergradClipNorm: number;
  /** Only samples whose weight is in this top fraction count in the outer loss (0.9). */
  outerMaskFraction: number;
  /**
   * Remove each class's mean from the hypergradient before the θ step ('center'), or not ('none', the official code).
   * Without it the weights track the class: the hypergradient has a component shared by all samples of a class (the
   * outer loss can also be lowered by shifting the trained model's class prior, through the bias and class-typical
   * words), that component has the same sign at every outer iteration while the per-sample part varies with the inner
   * shuffle, and Adam's per-coordinate normalisation turns any consistent sign into a full step — so whole classes
   * drift up or down. Centring per class leaves only the within-class ranking, which is what finds wrong labels.
   */
  classCentering: 'center' | 'none';
  /**
   * Outer loss as the mean over classes of each class's mean RCE (true) instead of the mean over samples (false, the
   * official code), so a majority class cannot dominate g on an imbalanced set.
   */
  balancedOuterLoss: boolean;
  /** Central-difference step along the unit outer-gradient direction. */
  finiteDifferenceEpsilon: number;
  /** Batch size of the inference passes (outer gradient and finite differences). */
  evalBatchSize: number;
  /** Seeds the outer-subset draw and the inner shuffles (the TAM's own init is seeded by its config). */
  seed: number;
}

export const DEFAULT_SUNGEN_OPTIONS: SungenOptions = {
  outerIterations: 30,
  outerSetSize: 2000,
  innerBatchSize: 32,
  innerLearningRate: 1e-3,
  innerEpochs: 1,
  outerHeldOut: false,
  scoreLearningRate: 0.25,
  hypergradClipNorm: 3,
  outerMaskFraction: 0.9,
  classCentering: 'center',
  balancedOuterLoss: true,
  finiteDifferenceEpsilon: 1e-2,
  evalBatchSize: 256,
  seed: 1,
};

export type SungenPhase = 'inner' | 'outer' | 'hypergradient';

export interface SungenProgress {
  phase: SungenPhase;
  /** 1-based outer iteration and the total T. */
  iteration: number;
  iterations: number;
  /** Inner step (0-based) and steps per epoch; set in the 'inner' phase. */
  innerStep?: number;
  innerSteps?: number;
  innerLoss?: number;
  /** Outer (RCE) loss at φ*; set from the 'outer' phase on. */
  outerLoss?: number;
  /** ‖h‖₂ before clipping; set in the 'hypergradient' phase. */
  hypergradNorm?: number;
  /** Weight statistics after the θ update; set in the 'hypergradient' phase. */
  weightStats?: WeightStats;
  elapsedSeconds: number;
  /** What this run of SunGen is for when it is not the main one (e.g. a fold of the default's cross-fitted choice). */
  stage?: string;
}

export interface SungenIterationRecord {
  iteration: number;
  innerLoss: number;
  outerLoss: number;
  hypergradNorm: number;
  weightStats: WeightStats;
  seconds: number;
}

export interface SungenResult {
  /** Learned score θᵢ per training sample. */
  theta: Float32Array;
  /** wᵢ = sigmoid(θᵢ). */
  weights: Float32Array;
  /**
   * Each sample's cross-entropy at φ* (the inner model after its weighted epoch), averaged over the T outer iterations
   * (0 for rows never trained on). A by-product of the finite differences; a small-loss noise score to compare with θ.
   */
  meanInnerLoss: Float32Array;
  history: SungenIterationRecord[];
  seconds: number;
}
