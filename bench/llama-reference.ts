// The independent reference for the SmolLM2 pack: llama.cpp (through node-llama-cpp 3.21.1, prebuilt CPU binaries)
// running the same GGUF the pack was built from. Shared by the correctness tests and the generation bench.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getLlama, type Llama, type LlamaContext, type LlamaModel } from 'node-llama-cpp';

export const GGUF_PATH = fileURLToPath(new URL('../build/gguf/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url));
export const PACK_MODEL_ID = 'HuggingFaceTB/SmolLM2-135M-Instruct';
/** The fp32 export of the same pack (kept outside public/): a transformers.js model folder root. */
export const FP32_MODEL_BASE = fileURLToPath(new URL('../build/models/', import.meta.url));

export function assertPackBuilt(): void {
  const pack = (file: string) => fileURLToPath(new URL(`../public/models/${PACK_MODEL_ID}/onnx/${file}`, import.meta.url));
  for (const f of [GGUF_PATH, pack('model_quantized.onnx'), pack('model_q4.onnx'), `${FP32_MODEL_BASE}${PACK_MODEL_ID}/onnx/model.onnx`]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: build the SmolLM2 pack first with \`npm run model-pack\`.`);
  }
}

/** SmolLM2's vocabulary size (the GGUF's token list). */
export const SMOLLM2_VOCAB = 49152;

export interface LlamaRef {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  tokenize(text: string): number[];
  /** Next-token probabilities (softmax at temperature 1, no truncation) after `ids`, on a fresh sequence. */
  nextProbs(ids: number[]): Promise<Float64Array>;
  /** Greedy continuation of `ids`, `n` tokens (stops early at an end-of-generation token). */
  greedy(ids: number[], n: number): Promise<number[]>;
  dispose(): Promise<void>;
}

export async function loadLlamaRef(threads = 2): Promise<LlamaRef> {
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
  const model = await llama.loadModel({ modelPath: GGUF_PATH });
  const context = await model.createContext({ contextSize: 1024, sequences: 1, threads });
  const vocab = SMOLLM2_VOCAB;
  const sequence = context.getSequence();
  const fresh = async () => {
    await sequence.clearHistory();
    return sequence;
  };
  return {
    llama,
    model,
    context,
    // Special tokens written in the text are parsed, as transformers.js and HF tokenizers do.
    tokenize: (text) => Array.from(model.tokenize(text, true), Number),
    async nextProbs(ids) {
      const seq = await fresh();
      try {
        const input = ids.map((t, i) =>
          i === ids.length - 1
            ? ([t, { generateNext: { probabilities: true, options: { temperature: 1, topK: 0, topP: 1, minP: 0 } } }] as never)
            : (t as never),
        );
        const out = await seq.controlledEvaluate(input);
        const last = out[ids.length - 1] as { next?: { probabilities?: Map<number, number> } } | undefined;
        const probs = new Float64Array(vocab);
        for (const [tok, p] of last?.next?.probabilities ?? []) probs[Number(tok)] = p;
        return probs;
      } finally {
        await seq.clearHistory();
      }
    },
    async greedy(ids, n) {
      const seq = await fresh();
      try {
        const out: number[] = [];
        let input = ids;
        while (out.length < n) {
          const items = input.map((t, i) =>
            i === input.length - 1 ? ([t, { generateNext: { token: true, options: { temperature: 0 } } }] as never) : (t as never),
          );
          const res = await seq.controlledEvaluate(items);
          const tok = Number((res[input.length - 1] as { next?: { token?: number } } | undefined)?.next?.token);
          if (!Number.isInteger(tok) || model.isEogToken(tok as never)) break;
          out.push(tok);
          input = [tok];
        }
        return out;
      } finally {
        await seq.clearHistory();
      }
    },
    async dispose() {
      sequence.dispose();
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}

export interface LlamaCppSpeed {
  engine: 'llama.cpp';
  threads: number;
  singleTokensPerSec: number;
  /** Tokens/s of `batch` sequences decoded together (node-llama-cpp batches parallel sequences into one decode). */
  batchedTokensPerSec: number;
  batch: number;
}

/**
 * llama.cpp's decoding speed on the same GGUF and prompt, with the same sampling (temperature 1, top-p 0.9) and the
 * same number of new tokens per sequence (prefill included), single sequence and `batch` sequences in parallel.
 */
export async function measureLlamaCpp(opts: { prompt: string; newTokens: number; batch: number; threads: number; minMeasureMs: number }): Promise<LlamaCppSpeed> {
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
  const model = await llama.loadModel({ modelPath: GGUF_PATH });
  const promptIds = model.tokenize(opts.prompt, true);
  const run = async (batch: number): Promise<number> => {
    const context = await model.createContext({ contextSize: promptIds.length + opts.newTokens + 32, sequences: batch, threads: opts.threads });
    try {
      const seqs = Array.from({ length: batch }, () => context.getSequence());
      let tokens = 0;
      let ms = 0;
      for (let rep = 0; ms < opts.minMeasureMs || rep < 2; rep++) {
        await Promise.all(seqs.map((s) => s.clearHistory()));
        const t0 = performance.now();
        const counts = await Promise.all(
          seqs.map(async (s, i) => {
            let n = 0;
            for await (const _tok of s.evaluate(promptIds, { temperature: 1, topP: 0.9, seed: rep * 1000 + i } as never)) {
              if (++n >= opts.newTokens) break;
            }
            return n;
          }),
        );
        ms += performance.now() - t0;
        tokens += counts.reduce((a, b) => a + b, 0);
      }
      return (tokens / ms) * 1000;
    } finally {
      await context.dispose();
    }
  };
  try {
    await run(1); // warm-up
    const single = await run(1);
    const batched = await run(opts.batch);
    return { engine: 'llama.cpp', threads: opts.threads, singleTokensPerSec: single, batchedTokensPerSec: batched, batch: opts.batch };
  } finally {
    await model.dispose();
    await llama.dispose();
  }
}
