// The generation core on the real bundled model (stories260K via onnxruntime-node): golden greedy text, batched ==
// unbatched greedy with left padding, seeded sampling, interrupt, self-test, generateSamples (targets, dedup,
// resume, contexts, self-debiasing) and load errors that name the file.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureNodeTransformers, NODE_MODEL_BASE } from '../../src/cli/node-env.ts';
import { decodeJobs } from '../../src/core/generation/decoder.ts';
import { generateSamples, greedyReference, loadLm, selfTest, type LoadedLm } from '../../src/core/generation/generator.ts';
import { mulberry32 } from '../../src/core/generation/prng.ts';
import type { GeneratedSample } from '../../src/core/generation/types.ts';
import { findTaskPreset } from '../../src/core/tasks/presets.ts';
import type { TaskSpec } from '../../src/core/tasks/types.ts';
import { DEFAULT_SAMPLING } from '../../src/core/tasks/validate.ts';

const GOLDEN = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park.';
const GREEDY = { doSample: false, temperature: 1, topK: 0, topP: 1 };
const SAMPLE = { doSample: true, temperature: 1, topK: 0, topP: 0.9 };
let lm: LoadedLm;

beforeAll(async () => {
  configureNodeTransformers();
  lm = await loadLm({ modelId: 'karpathy/stories260K', device: 'cpu' });
});
afterAll(async () => {
  await lm?.dispose();
});

const greedy = async (prompts: string[], maxNewTokens: number) => {
  const I = lm.internals;
  const r = await decodeJobs(I, prompts.map((p) => ({ promptIds: I.encode(p), rng: mulberry32(0) })), {
    maxNewTokens,
    choice: GREEDY,
    stopAtQuote: false,
  });
  return r.tokens;
};

describe('decoding loop on stories260K', () => {
  it('greedy generation is deterministic and equals the documented golden text', async () => {
    const [a] = await greedy(['Once upon a time'], 30);
    const [b] = await greedy(['Once upon a time'], 30);
    expect(a).toEqual(b);
    const text = lm.internals.decode([...lm.internals.encode('Once upon a time'), ...a]);
    expect(text.slice(0, GOLDEN.length)).toBe(GOLDEN);
  });

  it('batched greedy equals unbatched greedy for prompts of different lengths (left padding)', async () => {
    const prompts = ['Once upon a time', 'Tom had a big red ball. One day he went to the park and', 'The cat', 'Lily was sad. She said, "'];
    const single = [];
    for (const p of prompts) single.push((await greedy([p], 24))[0]);
    expect(new Set(prompts.map((p) => lm.internals.encode(p).length)).size).toBe(prompts.length);
    expect(await greedy(prompts, 24)).toEqual(single);
  });

  it('seeded sampling is reproducible and depends on the seed', async () => {
    const I = lm.internals;
    const run = (seed: number) =>
      decodeJobs(I, [0, 1, 2].map((i) => ({ promptIds: I.encode('Once upon a time'), rng: mulberry32(seed * 10 + i) })), {
        maxNewTokens: 24,
        choice: SAMPLE,
        stopAtQuote: false,
      });
    const a = await run(1);
    expect((await run(1)).tokens).toEqual(a.tokens);
    expect((await run(2)).tokens).not.toEqual(a.tokens);
  });

  it('stops each row at its closing quote and compacts the batch without changing results', async () => {
    const I = lm.internals;
    const prompts = Array.from({ length: 6 }, (_, i) => (i % 2 ? 'Lily was sad. She said, "' : 'Tom smiled and said, "'));
    const r = await decodeJobs(I, prompts.map((p, i) => ({ promptIds: I.encode(p), rng: mulberry32(i) })), { maxNewTokens: 40, choice: SAMPLE });
    for (let j = 0; j < prompts.length; j++) {
      const alone = await decodeJobs(I, [{ promptIds: I.encode(prompts[j]), rng: mulberry32(j) }], { maxNewTokens: 40, choice: SAMPLE });
      expect(alone.tokens[0]).toEqual(r.tokens[j]);
      if (r.finish[j] === 'stop') expect(I.decode(r.tokens[j])).toMatch(/["\n]/);
    }
    expect(r.finish.filter((f) => f === 'stop').length).toBeGreaterThan(0);
  });

  it('interrupt takes effect within one decoding step', async () => {
    const I = lm.internals;
    const controller = new AbortController();
    let steps = 0;
    const r = await decodeJobs(I, [{ promptIds: I.encode('Once upon a time'), rng: mulberry32(1) }], {
      maxNewTokens: 200,
      choice: SAMPLE,
      stopAtQuote: false,
      signal: controller.signal,
      onStep: () => {
        if (++steps === 5) controller.abort();
      },
    });
    expect(r.interrupted).toBe(true);
    expect(r.forwardPasses).toBe(5);
    expect(r.finish[0]).toBe('interrupted');
  });

  it('self-test passes with the recorded ids', async () => {
    const st = await selfTest(lm);
    expect(st.ok).toBe(true);
    expect(st.gotIds).toEqual(st.expectedIds);
  });

  it('self-test against another run\'s greedy ids: passes on the same ids, fails (naming the token) on wrong ones', async () => {
    const ref = await greedyReference(lm);
    expect(ref.expectedIds).toHaveLength(8);
    expect(ref.source).toBe('a CPU run');
    expect((await selfTest(lm, ref)).ok).toBe(true);
    const wrong = { ...ref, expectedIds: ref.expectedIds.map((id, i) => (i === 3 ? (id + 1) % 512 : id)) };
    const bad = await selfTest(lm, wrong);
    expect(bad.ok).toBe(false);
    expect(bad.message).toContain('FAILED at token 3 against a CPU run');
  });
});

describe('generateSamples on stories260K', () => {
  it('reaches the per-label target with parsed, unique samples, reproducibly', async () => {
    const task = findTaskPreset('happy-sad-stories')!;
    const sampling = { ...DEFAULT_SAMPLING, seed: 5, batchSize: 8 };
    const collect = async () => {
      const got: GeneratedSample[] = [];
      const res = await generateSamples(lm, { task, perLabel: 6, sampling, onSamples: (b) => void got.push(...b) });
      return { got, res };
    };
    const { got, res } = await collect();
    expect(res.stopReason).toBe('done');
    expect(res.acceptedByLabel).toEqual({ happy: 6, sad: 6 });
    expect(got.length).toBe(12);
    expect(new Set(got.map((s) => s.text)).size).toBe(12);
    for (const s of got) {
      expect(s.text).not.toMatch(/["\n]/);
      expect(s.text.split(/\s+/).length).toBeGreaterThanOrEqual(sampling.minWords);
    }
    expect((await collect()).got).toEqual(got);
  });

  it('resumes: counts earlier samples towards targets and never repeats them', async () => {
    const task = findTaskPreset('happy-sad-stories')!;
    const already: GeneratedSample[] = [{ text: 'Thank you, Mommy!', label: 'happy' }];
    const got: GeneratedSample[] = [];
    const res = await generateSamples(lm, {
      task,
      perLabel: 3,
      sampling: { ...DEFAULT_SAMPLING, seed: 9, minWords: 1 },
      already,
      onSamples: (b) => void got.push(...b),
    });
    expect(res.acceptedByLabel).toEqual({ happy: 3, sad: 3 });
    expect(got.filter((s) => s.label === 'happy').length).toBe(2);
    expect(got.map((s) => s.text)).not.toContain('Thank you, Mommy!');
  });

  it('uses a generated context stage ({context}) and fixed context values', async () => {
    const generated: TaskSpec = {
      id: 'ctx',
      name: 'ctx',
      context: { prompt: 'Lily had a toy called "', maxNewTokens: 6 },
      labels: [
        { name: 'happy', prompt: 'Lily loved her {context}. She said, "' },
        { name: 'sad', prompt: 'Lily lost her {context}. She said, "' },
      ],
    };
    const fixed: TaskSpec = { ...generated, context: { prompt: 'unused', maxNewTokens: 4, values: ['ball', 'doll'] } };
    for (const task of [generated, fixed]) {
      const got: GeneratedSample[] = [];
      const res = await generateSamples(lm, { task, perLabel: 2, sampling: { ...DEFAULT_SAMPLING, minWords: 1 }, onSamples: (b) => void got.push(...b) });
      expect(res.stopReason).toBe('done');
      for (const s of got) expect(typeof s.context).toBe('string');
    }
  });

  it('interrupts generateSamples promptly and reports it', async () => {
    const controller = new AbortController();
    const t0 = Date.now();
    setTimeout(() => controller.abort(), 50);
    const res = await generateSamples(lm, {
      task: findTaskPreset('happy-sad-stories')!,
      perLabel: 100_000,
      sampling: DEFAULT_SAMPLING,
      signal: controller.signal,
    });
    expect(res.interrupted).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('rejects invalid settings with clear messages', async () => {
    const task = findTaskPreset('imdb')!;
    await expect(generateSamples(lm, { task, perLabel: 0, sampling: DEFAULT_SAMPLING })).rejects.toThrow(/perLabel must be at least 1/);
    await expect(generateSamples(lm, { task, perLabel: 1, sampling: { ...DEFAULT_SAMPLING, topP: 0 } })).rejects.toThrow(/topP/);
  });
});

describe('load errors name the file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lm-'));
    cpSync(path.join(NODE_MODEL_BASE, 'karpathy/stories260K'), path.join(dir, 'broken'), { recursive: true });
    rmSync(path.join(dir, 'broken/tokenizer.json'), { force: true });
    cpSync(path.join(NODE_MODEL_BASE, 'karpathy/stories260K'), path.join(dir, 'corrupt'), { recursive: true });
    rmSync(path.join(dir, 'corrupt/onnx/model.onnx'), { force: true });
    writeFileSync(path.join(dir, 'corrupt/onnx/model.onnx'), 'not an onnx model');
    configureNodeTransformers({ localModelPath: dir + path.sep });
  });
  afterAll(() => {
    configureNodeTransformers();
    rmSync(dir, { recursive: true, force: true });
  });
  it('missing tokenizer.json', async () => {
    await expect(loadLm({ modelId: 'broken', device: 'cpu', dtype: 'fp32' })).rejects.toThrow(/tokenizer\.json/);
  });
  it('corrupt onnx/model.onnx', async () => {
    await expect(loadLm({ modelId: 'corrupt', device: 'cpu', dtype: 'fp32' })).rejects.toThrow(/onnx\/model\.onnx.*corrupt/);
  });
});
