// `npm run project` (src/cli/project.ts) reads and writes the page's formats: a samples JSONL becomes a project zip,
// a real training (fast model, trained here in Node) added to it is listed with its accuracy, its samples come out as
// CSV with weights and its classifier as tfjs files that a plain graph model loads with the same predictions; merging
// the same project twice adds nothing; bad input exits with a clear message and leaves no output file.
import 'fake-indexeddb/auto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../src/core/tfjs/node-wasm-paths.ts';
import { runProjectCli } from '../../src/cli/project.ts';
import { LabStore } from '../../src/core/storage/lab-store.ts';
import { exportProject, importProject, readProject } from '../../src/core/portable/project.ts';
import { parseSamplesCsv } from '../../src/core/portable/samples-file.ts';
import { classifyTexts, loadModel } from '../../src/core/classifier/model-io.ts';
import { modelFromRecord, toTrainingRecord } from '../../src/core/runs/record.ts';
import { defaultSettings } from '../../src/core/train/settings.ts';
import { trainOnSamples } from '../../src/core/train/train-samples.ts';
import { sharedPath } from '../shared-path.ts';

const dir = mkdtempSync(join(tmpdir(), 'project-cli-'));
const quiet = () => undefined;
const TEXTS = ['a wonderful film', 'dull and boring', 'i loved it', 'a waste of time'];

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('npm run project', () => {
  it('from-samples → add a real training → list, export-samples (CSV + weights), export-classifier, merge twice', async () => {
    const samplesFile = join(dir, 'reviews.jsonl');
    writeFileSync(samplesFile, readFileSync(sharedPath('data/synthetic/imdb-gpt2-xl-small.jsonl'), 'utf8').split('\n').slice(0, 400).join('\n'));
    const made = await runProjectCli(['from-samples', '--samples', samplesFile, '--out', join(dir, 'p.zip'), '--name', 'Reviews'], quiet);
    expect(made).toMatchObject({ runs: 1, samples: 400, trainings: 0 });
    expect(existsSync(join(dir, 'p.zip.partial'))).toBe(false);

    // Train for real on the project's run (as the page's worker does) and store the training in the project.
    const store = await LabStore.open(`cli-test-${Math.random()}`);
    await importProject(store, await readProject(new Uint8Array(readFileSync(join(dir, 'p.zip'))), 'p.zip'));
    const run = (await store.listRuns())[0];
    const samples = await store.getSamples(run.id);
    const labelNames = run.config.task.labels.map((l) => l.name);
    const outcome = await trainOnSamples({
      samples: samples.map((s) => ({ id: s.id as number, text: s.text, label: s.label })),
      labelNames,
      test: { name: 'sst2-head', text: readFileSync('public/eval/sst2-test.jsonl', 'utf8').split('\n').slice(0, 200).join('\n') },
      settings: { ...defaultSettings('fast'), method: 'none', epochs: 2, vocabSize: 3000 },
    });
    const rec = toTrainingRecord(outcome, { id: 'tr-1', runId: run.id, createdAt: 1, backend: 'wasm' });
    await store.putTraining(rec);
    const chunks: Uint8Array[] = [];
    await exportProject(store, { appVersion: 'test', onChunk: (c) => chunks.push(c) });
    writeFileSync(join(dir, 'trained.zip'), Buffer.concat(chunks));
    const tam = loadModel(modelFromRecord(rec));
    const inApp = classifyTexts(tam, { tokens: outcome.model.vocab.tokens, minCount: outcome.model.vocab.minCount }, labelNames, TEXTS);
    tam.dispose();
    store.close();

    const listed = await runProjectCli(['list', '--project', join(dir, 'trained.zip')], quiet);
    expect(listed).toMatchObject({ runs: [{ id: run.id, name: 'Reviews', samples: 400, trainings: [{ id: 'tr-1', model: 'fast' }] }] });

    const csvOut = join(dir, 'samples.csv');
    await runProjectCli(['export-samples', '--project', join(dir, 'trained.zip'), '--run', run.id, '--training', 'tr-1', '--out', csvOut], quiet);
    const csv = readFileSync(csvOut, 'utf8');
    const rows = parseSamplesCsv(csv, 'samples.csv');
    expect(rows.length).toBe(400);
    expect(csv.split('\r\n')[1].split(',').length).toBeGreaterThanOrEqual(5);
    expect(csv).toMatch(/,1,,\d+\r\n/); // method "none": every weight is 1

    const clfDir = join(dir, 'clf');
    await runProjectCli(['export-classifier', '--project', join(dir, 'trained.zip'), '--training', 'tr-1', '--out', clfDir], quiet);
    const meta = JSON.parse(readFileSync(join(clfDir, 'metadata.json'), 'utf8'));
    expect(meta.labels).toEqual(labelNames);
    expect(meta.testAccuracy[0].testSet).toBe('sst2-head');
    const modelJson = JSON.parse(readFileSync(join(clfDir, 'model.json'), 'utf8'));
    const wd = readFileSync(join(clfDir, 'weights.bin'));
    const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: new Uint8Array(wd).buffer }));
    const re = new RegExp(meta.tokenizer.pattern, meta.tokenizer.flags);
    const index = new Map<string, number>(meta.vocabulary.map((t: string, i: number) => [t, i]));
    const ids = new Int32Array(TEXTS.length * meta.maxLenTokens);
    TEXTS.forEach((t, r) => (t.toLowerCase().match(re) ?? []).slice(0, meta.maxLenTokens).forEach((tok, k) => (ids[r * meta.maxLenTokens + k] = index.get(tok) ?? 1)));
    const input = tf.tensor2d(ids, [TEXTS.length, meta.maxLenTokens], 'int32');
    const out = model.predict(input) as tf.Tensor;
    const probs = out.arraySync() as number[][];
    tf.dispose([input, out]);
    model.dispose();
    probs.forEach((p, r) => p.forEach((v, c) => expect(v).toBeCloseTo(inApp[r].probabilities[c], 5)));

    const merged = await runProjectCli(['merge', '--project', join(dir, 'trained.zip'), '--add', join(dir, 'trained.zip'), '--out', join(dir, 'merged.zip')], quiet);
    expect(merged).toMatchObject({ runs: 1, samples: 400, trainings: 1, added: { runsAdded: 0, runsSkipped: 1, trainingsSkipped: 1 } });
    const withOld = await runProjectCli(['merge', '--project', join(dir, 'merged.zip'), '--add', join(dir, 'p.zip'), '--out', join(dir, 'merged2.zip')], quiet);
    expect(withOld).toMatchObject({ runs: 1, samples: 400, trainings: 1 });
  });

  it('bad input: a clear message and no output file', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'sentence,class\nhello,happy\n');
    await expect(runProjectCli(['from-samples', '--samples', bad, '--out', join(dir, 'bad.zip')], quiet)).rejects.toThrow(/needs a header row with the columns text and label/);
    expect(existsSync(join(dir, 'bad.zip'))).toBe(false);
    expect(existsSync(join(dir, 'bad.zip.partial'))).toBe(false);
    writeFileSync(join(dir, 'junk.zip'), 'not a zip');
    await expect(runProjectCli(['list', '--project', join(dir, 'junk.zip')], quiet)).rejects.toThrow(/not a readable zip/);
    await expect(runProjectCli(['frobnicate'], quiet)).rejects.toThrow(/Unknown command "frobnicate"/);
  });
});
