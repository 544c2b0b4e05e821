// Loading a causal LM with transformers.js v4 (tokenizer + ONNX model) and the per-model tables the decoding loop
// needs (which token ids end a sample). transformers.js `env` (localModelPath, allowRemoteModels, wasmPaths) is set by
// the caller: the browser worker or src/cli/node-env.ts.
import { AutoConfig, AutoModelForCausalLM, AutoTokenizer } from '@huggingface/transformers';
import { findCatalogEntry, onnxFileFor, type CatalogDtype } from '../models/catalog.ts';
import { errorText } from '../error-text.ts';
import type { ChatMessage } from '../tasks/types.ts';

export type LmDevice = 'webgpu' | 'wasm' | 'cpu';

export interface LoadProgress {
  file: string;
  loadedBytes: number;
  totalBytes: number;
}

/** What the decoding loop needs from a loaded model. */
export interface LmInternals {
  tokenizer: any;
  model: any;
  vocabSize: number;
  padId: number;
  /** 1 for ids that end generation (EOS). [V] */
  eosMask: Uint8Array;
  /** 1 for ids whose text contains a double quote or a newline (the sample's end in ZeroGen prompts). [V] */
  stopMask: Uint8Array;
  /** 1 for ids whose text contains a newline (where a chat-style sample ends). [V] */
  newlineMask: Uint8Array;
  /** Whether the tokenizer has a chat template (needed by the 'chat' prompt style). */
  hasChatTemplate: boolean;
  encode(text: string): number[];
  /** Ids of the chat template applied to `messages` with the assistant turn opened. Throws without a chat template. */
  encodeChat(messages: ChatMessage[]): number[];
  decode(ids: number[]): string;
}

export interface LoadedLm {
  modelId: string;
  /** Where the files came from: a local folder (bundled / offline pack) or the hub. */
  source: 'local' | 'hub';
  device: LmDevice;
  dtype: string;
  dispose(): Promise<void>;
  readonly internals: LmInternals;
}

export interface LoadLmOptions {
  modelId: string;
  device: LmDevice;
  dtype?: string;
  onProgress?: (p: LoadProgress) => void;
  /** Where the files come from (default 'local'); decides which recorded self-test ids apply. */
  source?: 'local' | 'hub';
  /** Extra onnxruntime session options (e.g. { intraOpNumThreads: 1 }); passed to transformers.js as is. */
  sessionOptions?: Record<string, unknown>;
}

/** Pulls the first model-relative file name out of a transformers.js / onnxruntime error, if any. */
function fileNamedIn(message: string, candidates: string[]): string | undefined {
  return candidates.find((f) => message.includes(f) || message.includes(f.split('/').pop() ?? f));
}

/** Loads tokenizer and model; errors name the file that could not be loaded (missing or corrupt). */
export async function loadLm(opts: LoadLmOptions): Promise<LoadedLm> {
  const entry = findCatalogEntry(opts.modelId);
  // Node (onnxruntime-node, device 'cpu') may have a file of its own: SmolLM2's q8 runs on its int8 CPU kernels.
  const dtype = (opts.dtype ?? (opts.device === 'cpu' ? entry?.nodeDtype : undefined) ?? entry?.dtype ?? 'fp32') as CatalogDtype;
  const onnxFile = onnxFileFor(dtype);
  const progress_callback = opts.onProgress
    ? (d: any) => {
        if (d && d.status === 'progress' && typeof d.file === 'string') {
          opts.onProgress!({ file: d.file, loadedBytes: Number(d.loaded ?? 0), totalBytes: Number(d.total ?? 0) });
        }
      }
    : undefined;
  const where = `model "${opts.modelId}"`;

  let config: any;
  try {
    config = await AutoConfig.from_pretrained(opts.modelId, { progress_callback } as any);
  } catch (e) {
    throw new Error(`Could not load config.json of ${where}: ${errorText(e)}`, { cause: e });
  }
  let tokenizer: any;
  try {
    tokenizer = await AutoTokenizer.from_pretrained(opts.modelId, { progress_callback } as any);
  } catch (e) {
    const msg = errorText(e);
    const file = fileNamedIn(msg, ['tokenizer_config.json', 'tokenizer.json']) ?? 'tokenizer.json / tokenizer_config.json';
    throw new Error(`Could not load ${file} of ${where}: ${msg}`, { cause: e });
  }
  let model: any;
  try {
    model = await AutoModelForCausalLM.from_pretrained(opts.modelId, {
      config,
      dtype: dtype as any,
      device: opts.device as any,
      progress_callback,
      ...(opts.sessionOptions ? { session_options: opts.sessionOptions } : {}),
    } as any);
  } catch (e) {
    const msg = errorText(e);
    const missing = /could not locate|not found|404|ENOENT/i.test(msg);
    throw new Error(
      `Could not load ${onnxFile} of ${where} (dtype ${dtype}, device ${opts.device}): ` +
        `${missing ? 'the file is missing' : 'the file is corrupt or not a valid ONNX model'} (${msg})`,
      { cause: e },
    );
  }

  const vocabSize = Number(config.vocab_size ?? tokenizer.get_vocab?.().size ?? 0);
  if (!Number.isInteger(vocabSize) || vocabSize <= 0) throw new Error(`config.json of ${where} has no vocab_size`);
  const eosRaw = config.eos_token_id ?? tokenizer.eos_token_id;
  const eosIds: number[] = (Array.isArray(eosRaw) ? eosRaw : eosRaw == null ? [] : [eosRaw]).map(Number);
  const eosMask = new Uint8Array(vocabSize);
  for (const id of eosIds) if (id >= 0 && id < vocabSize) eosMask[id] = 1;
  const padId = Number(tokenizer.pad_token_id ?? eosIds[0] ?? 0);
  const stopMask = new Uint8Array(vocabSize);
  const newlineMask = new Uint8Array(vocabSize);
  for (let id = 0; id < vocabSize; id++) {
    const text: string = tokenizer.decode([id], { skip_special_tokens: false });
    if (text.includes('"') || text.includes('\n')) stopMask[id] = 1;
    if (text.includes('\n')) newlineMask[id] = 1;
  }
  const hasChatTemplate = typeof tokenizer.chat_template === 'string' && tokenizer.chat_template.length > 0;

  const internals: LmInternals = {
    tokenizer,
    model,
    vocabSize,
    padId,
    eosMask,
    stopMask,
    newlineMask,
    hasChatTemplate,
    encode: (text) => Array.from(tokenizer.encode(text) as number[], Number),
    encodeChat: (messages) => {
      if (!hasChatTemplate) {
        throw new Error(
          `Model "${opts.modelId}" has no chat template (tokenizer_config.json), so it cannot use the chat prompt style; ` +
            'use the continuation prompt style.',
        );
      }
      const text: string = tokenizer.apply_chat_template(messages, { tokenize: false, add_generation_prompt: true });
      // The template writes the special tokens itself; do not let the tokenizer add a BOS a second time.
      return Array.from(tokenizer.encode(text, { add_special_tokens: false }) as number[], Number);
    },
    decode: (ids) => tokenizer.decode(ids, { skip_special_tokens: true }),
  };
  return {
    modelId: opts.modelId,
    source: opts.source ?? 'local',
    device: opts.device,
    dtype,
    internals,
    dispose: async () => {
      await model.dispose?.();
    },
  };
}
