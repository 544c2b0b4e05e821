// "Import samples": a {"text","label"} JSONL file becomes a new run (validated fully before anything is stored) and
// is selected as the current run. The alternative to generating in the Generate step.
import { version as APP_VERSION } from '../../../package.json';
import { importSamplesAsRun } from '../../core/pipeline/import-run.ts';
import { notifyRunsChanged } from '../shared/runs-changed.ts';
import type { RunsController } from '../runs/runs-state.svelte.ts';
import { errorText } from '../../core/error-text.ts';
import { MAX_TEXT_FILE_BYTES, checkFileSize, decodeUtf8 } from '../../core/portable/text.ts';

/** The file as text: refused above the size limit before reading, and when it is not valid UTF-8. */
async function readTextFile(file: File): Promise<string> {
  checkFileSize(file.size, MAX_TEXT_FILE_BYTES, file.name, 'a samples file');
  return decodeUtf8(new Uint8Array(await file.arrayBuffer()), file.name);
}

export class ImportController {
  message = $state<string | null>(null);
  error = $state<string | null>(null);
  importing = $state(false);

  constructor(private readonly runs: RunsController) {}

  async importFile(file: File): Promise<void> {
    const store = this.runs.store;
    if (!store) return;
    this.error = null;
    this.message = null;
    this.importing = true;
    try {
      const run = await importSamplesAsRun(store, {
        fileName: file.name,
        text: await readTextFile(file),
        versions: { app: APP_VERSION, transformers: 'n/a (imported samples)' },
      });
      await this.runs.refresh();
      await this.runs.select(run.id);
      notifyRunsChanged();
      const labels = run.config.task.labels.map((l) => l.name).join(', ');
      this.message = `Imported ${file.name} as a new run (labels: ${labels}).`;
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.importing = false;
    }
  }
}
