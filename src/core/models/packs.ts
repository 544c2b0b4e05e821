// Offline model packs imported from disk (a folder, or a zip of one — e.g. what tools/model-pack builds) into the
// browser's Cache Storage, so a teacher can copy one model to many machines from a USB stick. Everything is checked
// before anything is stored: safe names, the files transformers.js needs for the dtype, JSON files that parse, and
// when the pack carries a pack-manifest.json, every file's size and SHA-256. Files are stored under the same URLs the
// page would fetch them from (`<app>/models/<id>/<file>`), where transformers.js' cache lookup and the page's
// file checks find them with no network; a small record written last marks the pack complete, and a failed import
// (e.g. storage full) removes what it wrote.
import { findCatalogEntry, MODEL_CATALOG, ONNX_SUFFIX_BY_DTYPE, formatBytes, optionalPackFiles, type CatalogDtype, type CatalogEntry } from './catalog.ts';
import { sha256Hex } from '../portable/hash.ts';
import { ImportFormatError } from '../portable/text.ts';

export const PACK_CACHE = 'sungen-model-packs';
/** Written last: the pack's record (id, dtype, files, sizes). A pack without it is incomplete and gets removed. */
export const PACK_RECORD = '.sungen-pack.json';
export const PACK_MANIFEST = 'pack-manifest.json';

export interface PackFile {
  path: string;
  data: Uint8Array;
}

export interface CheckedPack {
  entry: CatalogEntry;
  files: PackFile[];
  bytes: number;
  /** True when a pack-manifest.json vouched for every file's size and SHA-256. */
  hashesChecked: boolean;
}

export interface PackRecord {
  id: string;
  dtype: CatalogDtype;
  files: { path: string; bytes: number }[];
  bytes: number;
  hashesChecked: boolean;
  importedAt: number;
}

/** Relative paths inside the pack: the shared top folder (a chosen folder's name, a zip's root dir) removed. */
function stripTopFolder(files: PackFile[]): PackFile[] {
  if (files.some((f) => !f.path.includes('/'))) return files;
  const tops = new Set(files.map((f) => f.path.split('/')[0]));
  if (tops.size !== 1) return files;
  return files.map((f) => ({ path: f.path.slice(f.path.indexOf('/') + 1), data: f.data }));
}

function checkName(path: string, source: string): void {
  if (!path || path.startsWith('/') || path.split('/').some((p) => p === '..' || p === '') || /[\\\0]/.test(path)) {
    throw new ImportFormatError(`${source}: unsafe file name ${JSON.stringify(path)} in the model pack.`);
  }
}

/** The catalog's dtype for `id`, or what the ONNX file names in the pack say. */
function dtypeOf(files: Map<string, PackFile>, entry: CatalogEntry | undefined): CatalogDtype | undefined {
  if (entry) return entry.dtype;
  const found = (Object.keys(ONNX_SUFFIX_BY_DTYPE) as CatalogDtype[]).filter((d) => files.has(`onnx/model${ONNX_SUFFIX_BY_DTYPE[d]}.onnx`));
  return found[0];
}

/** Checks a pack completely (nothing is stored). `id` is the catalog model it provides, e.g. HuggingFaceTB/SmolLM2-135M-Instruct. */
export async function checkModelPack(input: PackFile[], id: string, source: string): Promise<CheckedPack> {
  const entry = findCatalogEntry(id);
  if (!entry) {
    throw new ImportFormatError(`"${id}" is not a model this page knows; choose one of: ${MODEL_CATALOG.map((m) => m.id).join(', ')}.`);
  }
  if (entry.bundled) throw new ImportFormatError(`"${id}" ships with the page already; no pack needed.`);
  const files = stripTopFolder(input.filter((f) => !f.path.endsWith('/')));
  for (const f of files) checkName(f.path, source);
  const byPath = new Map(files.map((f) => [f.path, f]));
  if (byPath.size !== files.length) throw new ImportFormatError(`${source}: the model pack lists a file twice.`);
  const dtype = dtypeOf(byPath, entry) as CatalogDtype;
  const missing = entry.files.filter((f) => !byPath.has(f));
  if (missing.length) {
    throw new ImportFormatError(`${source} is not a complete ${entry.displayName} pack: missing ${missing.join(', ')} (transformers.js layout, ${dtype}).`);
  }
  for (const f of entry.files) {
    const data = byPath.get(f)!.data;
    if (data.length === 0) throw new ImportFormatError(`${source}: ${f} is empty.`);
    if (f.endsWith('.json')) {
      try {
        JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
      } catch {
        throw new ImportFormatError(`${source}: ${f} is damaged (not valid JSON).`);
      }
    }
  }
  let hashesChecked = false;
  const manifestFile = byPath.get(PACK_MANIFEST);
  if (manifestFile) {
    let manifest: { files?: Record<string, { bytes?: number; sha256?: string }> };
    try {
      manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(manifestFile.data));
    } catch {
      throw new ImportFormatError(`${source}: ${PACK_MANIFEST} is damaged (not valid JSON).`);
    }
    const listed = Object.entries(manifest.files ?? {});
    if (!listed.length) throw new ImportFormatError(`${source}: ${PACK_MANIFEST} lists no files.`);
    for (const [path, info] of listed) {
      const f = byPath.get(path);
      if (!f) throw new ImportFormatError(`${source}: ${path} is missing (listed in ${PACK_MANIFEST}).`);
      if (f.data.length !== info.bytes) throw new ImportFormatError(`${source}: ${path} has ${f.data.length} bytes, ${PACK_MANIFEST} says ${info.bytes} (truncated or damaged copy).`);
      if ((await sha256Hex(f.data)) !== info.sha256) throw new ImportFormatError(`${source}: ${path} is damaged (its SHA-256 does not match ${PACK_MANIFEST}).`);
    }
    hashesChecked = true;
  }
  // Only what the model needs (plus its lean file and small extras the layout has) is stored.
  const optional = optionalPackFiles(entry); // e.g. SmolLM2's lean q8 file, for devices with little memory
  const keep = files.filter((f) => entry.files.includes(f.path) || optional.includes(f.path) || /^[^/]+\.json$/.test(f.path));
  return { entry, files: keep, bytes: keep.reduce((n, f) => n + f.data.length, 0), hashesChecked };
}

const CONTENT_TYPES: [RegExp, string][] = [
  [/\.json$/, 'application/json'],
  [/\.onnx$/, 'application/octet-stream'],
];

function fileUrl(modelsBaseUrl: string, id: string, path: string): string {
  return new URL(`${id}/${path}`, modelsBaseUrl).href;
}

/** True for the DOMException a full disk raises (also when wrapped). */
function isQuota(e: unknown): boolean {
  return !!e && typeof e === 'object' && ((e as { name?: string }).name === 'QuotaExceededError' || isQuota((e as { cause?: unknown }).cause));
}

/** Stores a checked pack; on any failure (storage full) removes what it wrote and throws a clear message. */
export async function storeModelPack(caches: CacheStorage, modelsBaseUrl: string, pack: CheckedPack, now = Date.now()): Promise<PackRecord> {
  const cache = await caches.open(PACK_CACHE);
  const id = pack.entry.id;
  await deleteModelPack(caches, modelsBaseUrl, id);
  const written: string[] = [];
  const record: PackRecord = {
    id,
    dtype: pack.entry.dtype,
    files: pack.files.map((f) => ({ path: f.path, bytes: f.data.length })),
    bytes: pack.bytes,
    hashesChecked: pack.hashesChecked,
    importedAt: now,
  };
  try {
    for (const f of pack.files) {
      const url = fileUrl(modelsBaseUrl, id, f.path);
      const type = CONTENT_TYPES.find(([re]) => re.test(f.path))?.[1] ?? 'application/octet-stream';
      const headers = { 'content-type': type, 'content-length': String(f.data.length) };
      await cache.put(url, new Response(f.data as Uint8Array<ArrayBuffer>, { headers }));
      written.push(url);
    }
    const recordUrl = fileUrl(modelsBaseUrl, id, PACK_RECORD);
    await cache.put(recordUrl, new Response(JSON.stringify(record), { headers: { 'content-type': 'application/json' } }));
  } catch (e) {
    for (const url of written) await cache.delete(url).catch(() => false);
    if (isQuota(e)) {
      throw new ImportFormatError(`Browser storage is full: the ${formatBytes(pack.bytes)} model pack was not imported (nothing was kept). Delete other models or old runs, then try again.`);
    }
    throw e;
  }
  return record;
}

/** Imported packs (complete ones); leftovers of an interrupted import are removed. */
export async function listModelPacks(caches: CacheStorage, modelsBaseUrl: string): Promise<PackRecord[]> {
  if (!(await caches.has(PACK_CACHE))) return [];
  const cache = await caches.open(PACK_CACHE);
  const keys = await cache.keys();
  const records: PackRecord[] = [];
  for (const req of keys.filter((r) => r.url.endsWith(`/${PACK_RECORD}`))) {
    const res = await cache.match(req);
    try {
      records.push((await res?.json()) as PackRecord);
    } catch {
      await cache.delete(req);
    }
  }
  const complete = new Set(records.map((r) => new URL(`${r.id}/`, modelsBaseUrl).href));
  for (const req of keys) {
    if (!req.url.startsWith(modelsBaseUrl)) continue;
    if (![...complete].some((prefix) => req.url.startsWith(prefix))) await cache.delete(req);
  }
  return records.sort((a, b) => a.id.localeCompare(b.id));
}

/** Removes an imported pack (its record first, so a half-deleted pack is never listed as complete). */
export async function deleteModelPack(caches: CacheStorage, modelsBaseUrl: string, id: string): Promise<void> {
  if (!(await caches.has(PACK_CACHE))) return;
  const cache = await caches.open(PACK_CACHE);
  const prefix = new URL(`${id}/`, modelsBaseUrl).href;
  await cache.delete(prefix + PACK_RECORD);
  for (const req of await cache.keys()) if (req.url.startsWith(prefix)) await cache.delete(req);
}
