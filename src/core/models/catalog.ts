// The models the app knows about, their download sizes and the exact files transformers.js v4 requests for the chosen
// dtype, and how a model id is resolved: a local folder (bundled / offline model pack) first, the Hugging Face hub only
// when the user allowed network, otherwise 'unavailable' with a reason. transformers.js loads decoder-only models from
// `onnx/model<suffix>.onnx`, suffix by dtype: fp32 '', fp16 '_fp16', q8 '_quantized', q4 '_q4', q4f16 '_q4f16'
// (DEFAULT_DTYPE_SUFFIX_MAPPING in @huggingface/transformers src/utils/dtypes.js).

export type CatalogDtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';

export interface CatalogEntry {
  id: string;
  displayName: string;
  /** Total bytes of `files` for `dtype` (hub sizes, rounded; shown to the user before a download). */
  downloadSizeBytes: number;
  /** The file the page loads (WASM / WebGPU). */
  dtype: CatalogDtype;
  /**
   * A smaller-memory file of the same model the page uses instead when the device reports less than
   * LEAN_BELOW_DEVICE_MEMORY_GB of memory, or when loading `dtype` runs out of memory (only where that file exists).
   */
  leanDtype?: CatalogDtype;
  /** About how much memory loading `dtype` takes in the page (MB), shown with the model and in the lean-file reason. */
  loadMemoryMB?: number;
  /** The file Node (onnxruntime-node, the CLI and benches) loads when it differs from `dtype`. */
  nodeDtype?: CatalogDtype;
  /** The file the page loads from the hub when it differs from the offline pack's `dtype` (the hub's own export). */
  hubDtype?: CatalogDtype;
  variant: 'base' | 'instruct';
  bundled: boolean;
  /** Paths relative to the model folder that must exist (transformers.js names for `dtype`). */
  files: string[];
  /**
   * Known-answer greedy test: the first ids generated after `prompt` (no special handling, BOS as the tokenizer adds).
   * `localOnly`: the ids were recorded on the offline pack's files; the hub's files for the same id are a different
   * export, so they are checked against a one-off WASM run instead.
   */
  selfTest?: { prompt: string; expectedIds: number[]; localOnly?: boolean };
  /**
   * Task preset ids this model can write sensible text for; absent = any task. Used to warn when the chosen model does
   * not suit the chosen task (e.g. the TinyStories model with movie reviews).
   */
  suitedTasks?: string[];
  /** What the model writes, for that warning (e.g. "children's stories"). */
  writes?: string;
  /** How to build the offline pack when it is not shipped (shown when the model is unavailable offline). */
  packCommand?: string;
  /** One line for the UI. */
  description?: string;
}

export const ONNX_SUFFIX_BY_DTYPE: Record<CatalogDtype, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
};

/** The ONNX file transformers.js v4 requests for a decoder-only model in this dtype. */
export function onnxFileFor(dtype: CatalogDtype): string {
  return `onnx/model${ONNX_SUFFIX_BY_DTYPE[dtype]}.onnx`;
}

function filesFor(dtype: CatalogDtype): string[] {
  return ['config.json', 'tokenizer.json', 'tokenizer_config.json', onnxFileFor(dtype)];
}

const MB = 1024 * 1024;

export const DEFAULT_MODEL_ID = 'karpathy/stories260K';

export const MODEL_CATALOG: CatalogEntry[] = [
  {
    id: 'karpathy/stories260K',
    displayName: 'TinyStories 260K (bundled)',
    downloadSizeBytes: 1_226_065 + 12_327 + 502 + 293,
    dtype: 'fp32',
    variant: 'base',
    bundled: true,
    files: filesFor('fp32'),
    description: 'Tiny Llama trained on children\'s stories; ships with the app, works offline.',
    suitedTasks: ['happy-sad-stories'],
    writes: 'simple children\'s stories',
    // Recorded with greedy decoding (onnxruntime-node and the page agree): "..., there was a little girl named Lily."
    selfTest: {
      prompt: 'Once upon a time',
      expectedIds: [432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337],
    },
  },
  {
    id: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    displayName: 'SmolLM2 135M Instruct',
    // Offline pack from `npm run model-pack`: onnx/model_q4.onnx 164.9 MB (the GGUF's own Q4_1 blocks, expanded to
    // float32 once when the session is created: onnxruntime-web has no fast kernel for quantised MatMuls and otherwise
    // expands every weight on every step) + tokenizer.json 3.5 MB + configs. The pack also holds
    // onnx/model_quantized.onnx (q8, 187.7 MB, MatMulNBits): what Node loads (onnxruntime-node's int8 kernels) and the
    // page's lean file. The hub's own q4 export is MatMulNBits too (about 100 MB); the size shown is the larger.
    downloadSizeBytes: 164_899_136 + 3_522_761 + 8 * 1024,
    dtype: 'q4',
    leanDtype: 'q8',
    loadMemoryMB: 3000,
    nodeDtype: 'q8',
    // The hub's model_q4.onnx is 4-bit MatMulNBits, which onnxruntime-web re-expands on every step (337 ms per step
    // measured for such a file here); from the hub the page keeps the q8 export it used before.
    hubDtype: 'q8',
    variant: 'instruct',
    bundled: false,
    files: filesFor('q4'),
    packCommand: 'npm run model-pack',
    description: 'Small English instruct model (135M, Llama architecture): real movie reviews, news and product texts. Uses chat prompts.',
    // Recorded with greedy decoding on the offline pack (onnxruntime-node with q4 and q8, and llama.cpp on the GGUF
    // agree): ", the city of Nova Haven was a thriving metropolis".
    selfTest: {
      prompt: 'Once upon a time',
      expectedIds: [28, 260, 2240, 282, 23324, 27108, 436, 253, 15114, 39228],
      localOnly: true,
    },
  },
  {
    id: 'onnx-community/Qwen2.5-0.5B-Instruct',
    displayName: 'Qwen2.5 0.5B Instruct (q4f16)',
    downloadSizeBytes: Math.round(483 * MB + 6.7 * MB + 8 * 1024),
    dtype: 'q4f16',
    variant: 'instruct',
    bundled: false,
    files: filesFor('q4f16'),
    description: 'Largest option; best text, needs WebGPU with shader-f16 to be fast.',
  },
  {
    id: 'Xenova/distilgpt2',
    displayName: 'DistilGPT-2 (q8)',
    downloadSizeBytes: Math.round(84.2 * MB + 1.3 * MB + 2 * 1024),
    dtype: 'q8',
    variant: 'base',
    bundled: false,
    files: filesFor('q8'),
    description: 'Base GPT-2 family model (ZeroGen used GPT-2 XL).',
  },
  {
    id: 'Xenova/gpt2',
    displayName: 'GPT-2 small (q8)',
    downloadSizeBytes: Math.round(125.6 * MB + 1.3 * MB + 2 * 1024),
    dtype: 'q8',
    variant: 'base',
    bundled: false,
    files: filesFor('q8'),
    description: 'Base GPT-2 (124M), closest to the papers\' generator that fits a browser.',
  },
];

/** The files the page fetches for `entry` from the hub (its own export may use another dtype than the pack). */
export function hubFilesOf(entry: CatalogEntry): string[] {
  if (!entry.hubDtype || entry.hubDtype === entry.dtype) return entry.files;
  return entry.files.map((f) => (f === onnxFileFor(entry.dtype) ? onnxFileFor(entry.hubDtype!) : f));
}

/** Files a pack may carry beyond `entry.files` and that are kept on import: the lean file. */
export function optionalPackFiles(entry: CatalogEntry): string[] {
  return entry.leanDtype && entry.leanDtype !== entry.dtype ? [onnxFileFor(entry.leanDtype)] : [];
}

/** Devices reporting less memory than this (navigator.deviceMemory, GB) get an entry's lean file. */
export const LEAN_BELOW_DEVICE_MEMORY_GB = 8;

/**
 * The dtype the page loads for `entry`, and why when it is the lean file. `deviceMemoryGB` is what the browser
 * reports (undefined where it reports nothing: then the main file, and the out-of-memory retry is the safety net);
 * `leanAvailable` whether the lean file exists where the model loads from; from the hub, the hub's own export.
 */
export function pageDtypeFor(
  entry: CatalogEntry,
  opts: { deviceMemoryGB?: number; leanAvailable: boolean },
  source: 'local' | 'hub' = 'local',
): { dtype: CatalogDtype; reason?: string } {
  if (source === 'hub') return { dtype: entry.hubDtype ?? entry.dtype };
  const lean = entry.leanDtype;
  if (!lean || !opts.leanAvailable || opts.deviceMemoryGB === undefined || opts.deviceMemoryGB >= LEAN_BELOW_DEVICE_MEMORY_GB) {
    return { dtype: entry.dtype };
  }
  const need = entry.loadMemoryMB ? ` needs about ${(entry.loadMemoryMB / 1000).toFixed(1)} GB while loading and` : '';
  return {
    dtype: lean,
    reason: `this device reports ${opts.deviceMemoryGB} GB of memory; the ${entry.dtype} file${need} is faster, so the smaller ${lean} file is used`,
  };
}

/** Whether a model-loading error means the page ran out of memory (WASM heap growth or an allocation failure). */
export function isOutOfMemoryError(message: string): boolean {
  return /out of memory|memory\.grow|could not allocate|failed to allocate|bad_alloc|allocation failed|array buffer allocation/i.test(message);
}

export function findCatalogEntry(id: string): CatalogEntry | undefined {
  return MODEL_CATALOG.find((e) => e.id === id);
}

/**
 * A warning when `entry` cannot write sensible text for the task (by preset id), naming models that can; null when
 * it suits. Custom tasks count as unsuited to models restricted to a few presets.
 */
export function modelTaskWarning(entry: CatalogEntry, task: { id: string; name: string }): string | null {
  if (!entry.suitedTasks || entry.suitedTasks.includes(task.id)) return null;
  const better = MODEL_CATALOG.filter((e) => !e.suitedTasks).map((e) => e.displayName);
  return (
    `${entry.displayName} writes ${entry.writes ?? 'text of one kind only'}, so its samples for "${task.name}" will be ` +
    `nonsense with confident labels. Choose ${better.slice(0, 2).join(' or ')} for this task.`
  );
}

/** Human-readable size, e.g. "1.2 MB", "483 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MB) return `${(bytes / 1024).toFixed(1)} KB`;
  const mb = bytes / MB;
  return mb < 10 ? `${mb.toFixed(1)} MB` : `${Math.round(mb)} MB`;
}

/** An entry for a model id that is not in the catalog (e.g. a folder given to the CLI): fp32, no self-test. */
export function customEntry(id: string, dtype: CatalogDtype = 'fp32'): CatalogEntry {
  return {
    id,
    displayName: id,
    downloadSizeBytes: 0,
    dtype,
    variant: 'base',
    bundled: false,
    files: filesFor(dtype),
  };
}

export type ModelResolution =
  | { kind: 'local'; entry: CatalogEntry; baseUrl: string }
  | { kind: 'hub'; entry: CatalogEntry; downloadSizeBytes: number }
  | { kind: 'unavailable'; entry: CatalogEntry; reason: string };

/** Checks that every file of `entry` exists; `fileExists` gets paths relative to the model folder. */
export async function checkModelFiles(
  entry: CatalogEntry,
  fileExists: (relPath: string) => Promise<boolean>,
): Promise<{ ok: true } | { ok: false; missing: string[]; message: string; unreachable?: string }> {
  // A check that throws (the server did not answer) is not a missing file: it is reported as what it is.
  let unreachable: string | undefined;
  const present = await Promise.all(
    entry.files.map((f) =>
      fileExists(f).catch((e: unknown) => {
        unreachable ??= e instanceof Error ? e.message : String(e);
        return false;
      }),
    ),
  );
  const missing = entry.files.filter((_, i) => !present[i]);
  if (missing.length === 0) return { ok: true };
  if (unreachable !== undefined) return { ok: false, missing, message: `Could not check the files of model "${entry.id}": ${unreachable}`, unreachable };
  return {
    ok: false,
    missing,
    message: `Model "${entry.id}" (${entry.dtype}) is missing ${missing.length === 1 ? 'file' : 'files'}: ${missing.join(', ')}`,
  };
}

/**
 * Decides where a model comes from. `fileExists` receives paths relative to `<localModelBase>/<id>/`.
 * Unknown ids get a custom fp32 entry (local only, never downloaded).
 */
export async function resolveModel(
  id: string,
  opts: { localModelBase: string; fileExists: (relPath: string) => Promise<boolean>; allowNetwork: boolean },
): Promise<ModelResolution> {
  const known = findCatalogEntry(id);
  const entry = known ?? customEntry(id);
  const base = opts.localModelBase.endsWith('/') ? opts.localModelBase : `${opts.localModelBase}/`;
  const check = await checkModelFiles(entry, opts.fileExists);
  if (check.ok) return { kind: 'local', entry, baseUrl: `${base}${id}/` };
  if (check.unreachable !== undefined) return { kind: 'unavailable', entry, reason: check.message };
  if (!known) {
    return { kind: 'unavailable', entry, reason: `Unknown model "${id}" and no complete local copy: ${check.message}` };
  }
  if (entry.bundled) {
    return { kind: 'unavailable', entry, reason: `The bundled model is damaged or incomplete. ${check.message}` };
  }
  const size = formatBytes(entry.downloadSizeBytes);
  if (!opts.allowNetwork) {
    return {
      kind: 'unavailable',
      entry,
      reason:
        `"${entry.displayName}" is not available offline and needs a ${size} download from the Hugging Face hub. ` +
        (entry.packCommand
          ? `No offline pack found (${check.missing.join(', ')} missing under ${base}${id}/). Allow network access, or build ` +
            `the offline pack with \`${entry.packCommand}\`.`
          : `Allow network access, or add an offline model pack with ${entry.files.join(', ')} under ${base}${id}/.`),
    };
  }
  return { kind: 'hub', entry, downloadSizeBytes: entry.downloadSizeBytes };
}
