// "Import samples": a `{"text","label"}` JSONL file or a text,label CSV (e.g. PLM-generated data from elsewhere) becomes a new run with
// its samples. The whole file is validated first; if storing fails part-way, the half-written run is deleted, so
// either the complete run exists or nothing does.
import type { LabStore } from '../storage/lab-store.ts';
import type { RunConfig, RunRecord } from '../storage/schema.ts';
import { DEFAULT_SAMPLING } from '../tasks/validate.ts';
import { checkImportedRows, parseImportJsonl } from './samples.ts';
import { parseSamplesCsv } from '../portable/samples-file.ts';

export const IMPORTED_MODEL_ID = 'imported';

export interface ImportInput {
  fileName: string;
  text: string;
  versions: { app: string; transformers: string };
  /** Run name (default: "Imported: <file name>"). */
  name?: string;
}

/** The run config of an imported file: a task with the file's labels; no generator was involved. */
export function importedRunConfig(fileName: string, labelNames: readonly string[], maxPerLabel: number, versions: ImportInput['versions']): RunConfig {
  return {
    task: {
      id: 'imported',
      name: `Imported: ${fileName}`,
      labels: labelNames.map((name) => ({ name, prompt: `Imported from ${fileName} with label ${JSON.stringify(name)}: "` })),
      source: `imported file ${fileName}`,
    },
    modelId: IMPORTED_MODEL_ID,
    dtype: 'none',
    device: 'cpu',
    deviceReason: `not generated in this lab: samples imported from ${fileName}`,
    sampling: { ...DEFAULT_SAMPLING },
    perLabel: Math.max(1, maxPerLabel),
    allowNetwork: false,
    versions,
  };
}

/** Validates the file completely, then stores it as a finished run. Returns the run; throws (storing nothing) on bad input. */
export async function importSamplesAsRun(store: LabStore, input: ImportInput): Promise<RunRecord> {
  const parsed = /\.csv$/i.test(input.fileName)
    ? checkImportedRows(parseSamplesCsv(input.text, input.fileName), input.fileName)
    : parseImportJsonl(input.text, input.fileName);
  const maxPerLabel = Math.max(...Object.values(parsed.countsByLabel));
  const run = await store.createRun({
    name: input.name ?? `Imported: ${input.fileName}`,
    config: importedRunConfig(input.fileName, parsed.labelNames, maxPerLabel, input.versions),
  });
  try {
    await store.appendSamples(run.id, parsed.rows.map((r) => ({ text: r.text, label: r.label })));
    return await store.updateRunStatus(run.id, 'done');
  } catch (err) {
    await store.deleteRun(run.id).catch(() => undefined);
    throw err;
  }
}
