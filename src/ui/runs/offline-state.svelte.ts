// "Ready for offline?": every file the page needs (the service worker's precache list, written at build time to
// offline-files.json) with its size and whether this browser has it cached, plus whether a service worker controls
// the page. Answers "can I unplug the server now?" file by file.
import { OFFLINE_FILES_JSON, type OfflineFile } from '../../core/offline/precache.ts';
import { errorText } from '../../core/error-text.ts';
import { appBaseUrl } from '../shared/app-base.ts';

export interface OfflineFileState extends OfflineFile {
  cached: boolean;
}

async function fileStates(): Promise<OfflineFileState[]> {
  const base = appBaseUrl();
  const res = await fetch(new URL(OFFLINE_FILES_JSON, base).href);
  if (!res.ok) throw new Error(`${OFFLINE_FILES_JSON} is missing (this is a development build without a service worker).`);
  const { files } = (await res.json()) as { files: OfflineFile[] };
  const out: OfflineFileState[] = [];
  for (const f of files) {
    const hit = typeof caches !== 'undefined' ? await caches.match(new URL(f.url, base).href, { ignoreSearch: true }) : undefined;
    out.push({ ...f, cached: hit !== undefined });
  }
  return out;
}

export class OfflineState {
  files = $state.raw<OfflineFileState[]>([]);
  controlled = $state(false);
  error = $state<string | null>(null);
  checking = $state(false);

  async refresh(): Promise<void> {
    this.checking = true;
    this.error = null;
    try {
      this.controlled = typeof navigator !== 'undefined' && !!navigator.serviceWorker?.controller;
      this.files = await fileStates();
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.checking = false;
    }
  }
}
