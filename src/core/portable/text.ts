// Strict text decoding for imported files: bad UTF-8 is a clear error naming the file and the byte, never replaced
// by U+FFFD and stored. Size limits for text files read whole (samples JSONL/CSV). The decoding itself is the one in
// core/data/read-file.ts (shared with Import, the test-set upload and the CLIs).
import { decodeUtf8 as decodeStrictUtf8 } from '../data/read-file.ts';

/** Largest samples file (JSONL or CSV) read into the page at once. */
export const MAX_TEXT_FILE_BYTES = 40 * 1024 * 1024;

export class ImportFormatError extends Error {
  override readonly name = 'ImportFormatError';
}

/** UTF-8 bytes → string; a leading BOM is dropped. Throws ImportFormatError naming the line and byte of the first bad sequence. */
export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return decodeStrictUtf8(bytes, source);
  } catch (e) {
    throw new ImportFormatError(e instanceof Error ? e.message : String(e));
  }
}

export function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Throws a clear message when a file is larger than `limit` bytes. */
export function checkFileSize(bytes: number, limit: number, source: string, what: string): void {
  if (bytes > limit) throw new ImportFormatError(`${source} is ${mb(bytes)}; ${what} can be at most ${mb(limit)}.`);
}
