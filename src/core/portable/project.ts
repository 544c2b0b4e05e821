// The project file: one zip holding runs, samples, trainings (weights, scores, model parameters, metrics) and the
// schema version, so a whole lab moves to another browser profile or machine. Reading validates everything first
// (format, schema version, per-file SHA-256, every record) and importing writes in ONE IndexedDB transaction: a bad
// file or a full disk leaves the database exactly as it was. Records already present (same run / training id) are
// skipped, so importing the same file twice adds nothing the second time.
//
// Layout:  project.json                      manifest: format, schemaVersion, dbVersion, runs, files (bytes, sha256)
//          runs/<k>/run.json                 the RunRecord
//          runs/<k>/samples.jsonl            one SampleRecord per line (with its original id, for the trainings)
//          runs/<k>/trainings/<j>.json       a TrainingRecord; typed arrays / buffers as runs/<k>/trainings/<j>-<n>.bin
//          test-sets/<k>.json                a test set typed or uploaded in the Evaluate step
// A run's hand-made keep/drop overrides are keyed by sample id: they are remapped with the samples on import.
import type { LabStore } from '../storage/lab-store.ts';
import { DB_VERSION } from '../storage/migrations.ts';
import type { RunRecord, SampleRecord, TestSetRecord, TrainingRecord } from '../storage/schema.ts';
import { isQuotaError } from '../storage/errors.ts';
import { validateCleaning, validateRunConfig, validateSampleBatch, validateTestSet } from '../storage/validate-records.ts';
import { decodeBinaryJson, encodeBinaryJson } from './binary-json.ts';
import { sha256Hex } from './hash.ts';
import { ImportFormatError, checkFileSize, decodeUtf8 } from './text.ts';
import { readZip, ZipWriter } from './zip.ts';

export const PROJECT_FORMAT = 'sungen-lab/project';
/** Version of the project file layout; bump it (and keep reading older ones) when the layout changes. */
export const PROJECT_SCHEMA_VERSION = 1;
export const PROJECT_MANIFEST = 'project.json';
/** Largest project file read into the page. */
export const MAX_PROJECT_BYTES = 1024 * 1024 * 1024;

export interface ProjectManifest {
  format: typeof PROJECT_FORMAT;
  schemaVersion: number;
  /** IndexedDB schema version of the exporting page (informational). */
  dbVersion: number;
  exportedAt: string;
  app: { name: string; version: string };
  runs: { id: string; name: string; folder: string; samples: number; trainings: string[] }[];
  /** Test sets made in the page (absent in files without any). */
  testSets?: { id: string; file: string }[];
  files: Record<string, { bytes: number; sha256: string }>;
}

export interface ProjectRun {
  run: RunRecord;
  samples: SampleRecord[];
  trainings: TrainingRecord[];
}

export interface ProjectContents {
  manifest: ProjectManifest;
  runs: ProjectRun[];
  testSets: TestSetRecord[];
}

export interface ExportSummary {
  runs: number;
  samples: number;
  trainings: number;
  testSets: number;
  bytes: number;
}

const enc = new TextEncoder();

/**
 * Streams a project zip of `runIds` (default: every run) to `onChunk`. Each run is read from the store, encoded and
 * handed to the zip before the next one is read, so memory holds about one run at a time.
 */
export async function exportProject(
  store: LabStore,
  opts: { appVersion: string; runIds?: string[]; onChunk: (chunk: Uint8Array) => void; now?: Date },
): Promise<ExportSummary> {
  const runs = opts.runIds ? await Promise.all(opts.runIds.map((id) => store.getRun(id))) : await store.listRuns();
  let bytes = 0;
  const zip = new ZipWriter((c) => {
    bytes += c.length;
    opts.onChunk(c);
  });
  const manifest: ProjectManifest = {
    format: PROJECT_FORMAT,
    schemaVersion: PROJECT_SCHEMA_VERSION,
    dbVersion: DB_VERSION,
    exportedAt: (opts.now ?? new Date()).toISOString(),
    app: { name: 'SunGen Lab', version: opts.appVersion },
    runs: [],
    files: {},
  };
  const add = async (name: string, data: Uint8Array, compress = true) => {
    manifest.files[name] = { bytes: data.length, sha256: await sha256Hex(data) };
    zip.add(name, data, compress);
  };
  const summary = { runs: 0, samples: 0, trainings: 0 };
  let k = 0;
  for (const run of runs) {
    if (!run) continue;
    const folder = `runs/${k++}`;
    const samples = await store.getSamples(run.id);
    const trainings = await store.listTrainings(run.id);
    await add(`${folder}/run.json`, enc.encode(JSON.stringify(run)));
    await add(`${folder}/samples.jsonl`, enc.encode(samples.map((s) => JSON.stringify(s)).join('\n') + (samples.length ? '\n' : '')));
    const ids: string[] = [];
    for (const [j, t] of trainings.entries()) {
      const bins = new Map<string, Uint8Array>();
      const json = encodeBinaryJson(t, `${folder}/trainings/${j}-`, bins);
      await add(`${folder}/trainings/${j}.json`, enc.encode(json));
      for (const [name, data] of bins) await add(name, data);
      ids.push(t.id);
    }
    manifest.runs.push({ id: run.id, name: run.name, folder, samples: samples.length, trainings: ids });
    summary.runs++;
    summary.samples += samples.length;
    summary.trainings += trainings.length;
  }
  const testSets = opts.runIds ? [] : await store.listTestSets();
  manifest.testSets = [];
  for (const [k, t] of testSets.entries()) {
    const file = `test-sets/${k}.json`;
    await add(file, enc.encode(JSON.stringify(t)));
    manifest.testSets.push({ id: t.id, file });
  }
  zip.add(PROJECT_MANIFEST, enc.encode(JSON.stringify(manifest, null, 1)));
  await zip.end();
  return { ...summary, testSets: testSets.length, bytes };
}

function fail(source: string, message: string): never {
  throw new ImportFormatError(`${source}: ${message}`);
}

function checkManifest(raw: unknown, source: string): ProjectManifest {
  const m = raw as Partial<ProjectManifest> | null;
  if (!m || typeof m !== 'object' || m.format !== PROJECT_FORMAT) fail(source, 'not a SunGen Lab project (project.json has the wrong format).');
  if (typeof m.schemaVersion !== 'number' || !Number.isInteger(m.schemaVersion) || m.schemaVersion < 1) fail(source, 'project.json has no valid schemaVersion.');
  if (m.schemaVersion > PROJECT_SCHEMA_VERSION) {
    fail(source, `saved by a newer SunGen Lab (project format ${m.schemaVersion}); this page reads format ${PROJECT_SCHEMA_VERSION} and older. Update the page (reload it online once), then import again. Nothing was imported.`);
  }
  if (!Array.isArray(m.runs) || !m.files || typeof m.files !== 'object') fail(source, 'project.json lists no runs or files.');
  for (const r of m.runs) {
    if (!r || typeof r.id !== 'string' || typeof r.folder !== 'string' || !/^runs\/\d+$/.test(r.folder) || !Array.isArray(r.trainings)) {
      fail(source, 'project.json has a malformed run entry.');
    }
  }
  return m as ProjectManifest;
}

function checkRun(run: unknown, id: string, source: string): RunRecord {
  const r = run as Partial<RunRecord> | null;
  if (!r || typeof r !== 'object') fail(source, `run ${id} is not an object.`);
  const errors = validateRunConfig(r.config);
  if (r.id !== id) errors.push(`id ${JSON.stringify(r.id)} does not match project.json (${id})`);
  if (typeof r.name !== 'string' || !r.name.trim()) errors.push('name must be a non-empty string');
  if (typeof r.createdAt !== 'number' || typeof r.updatedAt !== 'number') errors.push('createdAt/updatedAt must be numbers');
  if (!['running', 'stopped', 'done', 'error'].includes(r.status as string)) errors.push(`unknown status ${JSON.stringify(r.status)}`);
  if (r.cleaning !== undefined) errors.push(...validateCleaning(r.cleaning));
  if (errors.length) fail(source, `run ${id} is invalid: ${errors.slice(0, 5).join('; ')}.`);
  const out = { ...r } as RunRecord;
  // A run exported while generating cannot still be generating here.
  if (out.status === 'running') {
    out.status = 'stopped';
    out.message = 'Imported while it was generating; press Resume to continue.';
  }
  return out;
}

function checkSamples(text: string, run: RunRecord, file: string, source: string): SampleRecord[] {
  const samples: SampleRecord[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    if (!lines[n].trim()) continue;
    let s: Partial<SampleRecord>;
    try {
      s = JSON.parse(lines[n]);
    } catch {
      fail(source, `${file} line ${n + 1} is not valid JSON.`);
    }
    if (!s || typeof s !== 'object' || typeof s.id !== 'number' || typeof s.seq !== 'number' || s.runId !== run.id || typeof s.createdAt !== 'number') {
      fail(source, `${file} line ${n + 1} is not a sample of run ${run.id}.`);
    }
    samples.push(s as SampleRecord);
  }
  const errors = validateSampleBatch(samples, run.config.task.labels.map((l) => l.name));
  if (errors.length) fail(source, `${file}: ${errors.slice(0, 3).join('; ')}.`);
  if (new Set(samples.map((s) => s.seq)).size !== samples.length) fail(source, `${file} has repeated sample positions (seq).`);
  return samples;
}

function checkTraining(raw: unknown, run: RunRecord, sampleIds: Set<number>, file: string, source: string): TrainingRecord {
  const t = raw as Partial<TrainingRecord> | null;
  const problem: (m: string) => never = (m) => fail(source, `${file}: ${m}.`);
  if (!t || typeof t !== 'object') problem('not an object');
  if (typeof t.id !== 'string' || !t.id) problem('training id missing');
  if (t.runId !== run.id) problem(`belongs to run ${JSON.stringify(t.runId)}, not ${run.id}`);
  if (typeof t.createdAt !== 'number') problem('createdAt must be a number');
  if (!t.config || typeof t.config !== 'object') problem('config missing');
  if (!t.metrics || typeof t.metrics !== 'object' || Object.values(t.metrics).some((v) => typeof v !== 'number')) problem('metrics must be numbers');
  if (!t.artifacts || typeof t.artifacts !== 'object' || Object.values(t.artifacts).some((v) => !(v instanceof ArrayBuffer))) problem('artifacts must be binary files');
  if (t.weights !== undefined && !(t.weights instanceof Float32Array)) problem('weights must be float32 values');
  const ids = (t.config as { sampleIds?: unknown }).sampleIds;
  if (ids !== undefined) {
    if (!Array.isArray(ids) || ids.some((id) => !sampleIds.has(id as number))) problem('refers to samples that are not in its run');
    if (t.weights && t.weights.length !== ids.length) problem(`has ${t.weights.length} weights for ${ids.length} samples`);
  }
  return t as TrainingRecord;
}

/** Reads and fully validates a project zip; throws ImportFormatError (nothing stored) on anything wrong. */
export async function readProject(bytes: Uint8Array, source: string): Promise<ProjectContents> {
  checkFileSize(bytes.length, MAX_PROJECT_BYTES, source, 'a project file');
  const files = readZip(bytes, source);
  const manifestBytes = files.get(PROJECT_MANIFEST);
  if (!manifestBytes) fail(source, `not a SunGen Lab project (there is no ${PROJECT_MANIFEST} inside). Use "Import samples" for JSONL/CSV files.`);
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(decodeUtf8(manifestBytes, `${source}: ${PROJECT_MANIFEST}`));
  } catch (e) {
    if (e instanceof ImportFormatError) throw e;
    fail(source, `${PROJECT_MANIFEST} is not valid JSON.`);
  }
  const manifest = checkManifest(manifestJson, source);
  for (const name of files.keys()) {
    if (name !== PROJECT_MANIFEST && !manifest.files[name]) fail(source, `${name} is not listed in ${PROJECT_MANIFEST}.`);
  }
  for (const [name, info] of Object.entries(manifest.files)) {
    const data = files.get(name);
    if (!data) fail(source, `${name} is missing.`);
    if (data.length !== info.bytes || (await sha256Hex(data)) !== info.sha256) fail(source, `${name} is damaged (its checksum does not match).`);
  }
  const text = (name: string) => {
    const data = files.get(name);
    if (!data) fail(source, `${name} is missing.`);
    return decodeUtf8(data, `${source}: ${name}`);
  };
  const json = (name: string): unknown => {
    try {
      return JSON.parse(text(name));
    } catch (e) {
      if (e instanceof ImportFormatError) throw e;
      fail(source, `${name} is not valid JSON.`);
    }
  };
  const runs: ProjectRun[] = [];
  const seen = new Set<string>();
  for (const entry of manifest.runs) {
    if (seen.has(entry.id)) fail(source, `run ${entry.id} is listed twice.`);
    seen.add(entry.id);
    const run = checkRun(json(`${entry.folder}/run.json`), entry.id, source);
    const samples = checkSamples(text(`${entry.folder}/samples.jsonl`), run, `${entry.folder}/samples.jsonl`, source);
    const sampleIds = new Set(samples.map((s) => s.id as number));
    for (const [id, v] of Object.entries(run.overrides ?? {})) {
      if (!sampleIds.has(Number(id)) || (v !== 'keep' && v !== 'drop')) fail(source, `run ${run.id} has a keep/drop override for an unknown sample (${id}).`);
    }
    const trainings: TrainingRecord[] = [];
    for (let j = 0; j < entry.trainings.length; j++) {
      const file = `${entry.folder}/trainings/${j}.json`;
      let decoded: unknown;
      try {
        decoded = decodeBinaryJson(text(file), files, `${source}: ${file}`);
      } catch (e) {
        if (e instanceof ImportFormatError) throw e;
        fail(source, `${file} cannot be read (${(e as Error).message}).`);
      }
      const t = checkTraining(decoded, run, sampleIds, file, source);
      if (t.id !== entry.trainings[j]) fail(source, `${file} is training ${t.id}, but project.json lists ${entry.trainings[j]}.`);
      trainings.push(t);
    }
    runs.push({ run, samples, trainings });
  }
  const testSets: TestSetRecord[] = [];
  for (const entry of manifest.testSets ?? []) {
    if (!entry || typeof entry.file !== 'string' || !/^test-sets\/\d+\.json$/.test(entry.file)) fail(source, 'project.json has a malformed test-set entry.');
    const t = json(entry.file) as TestSetRecord;
    const errors = validateTestSet(t);
    if (errors.length || t.id !== entry.id) fail(source, `${entry.file} is not a valid test set${errors.length ? `: ${errors.slice(0, 3).join('; ')}` : ''}.`);
    testSets.push(t);
  }
  return { manifest, runs, testSets };
}

export interface ImportReport {
  runsAdded: number;
  runsSkipped: number;
  samplesAdded: number;
  trainingsAdded: number;
  trainingsSkipped: number;
  testSetsAdded: number;
}

export class ImportQuotaError extends Error {
  override readonly name = 'ImportQuotaError';
  constructor(cause: unknown) {
    super('Browser storage is full: the project was not imported (nothing was changed). Delete old runs or trainings (see Storage), or free disk space, then import again.', { cause });
  }
}

/**
 * Stores a validated project in one transaction. Runs and trainings already present (same id) are skipped; new
 * samples get new ids and the trainings' sample ids are remapped to them (matched by position for existing runs).
 */
export async function importProject(store: LabStore, contents: ProjectContents): Promise<ImportReport> {
  const report: ImportReport = { runsAdded: 0, runsSkipped: 0, samplesAdded: 0, trainingsAdded: 0, trainingsSkipped: 0, testSetsAdded: 0 };
  const tx = store.db.transaction(['runs', 'samples', 'trainings', 'testSets'], 'readwrite');
  const runs = tx.objectStore('runs');
  const samples = tx.objectStore('samples');
  const trainings = tx.objectStore('trainings');
  const work = (async () => {
    for (const pr of contents.runs) {
      const idMap = new Map<number, number>();
      if (await runs.get(pr.run.id)) {
        report.runsSkipped++;
        const bySeq = new Map((await samples.index('runId').getAll(pr.run.id)).map((s) => [s.seq, s.id as number]));
        for (const s of pr.samples) {
          const id = bySeq.get(s.seq);
          if (id !== undefined) idMap.set(s.id as number, id);
        }
      } else {
        await runs.add(pr.run);
        report.runsAdded++;
        for (const s of pr.samples) {
          const rec: SampleRecord = { ...s };
          delete rec.id;
          idMap.set(s.id as number, await samples.add(rec));
          report.samplesAdded++;
        }
        if (pr.run.overrides && Object.keys(pr.run.overrides).length) {
          // Hand-made keep/drop decisions follow their samples to the new ids.
          const overrides: Record<string, 'keep' | 'drop'> = {};
          for (const [id, v] of Object.entries(pr.run.overrides)) {
            const mapped = idMap.get(Number(id));
            if (mapped !== undefined) overrides[String(mapped)] = v;
          }
          await runs.put({ ...pr.run, overrides });
        }
        if (pr.run.cleaning) {
          // The Clean step's scores follow their samples to the new ids (dropped if a sample is missing).
          const c = pr.run.cleaning;
          const map = (ids: number[]) => ids.map((id) => idMap.get(id));
          const sampleIds = map(c.sampleIds);
          const validationIds = map(c.validationIds);
          const ok = [...sampleIds, ...validationIds].every((id) => id !== undefined);
          const next: RunRecord = { ...(await runs.get(pr.run.id))! };
          if (ok) next.cleaning = { ...c, sampleIds: sampleIds as number[], validationIds: validationIds as number[] };
          else delete next.cleaning;
          await runs.put(next);
        }
      }
      for (const t of pr.trainings) {
        if (await trainings.get(t.id)) {
          report.trainingsSkipped++;
          continue;
        }
        const config = { ...t.config };
        if (Array.isArray(config.sampleIds)) {
          config.sampleIds = (config.sampleIds as number[]).map((id) => {
            const mapped = idMap.get(id);
            if (mapped === undefined) throw new ImportFormatError(`Training ${t.id} refers to samples that run ${pr.run.id} here does not have; not imported.`);
            return mapped;
          });
        }
        await trainings.add({ ...t, config });
        report.trainingsAdded++;
      }
    }
    const testSets = tx.objectStore('testSets');
    for (const t of contents.testSets) {
      if (await testSets.get(t.id)) continue;
      await testSets.add(t);
      report.testSetsAdded++;
    }
  })();
  try {
    await work;
    await tx.done;
  } catch (e) {
    try {
      tx.abort();
    } catch {
      // already aborted (e.g. by the quota error itself)
    }
    await tx.done.catch(() => undefined);
    if (isQuotaError(e)) throw new ImportQuotaError(e);
    throw e;
  }
  return report;
}
