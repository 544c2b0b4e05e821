// Strict text decoding for imported files: bad UTF-8 is a clear error naming the file and the byte, never replaced
// by U+FFFD and stored. Size limits for text files read whole (samples JSONL/CSV).

/** Largest samples file (JSONL or CSV) read into the page at once. */
export const MAX_TEXT_FILE_BYTES = 40 * 1024 * 1024;

export class ImportFormatError extends Error {
  override readonly name = 'ImportFormatError';
}

/** UTF-8 bytes → string; a leading BOM is dropped. Throws ImportFormatError at the first invalid byte sequence. */
export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // Find the first bad sequence for the message (the decoder does not report it).
    let lo = 0;
    let hi = bytes.length;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
        lo = mid;
      } catch {
        hi = mid;
      }
    }
    throw new ImportFormatError(`${source} is not valid UTF-8 text (bad bytes near byte ${lo}); save it with UTF-8 encoding and try again.`);
  }
}

export function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Throws a clear message when a file is larger than `limit` bytes. */
export function checkFileSize(bytes: number, limit: number, source: string, what: string): void {
  if (bytes > limit) throw new ImportFormatError(`${source} is ${mb(bytes)}; ${what} can be at most ${mb(limit)}.`);
}
