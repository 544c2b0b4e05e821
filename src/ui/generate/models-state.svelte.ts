// The model catalog view's state: for every catalog model where it comes from (bundled, an offline pack imported
// into this browser, a pack folder on the server, or the hub), its size and dtype, whether its files are cached in
// the browser, and Delete; plus importing a model pack from a folder or a zip (checked before anything is stored).
import { hubFilesOf, MODEL_CATALOG } from '../../core/models/catalog.ts';
import { checkModelPack, deleteModelPack, storeModelPack, type PackFile } from '../../core/models/packs.ts';
import { localModelBaseUrl } from '../../core/runtime/http-files.ts';
import { HUB_CACHE, hubFileUrl, modelRows, type ModelRow } from './model-rows.ts';
import { readZip } from '../../core/portable/zip.ts';
import { appBaseUrl } from '../shared/app-base.ts';
import { BusyTask } from '../shared/busy-task.svelte.ts';

export class ModelsController extends BusyTask {
  rows = $state.raw<ModelRow[]>([]);
  /** The catalog model a pack being imported provides. */
  importId = $state(MODEL_CATALOG.find((m) => !m.bundled)?.id ?? '');

  private get modelsBase(): string {
    return localModelBaseUrl(appBaseUrl());
  }

  /** Counts refreshes, so only the latest one's rows are shown. */
  private refreshes = 0;

  async refresh(): Promise<void> {
    if (typeof caches === 'undefined') return;
    // Refreshes overlap (on mount, when the service worker is ready, after an import or delete) and can finish out of
    // order: one started before an import must not overwrite the rows read after it (seen on a loaded machine: the
    // imported pack shown as "Hugging Face hub, no").
    const seq = ++this.refreshes;
    const rows = await modelRows(this.modelsBase);
    if (seq === this.refreshes) this.rows = rows;
  }

  private run(fn: () => Promise<string>): Promise<void> {
    return this.task(fn, () => this.refresh());
  }

  private async importFiles(files: PackFile[], source: string): Promise<string> {
    const id = this.importId;
    const pack = await checkModelPack(files, id, source);
    const record = await storeModelPack(caches, this.modelsBase, pack);
    const mb = (record.bytes / (1024 * 1024)).toFixed(1);
    return `Imported ${id} (${record.dtype}, ${mb} MB) from ${source}${record.hashesChecked ? ', every file matched its SHA-256' : ''}. It now loads with no network.`;
  }

  /** A folder chosen with the folder picker (webkitRelativePath keeps the layout). */
  importFolder(list: FileList): Promise<void> {
    return this.run(async () => {
      const files: PackFile[] = [];
      for (const f of Array.from(list)) files.push({ path: f.webkitRelativePath || f.name, data: new Uint8Array(await f.arrayBuffer()) });
      const top = files[0]?.path.split('/')[0] ?? 'folder';
      return this.importFiles(files, `folder ${top}`);
    });
  }

  importZip(file: File): Promise<void> {
    return this.run(async () => {
      const entries = readZip(new Uint8Array(await file.arrayBuffer()), file.name);
      return this.importFiles([...entries].map(([path, data]) => ({ path, data })), file.name);
    });
  }

  /** Deletes what this browser holds for a model: an imported pack, or hub downloads in transformers.js' cache. */
  remove(row: ModelRow): Promise<void> {
    return this.run(async () => {
      if (row.pack) await deleteModelPack(caches, this.modelsBase, row.entry.id);
      if (await caches.has(HUB_CACHE)) {
        const cache = await caches.open(HUB_CACHE);
        for (const f of hubFilesOf(row.entry)) await cache.delete(hubFileUrl(row.entry.id, f));
      }
      return `Deleted ${row.entry.displayName} from this browser's storage.`;
    });
  }
}

