// What the model catalog shows per model (plain TS, no runes): where it comes from, its size, and how many of its
// files this browser holds — in the service worker's precache (bundled), an imported pack, or transformers.js' cache
// of hub downloads.
import { hubFilesOf, MODEL_CATALOG, type CatalogEntry } from '../../core/models/catalog.ts';
import { listModelPacks, type PackRecord } from '../../core/models/packs.ts';
import { httpFileExists } from '../../core/runtime/http-files.ts';

/** transformers.js' default browser cache (hub downloads) and hub URL layout. */
export const HUB_CACHE = 'transformers-cache';
export const hubFileUrl = (id: string, file: string) => `https://huggingface.co/${id}/resolve/main/${file}`;

export type ModelSourceKind = 'bundled' | 'pack' | 'server' | 'hub';

export interface ModelRow {
  entry: CatalogEntry;
  source: ModelSourceKind;
  bytes: number;
  /** Files of the model held in this browser (precache, pack or hub cache) out of those it needs. */
  cachedFiles: number;
  pack: PackRecord | null;
}

async function cacheHas(cacheName: string, url: string): Promise<boolean> {
  if (typeof caches === 'undefined' || !(await caches.has(cacheName))) return false;
  return (await (await caches.open(cacheName)).match(url)) !== undefined;
}

/** True when every file of a hub model is already in transformers.js' cache (no download needed). */
export async function hubFilesCached(entry: CatalogEntry): Promise<boolean> {
  for (const f of hubFilesOf(entry)) if (!(await cacheHas(HUB_CACHE, hubFileUrl(entry.id, f)))) return false;
  return true;
}

/** One row per catalog model. `modelsBase`: absolute URL of the page's models folder. */
export async function modelRows(modelsBase: string): Promise<ModelRow[]> {
  const packs = new Map((await listModelPacks(caches, modelsBase)).map((p) => [p.id, p]));
  const rows: ModelRow[] = [];
  for (const entry of MODEL_CATALOG) {
    const pack = packs.get(entry.id) ?? null;
    const local = (f: string) => new URL(`${entry.id}/${f}`, modelsBase).href;
    let source: ModelSourceKind = entry.bundled ? 'bundled' : pack ? 'pack' : 'hub';
    let cachedFiles = 0;
    const hubFiles = hubFilesOf(entry);
    for (let i = 0; i < entry.files.length; i++) {
      const f = entry.files[i];
      const held = pack
        ? true
        : entry.bundled
          ? (await caches.match(local(f), { ignoreSearch: true })) !== undefined
          : await cacheHas(HUB_CACHE, hubFileUrl(entry.id, hubFiles[i]));
      if (held) cachedFiles++;
    }
    if (source === 'hub' && cachedFiles === 0) {
      const exists = httpFileExists(new URL(`${entry.id}/`, modelsBase).href);
      // A server that does not answer holds nothing we can use (httpFileExists throws then, to tell it from a missing file).
      if ((await Promise.all(entry.files.map((f) => exists(f).catch(() => false)))).every(Boolean)) source = 'server';
    }
    rows.push({ entry, source, bytes: pack?.bytes ?? entry.downloadSizeBytes, cachedFiles, pack });
  }
  return rows;
}
