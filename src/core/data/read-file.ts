// Reads user files (Import, test-set upload, CLI inputs) as strict UTF-8 text with a size limit stated up front.
// Invalid UTF-8 is an error that names the line (never silently replaced by U+FFFD), a file over the limit is refused
// before anything is read (a huge file used to come back "empty"), and browser files are read as a stream, with
// progress and Cancel, instead of one `File.text()` call.

/** Largest file Import and the test-set upload accept (stated next to both file inputs). */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;

export function formatFileSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes >= 10 * 1024 * 1024 ? 0 : 1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} kB`;
  return `${bytes} bytes`;
}

/** The file is not valid UTF-8 (or is binary); `line` is 1-based. */
export class EncodingError extends Error {
  override readonly name = 'EncodingError';
  constructor(
    readonly source: string,
    readonly line: number,
    readonly byteOffset: number,
  ) {
    super(
      `${source} is not valid UTF-8 text: line ${line} (byte ${byteOffset}) has bytes that are not UTF-8. ` +
        'Save the file as UTF-8 (JSON Lines, one {"text": ..., "label": ...} object per line) and try again.',
    );
  }
}

export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';
  constructor(source: string, size: number, max: number) {
    super(`${source} is ${formatFileSize(size)}; at most ${formatFileSize(max)} can be read here. Split it into smaller files.`);
  }
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (or a truncated one at the end); -1 if valid. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [len, min] = [2, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [len, min] = [3, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [len, min] = [4, 0x10000];
    else return i;
    if (i + len > n) return i;
    let cp = b & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += len;
  }
  return -1;
}

function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset; k++) if (bytes[k] === 0x0a) line++;
  return line;
}

/** Strict UTF-8 decoding of bytes (Node CLIs and tests); a leading BOM is dropped. */
export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const offset = at < 0 ? bytes.length : at;
    throw new EncodingError(source, lineOf(bytes, offset), offset);
  }
}

export interface ReadTextOptions {
  /** Name for messages (the file name). */
  source?: string;
  maxBytes?: number;
  /** Bytes read so far and the file's size. */
  onProgress?: (readBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

/** Reads a Blob/File as strict UTF-8 text, streamed, refusing files over `maxBytes` before reading anything. */
export async function readTextFile(blob: Blob, opts: ReadTextOptions = {}): Promise<string> {
  const source = opts.source ?? ((blob as { name?: string }).name || 'The file');
  const max = opts.maxBytes ?? MAX_FILE_BYTES;
  if (blob.size > max) throw new FileTooLargeError(source, blob.size, max);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const parts: string[] = [];
  let read = 0;
  const reader = blob.stream().getReader();
  try {
    for (;;) {
      if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new DOMException('Reading was cancelled.', 'AbortError');
      const { done, value } = await reader.read();
      if (done) break;
      read += value.byteLength;
      if (read > max) throw new FileTooLargeError(source, read, max); // the file grew while being read
      try {
        parts.push(decoder.decode(value, { stream: true }));
      } catch {
        throw await locateEncodingError(blob, read, source);
      }
      opts.onProgress?.(read, blob.size);
    }
    try {
      parts.push(decoder.decode());
    } catch {
      throw await locateEncodingError(blob, read, source);
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return parts.join('');
}

async function locateEncodingError(blob: Blob, upTo: number, source: string): Promise<EncodingError> {
  const bytes = new Uint8Array(await blob.slice(0, upTo).arrayBuffer());
  const at = firstInvalidUtf8(bytes);
  const offset = at < 0 ? bytes.length : at;
  return new EncodingError(source, lineOf(bytes, offset), offset);
}
