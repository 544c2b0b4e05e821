// What this browser stores for the lab: used and available space (navigator.storage.estimate), whether storage is
// persistent (navigator.storage.persist asks the browser not to evict it), and the size of each run (samples text,
// SunGen weights, trained model files) so a user knows what to delete when space runs out.
import type { LabStore } from '../../core/storage/lab-store.ts';
import { errorText } from '../../core/error-text.ts';

export interface RunSize {
  runId: string;
  name: string;
  samples: number;
  bytes: number;
}

/** Approximate stored bytes of one run: its samples' text, its trainings' weights and model files. */
export async function runBytes(store: LabStore, runId: string): Promise<{ samples: number; bytes: number }> {
  const samples = await store.getSamples(runId);
  let bytes = 0;
  for (const s of samples) bytes += 2 * (s.text.length + (s.context?.length ?? 0)) + 64;
  for (const t of await store.listTrainings(runId)) {
    bytes += t.weights?.byteLength ?? 0;
    for (const a of Object.values(t.artifacts)) bytes += a.byteLength;
    bytes += JSON.stringify(t.config, (_k, v) => (ArrayBuffer.isView(v) ? undefined : v)).length * 2;
  }
  return { samples: samples.length, bytes };
}

export class StorageState {
  usage = $state<number | null>(null);
  quota = $state<number | null>(null);
  persisted = $state<boolean | null>(null);
  runSizes = $state.raw<RunSize[]>([]);
  message = $state<string | null>(null);
  error = $state<string | null>(null);
  readonly supported = typeof navigator !== 'undefined' && !!navigator.storage?.estimate;

  async refresh(store: LabStore | null): Promise<void> {
    this.error = null;
    try {
      if (this.supported) {
        const e = await navigator.storage.estimate();
        this.usage = e.usage ?? null;
        this.quota = e.quota ?? null;
        this.persisted = navigator.storage.persisted ? await navigator.storage.persisted() : null;
      }
      if (store) {
        const sizes: RunSize[] = [];
        for (const r of await store.listRuns()) sizes.push({ runId: r.id, name: r.name, ...(await runBytes(store, r.id)) });
        this.runSizes = sizes.sort((a, b) => b.bytes - a.bytes);
      }
    } catch (e) {
      this.error = `Could not read storage use: ${errorText(e)}`;
    }
  }

  async requestPersist(): Promise<void> {
    if (!navigator.storage?.persist) {
      this.message = 'This browser cannot make storage persistent.';
      return;
    }
    const ok = await navigator.storage.persist();
    this.persisted = ok;
    this.message = ok
      ? 'Storage is persistent: the browser will not delete your runs to free space.'
      : 'The browser declined (it decides by how often you use the page; installing the page usually helps). Export your project to keep a copy.';
  }
}
