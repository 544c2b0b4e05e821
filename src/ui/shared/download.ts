// Saves bytes the page made (exports) as a file in the user's downloads.
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A file name part from free text (run names): letters, digits, dashes. */
export function fileSafe(name: string): string {
  return name.trim().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'export';
}

/** Today as YYYY-MM-DD, for export file names. */
export function dateStamp(): string {
  return new Date().toISOString().slice(0, 10);
}
