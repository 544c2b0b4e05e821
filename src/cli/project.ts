// `npm run project -- <command> ...`: the page's export/import formats from the command line, with the same core
// code (src/core/portable/*). A project zip is loaded into an in-memory IndexedDB (fake-indexeddb) exactly as the
// page imports it, so every check the page makes applies here too. Output files are written as FILE.partial and
// renamed when complete: a failed command leaves no half-written file. Exit codes: 0 ok, 2 bad input/usage, 1 other.
import 'fake-indexeddb/auto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { version as APP_VERSION } from '../../package.json';
import { LabStore } from '../core/storage/lab-store.ts';
import { exportProject, importProject, readProject, type ImportReport } from '../core/portable/project.ts';
import { parseSamplesFile, sampleFileRows, toCsv, toJsonl } from '../core/portable/samples-file.ts';
import { exportClassifier, CLASSIFIER_SNIPPET } from '../core/portable/classifier-export.ts';
import { ImportFormatError } from '../core/portable/text.ts';
import { importSamplesAsRun } from '../core/runs/import-run.ts';
import { modelFromRecord, summariseTraining, weightsBySampleId } from '../core/runs/record.ts';
import { TOKEN_RE } from '../core/data/tokenizer.ts';
import { errorText } from '../core/error-text.ts';
import { parseArgs, UsageError } from './args.ts';

export const USAGE = `Usage: npm run project -- <command> [options]
  list              --project P.zip                          runs, samples and trainings in a project file
  export-samples    --project P.zip --run ID [--training ID] --out FILE.jsonl|FILE.csv
                                                             samples with labels (and that training's weights)
  export-classifier --project P.zip --training ID --out DIR  model.json + weights.bin + metadata.json (tfjs)
  from-samples      --samples FILE.jsonl|FILE.csv --out P.zip [--name NAME]
                                                             a new project with one run made from a samples file
  merge             --project P.zip --add Q.zip --out R.zip  P plus whatever of Q it lacks (no duplicates)
The last line of output is JSON.`;

let dbCount = 0;
async function memoryStore(): Promise<LabStore> {
  return LabStore.open(`sungen-cli-${process.pid}-${++dbCount}`);
}

async function readInput(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw new UsageError(`${file} does not exist.`);
    throw e;
  }
}

async function loadProject(store: LabStore, file: string): Promise<ImportReport> {
  const bytes = await readInput(file);
  return importProject(store, await readProject(bytes, path.basename(file)));
}

/** Writes via FILE.partial → FILE, so an interrupted or failed write never leaves a half file under the real name. */
async function writeAtomically(file: string, write: (partial: string) => Promise<void>): Promise<void> {
  const partial = `${file}.partial`;
  try {
    await write(partial);
    await rename(partial, file);
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  }
}

async function writeProjectFile(store: LabStore, file: string) {
  let summary!: Awaited<ReturnType<typeof exportProject>>;
  await writeAtomically(file, async (partial) => {
    const out = createWriteStream(partial);
    const failed = new Promise<never>((_, reject) => out.on('error', reject));
    summary = await Promise.race([exportProject(store, { appVersion: APP_VERSION, onChunk: (c) => out.write(c) }), failed]);
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  });
  return summary;
}

function need(values: Map<string, string>, name: string): string {
  const v = values.get(name);
  if (!v) throw new UsageError(`--${name} is required.\n${USAGE}`);
  return v;
}

/** Runs one command; returns the JSON summary printed last. */
export async function runProjectCli(argv: string[], log: (line: string) => void = console.log): Promise<Record<string, unknown>> {
  const [command, ...rest] = argv;
  const { values } = parseArgs(rest, { values: ['project', 'run', 'training', 'out', 'samples', 'name', 'add'], flags: [] });
  const store = await memoryStore();
  try {
    switch (command) {
      case 'list': {
        await loadProject(store, need(values, 'project'));
        const runs = [];
        for (const r of await store.listRuns()) {
          const trainings = (await store.listTrainings(r.id)).map((t) => {
            const s = summariseTraining(t);
            return { id: t.id, method: s.settings.method, model: s.settings.model, accuracy: Object.fromEntries(s.evaluations.map((e) => [e.testName, e.accuracy])) };
          });
          const samples = (await store.getSamples(r.id)).length;
          log(`${r.id}  ${r.name}  (${r.status}, ${samples} samples, ${trainings.length} training(s))`);
          for (const t of trainings) log(`    training ${t.id}: ${t.method} · ${t.model} · ${JSON.stringify(t.accuracy)}`);
          runs.push({ id: r.id, name: r.name, status: r.status, samples, trainings });
        }
        return { runs };
      }
      case 'export-samples': {
        await loadProject(store, need(values, 'project'));
        const runId = need(values, 'run');
        const out = need(values, 'out');
        if (!(await store.getRun(runId))) throw new UsageError(`No run "${runId}" in the project (see: npm run project -- list).`);
        const trainingId = values.get('training');
        let weights: Map<number, number> | undefined;
        if (trainingId) {
          const rec = await store.getTraining(trainingId);
          if (!rec || rec.runId !== runId) throw new UsageError(`No training "${trainingId}" for run ${runId}.`);
          weights = weightsBySampleId(rec);
        }
        const rows = sampleFileRows(await store.getSamples(runId), weights);
        const csv = /\.csv$/i.test(out);
        await writeAtomically(out, (p) => writeFile(p, csv ? toCsv(rows) : toJsonl(rows)));
        log(`Wrote ${rows.length} samples${weights ? ' with weights' : ''} to ${out}`);
        return { out, rows: rows.length, format: csv ? 'csv' : 'jsonl', weights: !!weights };
      }
      case 'export-classifier': {
        await loadProject(store, need(values, 'project'));
        const id = need(values, 'training');
        const dir = need(values, 'out');
        const rec = await store.getTraining(id);
        if (!rec) throw new UsageError(`No training "${id}" in the project.`);
        const s = summariseTraining(rec);
        const run = await store.getRun(rec.runId);
        const files = exportClassifier(modelFromRecord(rec), {
          versions: { app: APP_VERSION, trainedOnBackend: s.backend },
          seeds: { training: s.settings.seed, ...(run ? { generation: run.config.sampling.seed } : {}) },
          testAccuracy: s.evaluations.map((e) => ({ testSet: e.testName, accuracy: e.accuracy, macroF1: e.macroF1 })),
          training: { ...s.settings, runId: rec.runId, trainingId: rec.id },
          tokenPattern: TOKEN_RE,
        });
        await mkdir(dir, { recursive: true });
        for (const [name, data] of Object.entries({ ...files, 'README.md': new TextEncoder().encode(`# Classifier\n\n\`\`\`html\n${CLASSIFIER_SNIPPET}\n\`\`\`\n`) })) {
          await writeAtomically(path.join(dir, name), (p) => writeFile(p, data));
        }
        log(`Wrote model.json, weights.bin and metadata.json to ${dir}`);
        return { out: dir, model: s.settings.model, labels: s.evaluations.length ? s.evaluations[0].labelNames : undefined };
      }
      case 'from-samples': {
        const file = need(values, 'samples');
        const out = need(values, 'out');
        const parsed = parseSamplesFile(await readInput(file), path.basename(file));
        const { run } = await importSamplesAsRun(store, {
          fileName: path.basename(file),
          text: parsed.text,
          versions: { app: APP_VERSION, transformers: 'n/a (imported samples)' },
          ...(values.get('name') ? { name: values.get('name') } : {}),
        });
        const summary = await writeProjectFile(store, out);
        log(`Wrote ${out}: run ${run.id} with ${summary.samples} samples (${parsed.labelNames.join(', ')})`);
        return { out, runId: run.id, ...summary };
      }
      case 'merge': {
        const first = await loadProject(store, need(values, 'project'));
        const added = await loadProject(store, need(values, 'add'));
        const out = need(values, 'out');
        const summary = await writeProjectFile(store, out);
        log(`Wrote ${out}: ${summary.runs} run(s); from ${values.get('add')}: ${added.runsAdded} new run(s), ${added.trainingsAdded} new training(s), ${added.runsSkipped} run(s) already there`);
        return { out, first, added, ...summary };
      }
      default:
        throw new UsageError(command ? `Unknown command "${command}".\n${USAGE}` : USAGE);
    }
  } finally {
    store.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runProjectCli(process.argv.slice(2))
    .then((summary) => console.log(JSON.stringify(summary)))
    .catch((e) => {
      console.error(errorText(e));
      process.exit(e instanceof UsageError || e instanceof ImportFormatError ? 2 : 1);
    });
}
