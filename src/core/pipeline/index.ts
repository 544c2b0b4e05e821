// Public surface of the training pipeline (framework-free: page worker, Node CLI and tests).
export { DEFAULT_FINAL_TRAINING, defaultMethodDeps, tamConfigFor, type FinalStepProgress, type FinalTrainingOptions, type ModelShape } from './deps.ts';
export { classifyTexts, loadModel, saveModel, type Classification, type SavedModel, type SavedParameter } from './model-io.ts';
export { MAX_IMPORT_LABELS, MAX_IMPORT_ROWS, MAX_LINE_CHARS, checkLineLengths, parseImportJsonl, samplesToRows, type ImportedSamples, type PipelineSample } from './samples.ts';
export { EVAL_PRESETS, findPreset, loadTestSet, presetsForLabels, type EvalPreset } from './test-sets.ts';
export {
  extremeSamples,
  trainOnSamples,
  type PipelineHooks,
  type PipelineInput,
  type PipelinePhase,
  type PipelineProgress,
  type TestEvaluation,
  type TrainingOutcome,
  type WeightedSample,
} from './train-samples.ts';
export { modelFromRecord, summariseTraining, toTrainingRecord, weightsBySampleId, type TrainingSummary } from './record.ts';
export { IMPORTED_MODEL_ID, IMPORTED_PROMPT, importSamplesAsRun, importedRunConfig, type ImportInput, type ImportResult } from './import-run.ts';
export { METHOD_NAMES, TAM_KINDS, defaultLearningRate, defaultSettings, validateSettings, type TrainingSettings } from './settings.ts';
