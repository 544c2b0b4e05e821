// Zip reading and writing on fflate for project files and model packs. Reading checks the central directory before
// inflating anything (entry count, declared sizes: a zip bomb is refused up front), inflates each entry into a buffer
// of its declared size and refuses an entry whose data does not match it, so a lying or truncated zip never fills
// memory or yields half a file. Writing streams: entries are deflated one by one and handed on as chunks.
import { inflateSync, unzipSync, Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { ImportFormatError, mb } from './text.ts';

export interface ZipLimits {
  maxEntries: number;
  /** Largest uncompressed size of one entry. */
  maxEntryBytes: number;
  /** Largest uncompressed size of all entries together. */
  maxTotalBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 20_000, maxEntryBytes: 1024 * 1024 * 1024, maxTotalBytes: 2 * 1024 * 1024 * 1024 };

export interface ZipEntryInfo {
  name: string;
  compressedBytes: number;
  bytes: number;
  method: number;
}

/** Entry names must be relative paths without `..` (never used as real paths, but a pack's names are shown). */
function checkEntryName(name: string, source: string): void {
  if (name.startsWith('/') || name.split('/').includes('..') || name.includes('\\') || name.includes('\0')) {
    throw new ImportFormatError(`${source} contains an unsafe file name ${JSON.stringify(name)}.`);
  }
}

/** Lists the entries of a zip and checks them against the limits; throws ImportFormatError for anything wrong. */
export function listZip(bytes: Uint8Array, source: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipEntryInfo[] {
  const entries: ZipEntryInfo[] = [];
  let total = 0;
  try {
    unzipSync(bytes, {
      filter: (f) => {
        if (entries.length >= limits.maxEntries) throw new ImportFormatError(`${source} has more than ${limits.maxEntries} files.`);
        checkEntryName(f.name, source);
        if (f.compression !== 0 && f.compression !== 8) throw new ImportFormatError(`${source}: ${f.name} uses an unsupported compression method (${f.compression}).`);
        if (f.originalSize > limits.maxEntryBytes) {
          throw new ImportFormatError(`${source}: ${f.name} would unpack to ${mb(f.originalSize)}, more than the ${mb(limits.maxEntryBytes)} allowed per file; refused.`);
        }
        total += f.originalSize;
        if (total > limits.maxTotalBytes) {
          throw new ImportFormatError(`${source} would unpack to more than ${mb(limits.maxTotalBytes)}; refused (is it a zip bomb?).`);
        }
        entries.push({ name: f.name, compressedBytes: f.size, bytes: f.originalSize, method: f.compression });
        return false;
      },
    });
  } catch (e) {
    if (e instanceof ImportFormatError) throw e;
    throw new ImportFormatError(`${source} is not a readable zip file (it may be truncated or damaged).`);
  }
  return entries;
}

/** Unpacks the listed entries (directories skipped). Each entry must inflate to exactly its declared size. */
export function readZip(bytes: Uint8Array, source: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Map<string, Uint8Array> {
  const infos = listZip(bytes, source, limits);
  const raw = entryData(bytes, source);
  const out = new Map<string, Uint8Array>();
  // fflate's unzipSync trusts declared sizes (it truncates silently), so inflate each entry ourselves with one spare
  // byte: more or less data than declared means the zip is damaged.
  for (const info of infos) {
    if (info.name.endsWith('/')) continue;
    const stored = raw.get(info.name);
    if (!stored) throw new ImportFormatError(`${source} is not a readable zip file (${info.name} cannot be found).`);
    let data: Uint8Array;
    if (info.method === 0) data = stored;
    else {
      try {
        data = inflateSync(stored, { out: new Uint8Array(info.bytes + 1) });
      } catch {
        throw new ImportFormatError(`${source}: ${info.name} is damaged (its compressed data cannot be read).`);
      }
    }
    if (data.length !== info.bytes) throw new ImportFormatError(`${source}: ${info.name} is damaged (${data.length} bytes instead of the declared ${info.bytes}).`);
    out.set(info.name, data);
  }
  return out;
}

/** The stored (compressed) bytes of every entry, found through the central directory (zip64 aware). */
function entryData(bytes: Uint8Array, source: string): Map<string, Uint8Array> {
  const bad = () => new ImportFormatError(`${source} is not a readable zip file (it may be truncated or damaged).`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = bytes.length - 22;
  while (eocd >= 0 && dv.getUint32(eocd, true) !== 0x06054b50) eocd--;
  if (eocd < 0) throw bad();
  let count = dv.getUint16(eocd + 10, true);
  let off = dv.getUint32(eocd + 16, true);
  if (eocd >= 20 && dv.getUint32(eocd - 20, true) === 0x07064b50) {
    const z = Number(dv.getBigUint64(eocd - 12, true));
    if (z + 56 <= bytes.length && dv.getUint32(z, true) === 0x06064b50) {
      count = Number(dv.getBigUint64(z + 32, true));
      off = Number(dv.getBigUint64(z + 48, true));
    }
  }
  const dec = new TextDecoder();
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    if (off + 46 > bytes.length || dv.getUint32(off, true) !== 0x02014b50) throw bad();
    const nameLen = dv.getUint16(off + 28, true);
    const extraLen = dv.getUint16(off + 30, true);
    const commentLen = dv.getUint16(off + 32, true);
    let compSize = dv.getUint32(off + 20, true);
    let local = dv.getUint32(off + 42, true);
    const name = dec.decode(bytes.subarray(off + 46, off + 46 + nameLen));
    if (compSize === 0xffffffff || local === 0xffffffff) {
      // zip64 extra field: 8-byte values, only for the fields that overflowed (uncompressed size first)
      let e = off + 46 + nameLen;
      const end = e + extraLen;
      while (e + 4 <= end) {
        const id = dv.getUint16(e, true);
        const len = dv.getUint16(e + 2, true);
        if (id === 1) {
          let p = e + 4;
          if (dv.getUint32(off + 24, true) === 0xffffffff) p += 8;
          if (compSize === 0xffffffff) {
            compSize = Number(dv.getBigUint64(p, true));
            p += 8;
          }
          if (local === 0xffffffff) local = Number(dv.getBigUint64(p, true));
        }
        e += 4 + len;
      }
    }
    if (local + 30 > bytes.length || dv.getUint32(local, true) !== 0x04034b50) throw bad();
    const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    if (start + compSize > bytes.length) throw new ImportFormatError(`${source} is truncated (${name} is cut off).`);
    out.set(name, bytes.subarray(start, start + compSize));
    off += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Streams a zip: add entries one at a time; every finished chunk goes to `onChunk` (a Blob part or a file write). */
export class ZipWriter {
  private readonly zip: Zip;
  private failure: Error | null = null;
  private finished: Promise<void>;

  constructor(onChunk: (chunk: Uint8Array) => void) {
    let resolveDone!: () => void;
    let rejectDone!: (e: Error) => void;
    this.finished = new Promise<void>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    this.zip = new Zip((err, chunk, final) => {
      if (err) {
        this.failure = err;
        rejectDone(err);
        return;
      }
      onChunk(chunk);
      if (final) resolveDone();
    });
  }

  /** Adds one file; already-compressed data (e.g. binary weights are not) can be stored with `compress: false`. */
  add(name: string, data: Uint8Array, compress = true): void {
    if (this.failure) throw this.failure;
    const entry = compress ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name);
    this.zip.add(entry);
    entry.push(data, true);
  }

  async end(): Promise<void> {
    this.zip.end();
    await this.finished;
  }
}

/** Builds a whole zip in memory (small files, tests). */
export async function zipToBytes(files: Record<string, Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const w = new ZipWriter((c) => chunks.push(c));
  for (const [name, data] of Object.entries(files)) w.add(name, data);
  await w.end();
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
