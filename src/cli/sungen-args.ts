// Options of `npm run bench:sungen`: files, model kind, methods, seeds, SunGen and training knobs, with defaults and
// clear errors for bad input.
import { numberOption, parseArgs, UsageError } from './args';
import { DEFAULT_METHOD, METHODS, parseMethods, type MethodName } from '../core/clean/methods';
import type { TamKind } from '../core/classifier/types';
import { defaultSettings } from '../core/train/settings';

export interface BenchSungenArgs {
  train: string;
  tests: string[];
  model: TamKind;
  methods: MethodName[];
  seeds: number;
  /** First seed (seeds are firstSeed … firstSeed + seeds − 1), so one long measurement can run as parallel processes. */
  firstSeed: number;
  json: boolean;
  maxSamples?: number;
  maxTestSamples?: number;
  /** SunGen */
  outerIterations: number;
  outerSetSize: number;
  keepFraction: number;
  scoreLearningRate: number;
  /** Inner Adam learning rate (undefined = per inner model kind), inner epochs, held-out outer set. */
  innerLearningRate?: number;
  innerEpochs: number;
  outerHeldOut: boolean;
  /** Per-class centring of SunGen's θ step and the class-balanced outer loss (the class-tracking fix). */
  centering: 'center' | 'none';
  outerLoss: 'balanced' | 'mean';
  /** Flip this fraction of the training labels (seeded) and report each score's ROC-AUC at finding them (0 = off). */
  flipLabels: number;
  /** With --flip-labels: skip the out-of-fold score when the oof method is not run (saves K training runs). */
  skipOofScore: boolean;
  /** Report the label-free selection among the methods run ("selected") and how often it matches the best on the tests. */
  select: boolean;
  /** A few real labelled examples (file, count): SunGen's outer set and the default method's selection set. */
  realFile?: string;
  realCount: number;
  realAsOuter: boolean;
  /** Tokens per text for a non-fast SunGen inner model. */
  innerMaxTokens: number;
  /** Stratified held-out fraction of the synthetic set for the guard and selection. */
  validationFraction: number;
  /** Out-of-fold folds (oof method and the noise-AUC score). */
  folds: number;
  /** SunGen final training: learned weights (soft) or selection only (hard). */
  sungenFinalWeights: 'soft' | 'hard';
  /** SunGen keeps its top fraction by θ, or by the mean of θ's and the inner loss's ranks. */
  sungenRanking: 'theta' | 'theta+loss';
  /** Folds of the default's cross-fitted selection on small sets (0 = held-out split only); undefined = the page's. */
  selectionFolds?: number;
  /** Final training */
  epochs: number;
  batchSize: number;
  learningRate: number;
  maxLenTokens: number;
  vocabSize: number;
  backend: 'wasm' | 'cpu';
  /** Timed steps of the BiLSTM throughput comparison (0 = skip). */
  throughputSteps: number;
}

export const BENCH_SUNGEN_USAGE = `Usage: npm run bench:sungen -- --train FILE --test FILE [--test FILE ...] [options]
  --model lstm|transformer|fast     final classifier (default lstm)
  --methods LIST                    comma list of ${METHODS.join(', ')}, default (= ${DEFAULT_METHOD}; default none,filter,sungen-fast,default)
  --seeds N                         seeds per method (default 1)
  --first-seed S                    first seed; seeds are S … S + N − 1 (default 1000), e.g. to split seeds over processes
  --json                            print one JSON object as the last line
  --max-samples N                   use only the first N training rows (class-balanced)
  --max-test-samples N              use only the first N rows of each test file
  --iterations T                    SunGen outer iterations (default 30)
  --outer-set N                     SunGen outer-set size (default 2000)
  --keep F                          fraction of each class kept by filter/SunGen (default 0.8)
  --score-lr X                      SunGen Adam learning rate of θ (default 0.25)
  --inner-lr X                      SunGen inner Adam learning rate (default by inner model: fast 1e-2, else 1e-3)
  --inner-epochs N                  SunGen inner epochs per outer iteration (default 1)
  --outer-held-out                  hold the SunGen outer set out of the inner training
  --centering center|none           per-class centring of SunGen's θ step (default center; none = official code)
  --outer-loss balanced|mean        SunGen outer RCE averaged per class (default balanced) or per sample (official)
  --flip-labels F                   flip F of the training labels and add "noiseAuc" per score (filter, oof, SunGen θ)
  --skip-oof-score                  with --flip-labels, do not compute the out-of-fold score unless oof runs
  --select                          report the label-free choice (the default's own when it runs, else the best held-out
                                    score among the methods run): adds "selected" and its hit rate on validation/test
  --real FILE --real-count N        N real labelled rows from FILE (default 50) as the default's selection set
  --real-as-outer                   …and as SunGen's outer set
  --inner-max-len N                 tokens per text for a BiLSTM/transformer SunGen inner model (default 32)
  --val-fraction F                  held-out synthetic split for the guard and selection (default 0.1)
  --folds K                         folds of the out-of-fold confidence (default 4)
  --final-weights soft|hard         SunGen final training with learned weights or top-K selection only (default soft)
  --sungen-rank theta|theta+loss    SunGen keeps its top fraction by θ (default) or by θ's and its inner loss's mean rank
  --selection-folds K               default: cross-fit its choice over K folds on any set under 5,000 rows (0 = off;
                                    unset: 3 folds where SunGen is a candidate, from 1,500 training rows)
  --epochs N                        final training epochs (default as the pipeline: fast 8, else 3)
  --batch N                         final training batch size (default 32)
  --lr X                            final training Adam learning rate (default as the pipeline: fast 1e-2, else 1e-3)
  --max-len N                       tokens per text (default 64)
  --vocab N                         vocabulary size (default 20000)
  --backend wasm|cpu                tfjs backend (default wasm)
  --throughput-steps N              timed steps of the BiLSTM throughput comparison (default 5, 0 = skip)`;

function posInt(name: string, v: number | undefined, dflt: number): number {
  const n = v ?? dflt;
  if (!(Number.isInteger(n) && n > 0)) throw new UsageError(`--${name} must be a positive integer (got ${n}).`);
  return n;
}

function fraction(name: string, v: number | undefined, dflt: number): number {
  const n = v ?? dflt;
  if (!(n > 0 && n <= 1)) throw new UsageError(`--${name} must be in (0, 1] (got ${n}).`);
  return n;
}

export function parseBenchSungenArgs(argv: string[]): BenchSungenArgs {
  const { values, flags, lists } = parseArgs(argv, {
    values: ['sungen-rank', 'selection-folds', 'inner-max-len', 'centering', 'outer-loss', 'flip-labels', 'real', 'real-count', 'val-fraction', 'folds', 'train', 'model', 'methods', 'seeds', 'first-seed', 'max-samples', 'max-test-samples', 'iterations', 'outer-set', 'keep', 'score-lr', 'inner-lr', 'inner-epochs', 'final-weights', 'epochs', 'batch', 'lr', 'max-len', 'vocab', 'backend', 'throughput-steps'],
    flags: ['json', 'outer-held-out', 'select', 'skip-oof-score', 'real-as-outer'],
    repeated: ['test'],
  });
  const tests = lists.get('test') ?? [];
  const train = values.get('train');
  if (!train) throw new UsageError('--train FILE is required.');
  if (tests.length === 0) throw new UsageError('At least one --test FILE is required.');
  const model = values.get('model') ?? 'lstm';
  if (model !== 'lstm' && model !== 'transformer' && model !== 'fast') throw new UsageError(`--model must be lstm, transformer or fast (got "${model}").`);
  const backend = values.get('backend') ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`--backend must be wasm or cpu (got "${backend}").`);
  let methods: MethodName[];
  try {
    methods = parseMethods(values.get('methods') ?? 'none,filter,sungen-fast,default');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const maxSamples = numberOption(values, 'max-samples');
  const maxTestSamples = numberOption(values, 'max-test-samples');
  // Final-training defaults follow the pipeline's per-kind settings: the fast model at 1e-3 × 3 epochs is
  // under-trained, which made every data-selection method look worse than it is in the app.
  const pipeline = defaultSettings(model);
  const lr = numberOption(values, 'lr') ?? pipeline.learningRate;
  const scoreLr = numberOption(values, 'score-lr') ?? 0.25;
  const innerLr = numberOption(values, 'inner-lr');
  const finalWeights = values.get('final-weights') ?? 'soft';
  if (finalWeights !== 'soft' && finalWeights !== 'hard') throw new UsageError(`--final-weights must be soft or hard (got "${finalWeights}").`);
  if (!(lr > 0) || !(scoreLr > 0) || (innerLr !== undefined && !(innerLr > 0))) throw new UsageError('--lr, --score-lr and --inner-lr must be > 0.');
  const centering = values.get('centering') ?? 'center';
  if (centering !== 'center' && centering !== 'none') throw new UsageError(`--centering must be center or none (got "${centering}").`);
  const outerLoss = values.get('outer-loss') ?? 'balanced';
  if (outerLoss !== 'balanced' && outerLoss !== 'mean') throw new UsageError(`--outer-loss must be balanced or mean (got "${outerLoss}").`);
  const flip = numberOption(values, 'flip-labels') ?? 0;
  if (!(flip >= 0 && flip < 0.5)) throw new UsageError(`--flip-labels must be in [0, 0.5) (got ${flip}).`);
  const valFraction = numberOption(values, 'val-fraction') ?? 0.1;
  if (!(valFraction >= 0 && valFraction < 0.5)) throw new UsageError(`--val-fraction must be in [0, 0.5) (got ${valFraction}).`);
  const folds = numberOption(values, 'folds') ?? 4;
  if (!(Number.isInteger(folds) && folds >= 2 && folds <= 20)) throw new UsageError(`--folds must be an integer from 2 to 20 (got ${folds}).`);
  const realFile = values.get('real');
  const ranking = values.get('sungen-rank') ?? 'theta';
  if (ranking !== 'theta' && ranking !== 'theta+loss') throw new UsageError(`--sungen-rank must be theta or theta+loss (got "${ranking}").`);
  const selectionFolds = numberOption(values, 'selection-folds');
  if (selectionFolds !== undefined && !(Number.isInteger(selectionFolds) && selectionFolds >= 0 && selectionFolds <= 10)) {
    throw new UsageError(`--selection-folds must be an integer from 0 to 10 (got ${selectionFolds}).`);
  }
  return {
    centering,
    outerLoss,
    flipLabels: flip,
    select: flags.has('select'),
    skipOofScore: flags.has('skip-oof-score'),
    realFile,
    realAsOuter: flags.has('real-as-outer'),
    realCount: realFile ? posInt('real-count', numberOption(values, 'real-count'), 50) : 0,
    validationFraction: valFraction,
    innerMaxTokens: posInt('inner-max-len', numberOption(values, 'inner-max-len'), 32),
    folds,
    train,
    tests,
    model,
    methods,
    seeds: posInt('seeds', numberOption(values, 'seeds'), 1),
    firstSeed: posInt('first-seed', numberOption(values, 'first-seed'), 1000),
    json: flags.has('json'),
    maxSamples: maxSamples === undefined ? undefined : posInt('max-samples', maxSamples, 1),
    maxTestSamples: maxTestSamples === undefined ? undefined : posInt('max-test-samples', maxTestSamples, 1),
    outerIterations: posInt('iterations', numberOption(values, 'iterations'), pipeline.outerIterations),
    outerSetSize: posInt('outer-set', numberOption(values, 'outer-set'), pipeline.outerSetSize),
    keepFraction: fraction('keep', numberOption(values, 'keep'), pipeline.keepFraction),
    scoreLearningRate: scoreLr,
    innerLearningRate: innerLr,
    innerEpochs: posInt('inner-epochs', numberOption(values, 'inner-epochs'), 1),
    outerHeldOut: flags.has('outer-held-out'),
    sungenFinalWeights: finalWeights,
    sungenRanking: ranking,
    selectionFolds,
    epochs: posInt('epochs', numberOption(values, 'epochs'), pipeline.epochs),
    batchSize: posInt('batch', numberOption(values, 'batch'), 32),
    learningRate: lr,
    maxLenTokens: posInt('max-len', numberOption(values, 'max-len'), 64),
    vocabSize: posInt('vocab', numberOption(values, 'vocab'), 20000),
    backend,
    throughputSteps: (() => {
      const v = numberOption(values, 'throughput-steps') ?? 5;
      if (!(Number.isInteger(v) && v >= 0)) throw new UsageError(`--throughput-steps must be an integer ≥ 0 (got ${v}).`);
      return v;
    })(),
  };
}
