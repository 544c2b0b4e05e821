// The shape of a generation task (ZeroGen style): label names, one prompt per label, optional context stage.
// Shared by presets, validation, the generator, storage and the UI.

/** One class of the task. `prompt` is a ZeroGen-style template that ends in an opening quote. */
export interface LabelSpec {
  /** The label name as stored with every sample and matched against test sets (e.g. "positive"). */
  name: string;
  /** Template; must contain `{context}` when the task has a context stage. Ends with `"`. */
  prompt: string;
  /** Labels whose prompts act as counter-prompts for self-debiasing (ZeroGen). Names, not indices. */
  counterLabels?: string[];
}

/** Optional first stage of two-stage generation: generate a context (e.g. a movie title) first. */
export interface ContextStage {
  /** Template for generating a context, e.g. `Movie: "`. No placeholders. */
  prompt: string;
  /** Fixed list of contexts to draw from instead of generating (e.g. Amazon product categories). */
  values?: string[];
  /** Max new tokens for a context. */
  maxNewTokens: number;
}

export interface TaskSpec {
  /** Stable id, e.g. "imdb", "happy-sad-stories". */
  id: string;
  /** Display name. */
  name: string;
  labels: LabelSpec[];
  context?: ContextStage;
  /** ZeroGen self-debiasing: decay constant λ (0 disables). Uses each label's counterLabels. */
  selfDebiasDecay?: number;
  /** Where the prompts come from (paper + file), for the README / UI. */
  source?: string;
}
