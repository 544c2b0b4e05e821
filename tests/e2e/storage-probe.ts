// Reads the page's IndexedDB straight from the page (not through the app), so a test can compare what is stored
// before and after an action: runs with their stored sample counts, total samples and trainings.
import type { Page } from 'playwright-core';
import type { GuardedContext } from './harness.ts';

export interface StoredRun {
  id: string;
  status: string;
  name: string;
  /** Samples stored for the run, and the run record's own count. */
  samples: number;
  sampleCount: number | null;
  /** seq values are exactly 0..samples-1 (nothing missing, nothing twice). */
  contiguous: boolean;
  perLabel: number;
  countsByLabel: [string, number][];
}

export interface Stored {
  runs: StoredRun[];
  samples: number;
  trainings: number;
  /** Stored test sets (uploaded or typed in the Evaluate step). */
  testSets: number;
}

export function readStored(page: Page): Promise<Stored> {
  return page.evaluate(
    () =>
      new Promise<Stored>((resolve, reject) => {
        const req = indexedDB.open('sungen-lab');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          if (!['runs', 'samples', 'trainings'].every((n) => db.objectStoreNames.contains(n))) {
            db.close();
            return resolve({ runs: [], samples: 0, trainings: 0, testSets: 0 });
          }
          const hasTestSets = db.objectStoreNames.contains('testSets');
          const tx = db.transaction(hasTestSets ? ['runs', 'samples', 'trainings', 'testSets'] : ['runs', 'samples', 'trainings']);
          const runsReq = tx.objectStore('runs').getAll();
          const trainings = tx.objectStore('trainings').count();
          const testSets = hasTestSets ? tx.objectStore('testSets').count() : null;
          const perRun = new Map<string, { seqs: number[]; labels: Map<string, number> }>();
          let total = 0;
          const cursorReq = tx.objectStore('samples').openCursor();
          cursorReq.onsuccess = () => {
            const cur = cursorReq.result;
            if (!cur) return;
            const s = cur.value as { runId: string; seq: number; label: string };
            total++;
            let e = perRun.get(s.runId);
            if (!e) perRun.set(s.runId, (e = { seqs: [], labels: new Map() }));
            e.seqs.push(s.seq);
            e.labels.set(s.label, (e.labels.get(s.label) ?? 0) + 1);
            cur.continue();
          };
          tx.oncomplete = () => {
            db.close();
            const runs = (runsReq.result as { id: string; status: string; name: string; sampleCount?: number; config: { perLabel: number } }[]).map((r) => {
              const e = perRun.get(r.id);
              const seqs = (e?.seqs ?? []).sort((a, b) => a - b);
              return {
                id: r.id,
                status: r.status,
                name: r.name,
                samples: seqs.length,
                sampleCount: r.sampleCount ?? null,
                contiguous: seqs.every((v, k) => v === k),
                perLabel: r.config.perLabel,
                countsByLabel: [...(e?.labels ?? new Map<string, number>())].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
              };
            });
            resolve({ runs, samples: total, trainings: trainings.result, testSets: testSets?.result ?? 0 });
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

/** Uncaught page errors and console errors so far (CSP violations show up as console errors). */
export function pageErrors(guard: GuardedContext): string[] {
  return guard.errors;
}
