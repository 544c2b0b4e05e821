// "Import samples": a {"text","label"} JSONL file (or a text,label CSV) becomes a new run and is selected as the
// current run. The file is read as a stream (strict UTF-8, size limit stated up front), validated completely, then
// stored in one transaction with a progress bar and Cancel — a closed tab, a full disk or Cancel leave nothing behind.
import { version as APP_VERSION } from '../../../package.json';
import { importSamplesAsRun } from '../../core/runs/import-run.ts';
import { readTextFile } from '../../core/data/read-file.ts';
import { notifyRunsChanged } from '../shared/runs-changed.ts';
import type { RunsController } from '../runs/runs-state.svelte.ts';
import { errorText } from '../../core/error-text.ts';

export type ImportPhase = 'reading' | 'checking' | 'storing';

export class ImportController {
  message = $state<string | null>(null);
  /** Non-fatal problems of the last import (look-alike labels). */
  warnings = $state.raw<string[]>([]);
  error = $state<string | null>(null);
  importing = $state(false);
  phase = $state<ImportPhase>('reading');
  /** Progress of the current phase, 0..1. */
  fraction = $state(0);
  private controller: AbortController | null = null;

  constructor(private readonly runs: RunsController) {}

  cancel(): void {
    this.controller?.abort();
  }

  async importFile(file: File): Promise<void> {
    const store = this.runs.store;
    if (!store || this.importing) return;
    this.error = null;
    this.message = null;
    this.warnings = [];
    this.importing = true;
    this.phase = 'reading';
    this.fraction = 0;
    const controller = new AbortController();
    this.controller = controller;
    try {
      const text = await readTextFile(file, {
        source: file.name,
        signal: controller.signal,
        onProgress: (read, total) => (this.fraction = total > 0 ? read / total : 1),
      });
      this.phase = 'checking';
      this.fraction = 0;
      // Let the page paint "Checking…" before the synchronous parse.
      await new Promise((r) => setTimeout(r, 0));
      if (controller.signal.aborted) throw new DOMException('Import cancelled; nothing was stored.', 'AbortError');
      const { run, warnings } = await importSamplesAsRun(store, {
        fileName: file.name,
        text,
        versions: { app: APP_VERSION, transformers: 'n/a (imported samples)' },
        signal: controller.signal,
        onProgress: (written, total) => {
          this.phase = 'storing';
          this.fraction = written / total;
        },
      });
      await this.runs.refresh();
      await this.runs.select(run.id);
      notifyRunsChanged();
      const labels = run.config.task.labels.map((l) => l.name).join(', ');
      this.message = `Imported ${file.name} as a new run: ${run.sampleCount ?? '?'} samples (labels: ${labels}).`;
      this.warnings = warnings;
    } catch (e) {
      this.error = (e as { name?: string }).name === 'AbortError' ? 'Import cancelled; nothing was stored.' : errorText(e);
    } finally {
      this.importing = false;
      this.controller = null;
    }
  }
}
