// The shape of a generation task (ZeroGen style): label names, one prompt per label, optional context stage, and the
// prompt style: a continuation prompt for base models, or a chat turn (system + user instruction) for instruct models.
// Shared by presets, validation, the generator, storage and the UI.

/**
 * How prompts reach the model. 'continuation' (ZeroGen, for base models): the label's `prompt` is plain text that ends
 * in an opening quote and the sample is the quoted continuation. 'chat' (for instruct models): the model's chat
 * template is applied to a system turn and the label's `instruction` as the user turn, and the sample is the
 * assistant's reply. Tasks without the field use 'continuation'.
 */
export type PromptStyle = 'continuation' | 'chat';

/** One message of a chat prompt, as chat templates and OpenAI-compatible servers take it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One class of the task. `prompt` is a ZeroGen-style template that ends in an opening quote. */
export interface LabelSpec {
  /** The label name as stored with every sample and matched against test sets (e.g. "positive"). */
  name: string;
  /** Template; must contain `{context}` when the task has a context stage. Ends with `"`. */
  prompt: string;
  /**
   * The user turn for the 'chat' prompt style, e.g. `Write a positive review of the movie "{context}".` Same
   * `{context}` rule as `prompt`. Required when the task's promptStyle is 'chat'.
   */
  instruction?: string;
  /** Labels whose prompts act as counter-prompts for self-debiasing (ZeroGen). Names, not indices. */
  counterLabels?: string[];
}

/** One in-context example for the few-shot lever: a text and the name of its label (one of the task's labels). */
export interface FewShotExample {
  text: string;
  label: string;
}

/** Optional first stage of two-stage generation: generate a context (e.g. a movie title) first. */
export interface ContextStage {
  /** Template for generating a context, e.g. `Movie: "`. No placeholders. */
  prompt: string;
  /** Fixed list of contexts to draw from instead of generating (e.g. Amazon product categories). */
  values?: string[];
  /**
   * The user turn that asks for a context in the 'chat' style (e.g. `Name a movie. Reply with its title only.`).
   * Without it, the chat style generates contexts from the continuation `prompt` (instruct models continue text too).
   */
  instruction?: string;
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
  /** 'continuation' (default; base models) or 'chat' (instruct models); see PromptStyle. Saved with the run. */
  promptStyle?: PromptStyle;
  /**
   * The system turn of the 'chat' style. Absent: DEFAULT_SYSTEM_PROMPT (src/core/generation/prompt.ts); an empty
   * string sends no system turn (the model's template may then add its own default).
   */
  systemPrompt?: string;
  /**
   * Diversity lever (Li et al. 2024): topics or attributes (e.g. aspects of a movie, product kinds, news subjects).
   * Each sample's prompt gets one, drawn by seed so every topic is used equally often and in the same proportions
   * for every label (a topic never hints at the label). Absent or empty: off.
   */
  topics?: string[];
  /** The sentence that carries the topic into the prompt; must contain `{topic}`. Absent: DEFAULT_TOPIC_TEMPLATE. */
  topicTemplate?: string;
  /**
   * Few-shot lever: labelled in-context examples (written by the user or read from a small labelled file). Each
   * sample's prompt shows `shots` examples of the label being generated (never another label's), drawn by seed.
   */
  examples?: FewShotExample[];
  /** k: examples shown per prompt (0 = off). Absent with examples: DEFAULT_SHOTS. */
  shots?: number;
  /** Where the prompts come from (paper + file), for the README / UI. */
  source?: string;
}
