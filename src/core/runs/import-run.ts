// "Import samples": a `{"text","label"}` JSONL file or a text,label CSV (e.g. PLM-generated data from elsewhere) becomes
// a new run with its samples. The whole file is validated first, then stored in one IndexedDB transaction, so either
// the complete run exists or nothing does (no clean-up step that a closed tab could skip).
import type { LabStore } from '../storage/lab-store.ts';
import type { RunConfig, RunRecord } from '../storage/schema.ts';
import { DEFAULT_SAMPLING } from '../tasks/validate.ts';
import { MAX_PER_LABEL } from '../storage/validate-records.ts';
import { checkImportedRows, parseImportJsonl } from '../data/samples.ts';
import { parseSamplesCsv } from '../portable/samples-file.ts';

export const IMPORTED_MODEL_ID = 'imported';

export interface ImportInput {
  fileName: string;
  text: string;
  versions: { app: string; transformers: string };
  /** Run name (default: "Imported: <file name>"). */
  name?: string;
  /** Samples stored so far (reported between write chunks). */
  onProgress?: (written: number, total: number) => void;
  /** Cancel: the whole import is rolled back. */
  signal?: AbortSignal;
}

/** Prompt of every imported label: fixed text, so no file or label name is ever read as a `{context}` template. */
export const IMPORTED_PROMPT = '(imported samples: not generated here, no prompt)';

/** The run config of an imported file: a task with the file's labels; no generator was involved. */
export function importedRunConfig(fileName: string, labelNames: readonly string[], maxPerLabel: number, versions: ImportInput['versions']): RunConfig {
  return {
    task: {
      id: 'imported',
      name: `Imported: ${fileName}`,
      labels: labelNames.map((name) => ({ name, prompt: IMPORTED_PROMPT })),
      source: `imported file ${fileName}`,
    },
    modelId: IMPORTED_MODEL_ID,
    dtype: 'none',
    device: 'cpu',
    deviceReason: `not generated in this lab: samples imported from ${fileName}`,
    sampling: { ...DEFAULT_SAMPLING },
    perLabel: Math.min(MAX_PER_LABEL, Math.max(1, maxPerLabel)),
    allowNetwork: false,
    versions,
  };
}

export interface ImportResult {
  run: RunRecord;
  /** Non-fatal problems (e.g. look-alike labels) to show next to the success message. */
  warnings: string[];
}

/**
 * Validates the file completely, then stores it as a finished run in one transaction (LabStore.importRun): the run
 * appears complete or not at all, even if the tab is closed, the disk fills up or the user cancels mid-way.
 */
export async function importSamplesAsRun(store: LabStore, input: ImportInput): Promise<ImportResult> {
  const parsed = /\.csv$/i.test(input.fileName)
    ? checkImportedRows(parseSamplesCsv(input.text, input.fileName), input.fileName)
    : parseImportJsonl(input.text, input.fileName);
  let maxPerLabel = 1;
  for (const n of parsed.countsByLabel.values()) maxPerLabel = Math.max(maxPerLabel, n);
  const run = await store.importRun({
    name: input.name ?? `Imported: ${input.fileName}`,
    config: importedRunConfig(input.fileName, parsed.labelNames, maxPerLabel, input.versions),
    samples: parsed.rows.map((r) => ({ text: r.text, label: r.label })),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  return { run, warnings: parsed.warnings };
}
