// The data-loss and lock-out paths of issue 7, on a real IndexedDB implementation (fake-indexeddb) and a small
// in-memory Web Locks implementation (Node has no navigator.locks): start-up on a full disk, atomic and cancellable
// import, linear sample writes, label names that are also object keys, strict UTF-8 and label normalisation,
// busy runs, worker message checks and messages that say what actually happened.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabStore } from '../../src/core/storage/lab-store.ts';
import { ImportCancelledError, RunBusyError, StorageQuotaError } from '../../src/core/storage/errors.ts';
import { withRunLock, withRunLockIfFree } from '../../src/core/storage/run-lock.ts';
import { importSamplesAsRun } from '../../src/core/runs/import-run.ts';
import { parseImportJsonl } from '../../src/core/data/samples.ts';
import { parseLabelledJsonl } from '../../src/core/data/jsonl.ts';
import { decodeUtf8, EncodingError, FileTooLargeError, firstInvalidUtf8, readTextFile } from '../../src/core/data/read-file.ts';
import { errorText } from '../../src/core/error-text.ts';
import { checkGenerateRequest, checkTrainRequest } from '../../src/workers/check-messages.ts';
import { defaultSettings } from '../../src/core/train/settings.ts';
import { DEFAULT_SAMPLING } from '../../src/core/tasks/validate.ts';
import { defaultTask, testRunConfig } from './run-config-fixture.ts';

const versions = { app: 'test', transformers: 'n/a' };
const task = defaultTask;
const config = testRunConfig({ perLabel: 100, versions });
const labelA = task.labels[0].name;
const labelB = task.labels[1].name;

let store: LabStore;
let n = 0;
beforeEach(async () => {
  store = await LabStore.open(`reliability-${n++}`);
});
afterEach(() => store.close());

const jsonl = (rows: { text: string; label: string }[]) => rows.map((r) => JSON.stringify(r)).join('\n');
const rowsOf = (count: number, labels: string[]) => Array.from({ length: count }, (_, k) => ({ text: `sample number ${k}`, label: labels[k % labels.length] }));

/** A minimal Web Locks API (exclusive locks, ifAvailable, query) installed as navigator.locks for one test. */
function installFakeLocks(): () => void {
  const held = new Set<string>();
  const waiters = new Map<string, (() => void)[]>();
  const release = (name: string) => {
    held.delete(name);
    const next = waiters.get(name)?.shift();
    next?.();
  };
  const locks = {
    async request(name: string, a: unknown, b?: unknown): Promise<unknown> {
      const options = (typeof a === 'function' ? {} : a) as { ifAvailable?: boolean };
      const cb = (typeof a === 'function' ? a : b) as (lock: unknown) => Promise<unknown>;
      if (held.has(name)) {
        if (options.ifAvailable) return cb(null);
        await new Promise<void>((r) => waiters.set(name, [...(waiters.get(name) ?? []), r]));
      }
      held.add(name);
      try {
        return await cb({ name });
      } finally {
        release(name);
      }
    },
    async query() {
      return { held: [...held].map((name) => ({ name })) };
    },
  };
  const g = globalThis as { navigator?: unknown };
  const before = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { locks }, configurable: true, writable: true });
  return () => {
    if (before) Object.defineProperty(globalThis, 'navigator', before);
    else delete g.navigator;
  };
}

describe('start-up on a full disk (defect 1)', () => {
  it('recovering interrupted runs never throws when the status write fails; runs stay listed with their stored status', async () => {
    const run = await store.createRun({ name: 'stuck', config });
    await store.appendSamples(run.id, [{ text: 'a happy day', label: labelA }]);
    const quota = new DOMException('', 'QuotaExceededError');
    const original = store.updateRunStatus.bind(store);
    store.updateRunStatus = async () => {
      throw quota;
    };
    await expect(store.recoverInterruptedRuns(async () => false)).resolves.toEqual([]);
    const runs = await store.listRuns();
    expect(runs.map((r) => [r.id, r.status])).toEqual([[run.id, 'running']]); // shown as stored, not "was stopped"
    await store.deleteRun(run.id); // deleting needs no space and is still possible
    expect(await store.listRuns()).toEqual([]);
    store.updateRunStatus = original;
  });

  it('the quota message says whether the run could be marked stopped, and never shows an empty cause', async () => {
    const run = await store.createRun({ name: 'r', config });
    store.updateRunStatus = async () => {
      throw new DOMException('', 'QuotaExceededError');
    };
    const err = await store.stopAfterQuotaError(run.id, new DOMException('', 'QuotaExceededError'));
    expect(err.message).toMatch(/could not even be marked stopped/);
    expect(errorText(new DOMException('', 'QuotaExceededError'))).toBe('QuotaExceededError (the browser gave no details)');
    expect(new StorageQuotaError(undefined, null, 'import').message).toMatch(/file was not imported and nothing of it was stored/);
    expect(new StorageQuotaError(undefined, null, 'import').message).not.toMatch(/Resume/);
    expect(new StorageQuotaError(undefined, null, 'training').message).not.toMatch(/Resume/);
  });
});

describe('atomic, cancellable, linear import (defects 2 and 4)', () => {
  it('Cancel mid-way rolls the whole import back: no run, no samples', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const text = jsonl(rowsOf(7000, ['positive', 'negative']));
    await expect(
      importSamplesAsRun(store, {
        fileName: 'big.jsonl',
        text,
        versions,
        signal: controller.signal,
        onProgress: (written) => {
          seen.push(written);
          if (written >= 2000) controller.abort();
        },
      }),
    ).rejects.toBeInstanceOf(ImportCancelledError);
    expect(seen[0]).toBe(2000);
    expect(await store.listRuns()).toEqual([]);
    expect(await store.db.count('samples')).toBe(0);
  });

  it('a completed import reports progress to the total and stores every row with seq = file order', async () => {
    const seen: number[] = [];
    const { run } = await importSamplesAsRun(store, { fileName: 'ok.jsonl', text: jsonl(rowsOf(4500, ['b', 'a'])), versions, onProgress: (w) => seen.push(w) });
    expect(seen).toEqual([2000, 4000, 4500]);
    expect(run.status).toBe('done');
    expect(run.sampleCount).toBe(4500);
    const samples = await store.getSamples(run.id);
    expect(samples.length).toBe(4500);
    expect(samples.every((s, k) => s.seq === k && s.text === `sample number ${k}`)).toBe(true);
  });

  it('sample writes take their seq from the run record instead of counting the run each time', async () => {
    const run = await store.createRun({ name: 'r', config });
    const index = store.db.transaction('samples').store.index('runId');
    const proto = Object.getPrototypeOf(index) as { count: (...a: unknown[]) => Promise<number> };
    const count = proto.count;
    let counted = 0;
    proto.count = function (this: unknown, ...a: unknown[]) {
      counted++;
      return count.apply(this, a);
    };
    try {
      for (let k = 0; k < 5; k++) await store.appendSamples(run.id, [{ text: `t${k}`, label: labelA }]);
    } finally {
      proto.count = count;
    }
    expect(counted).toBe(0);
    expect((await store.getSamples(run.id)).map((s) => s.seq)).toEqual([0, 1, 2, 3, 4]);
    expect((await store.getRun(run.id))?.sampleCount).toBe(5);
    // A run stored before sampleCount existed is counted once, then continues.
    const legacy = (await store.getRun(run.id))!;
    delete legacy.sampleCount;
    await store.db.put('runs', legacy);
    await store.appendSamples(run.id, [{ text: 'after', label: labelB }]);
    expect((await store.getSamples(run.id)).map((s) => s.seq)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('label names are data, never object keys or templates (defect 5)', () => {
  it.each([
    [['constructor', 'toString']],
    [['hasOwnProperty', 'valueOf']],
    [['__proto__', 'positive']],
  ])('imports labels %j', async (labels) => {
    const { run } = await importSamplesAsRun(store, { fileName: 'proto.jsonl', text: jsonl(rowsOf(6, labels)), versions });
    expect(run.config.task.labels.map((l) => l.name)).toEqual([...labels].sort());
    expect(run.config.perLabel).toBe(3);
    expect(await store.countByLabel(run.id)).toEqual(new Map(labels.map((l) => [l, 3])));
  });

  it('a {context} in a label or file name is plain text', async () => {
    const { run } = await importSamplesAsRun(store, { fileName: '{context}.jsonl', text: jsonl(rowsOf(4, ['{context}', 'b'])), versions });
    expect(run.name).toBe('Imported: {context}.jsonl');
    expect(run.config.task.labels.map((l) => l.name)).toEqual(['b', '{context}']);
    expect(run.config.task.labels.every((l) => !l.prompt.includes('{context}'))).toBe(true);
  });
});

describe('no silent damage on import (defect 6)', () => {
  it('invalid UTF-8 is an error naming the line, not U+FFFD', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('{"text":"ok","label":"a"}\n{"text":"caf'), 0xe9, ...new TextEncoder().encode('","label":"b"}\n')]);
    expect(firstInvalidUtf8(bytes)).toBe(38);
    expect(() => decodeUtf8(bytes, 'latin1.jsonl')).toThrow(EncodingError);
    expect(() => decodeUtf8(bytes, 'latin1.jsonl')).toThrow(/latin1\.jsonl is not valid UTF-8 text: line 2/);
    await expect(readTextFile(new Blob([bytes]), { source: 'latin1.jsonl' })).rejects.toThrow(/line 2 \(byte 38\)/);
    // Overlong encodings and lone surrogates are invalid too; a BOM is dropped.
    expect(firstInvalidUtf8(new Uint8Array([0xc0, 0xaf]))).toBe(0);
    expect(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).toBe(0);
    expect(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]), 'bom')).toBe('A');
  });

  it('a file over the size limit is refused before reading, with the limit stated', async () => {
    await expect(readTextFile(new Blob(['x'.repeat(2000)]), { source: 'huge.jsonl', maxBytes: 1024 })).rejects.toBeInstanceOf(FileTooLargeError);
    await expect(readTextFile(new Blob(['x'.repeat(2000)]), { source: 'huge.jsonl', maxBytes: 1024 })).rejects.toThrow(/huge\.jsonl is 2 kB; at most 1 kB/);
    const progress: number[] = [];
    expect(await readTextFile(new Blob(['héllo\n']), { onProgress: (r) => progress.push(r) })).toBe('héllo\n');
    expect(progress.at(-1)).toBe(7);
  });

  it('labels are NFC-normalised and trimmed; look-alike labels give a warning; NUL in a label is an error', () => {
    const nfd = 'cafe\u0301';
    const nfc = 'caf\u00e9';
    const merged = parseImportJsonl(jsonl([{ text: 'x', label: nfd }, { text: 'y', label: ` ${nfc}` }, { text: 'z', label: 'tea' }]), 'f.jsonl');
    expect(merged.labelNames).toEqual([nfc, 'tea']);
    expect(merged.warnings).toEqual([]);
    const zw = parseImportJsonl(jsonl([{ text: 'x', label: 'positive' }, { text: 'y', label: 'posi\u200btive' }, { text: 'z', label: 'negative' }]), 'f.jsonl');
    expect(zw.labelNames.length).toBe(3);
    expect(zw.warnings.join()).toMatch(/"positive".*and.*look the same but differ by invisible or look-alike characters/);
    const full = parseImportJsonl(jsonl([{ text: 'x', label: 'ｐｏｓ' }, { text: 'y', label: 'pos' }]), 'f.jsonl');
    expect(full.warnings.length).toBe(1);
    expect(() => parseImportJsonl(jsonl([{ text: 'x', label: 'a\u0000b' }, { text: 'y', label: 'c' }]), 'nul.jsonl')).toThrow(/line 1: "label" contains the control character U\+0000/);
  });

  it('deeply nested values are described, not stringified (no stack overflow)', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(() => parseLabelledJsonl(`{"text": ${deep}, "label": "a"}`, { source: 'deep.jsonl' })).toThrow(/line 1: "text" must be a string, got a list \(1 item\)/);
  });

  it('a test set matches labels after the same normalisation', () => {
    const rows = parseLabelledJsonl(jsonl([{ text: 'x', label: ' cafe\u0301 ' }]), { labelNames: ['caf\u00e9', 'tea'] });
    expect(rows[0].label).toBe('caf\u00e9');
  });
});

describe('busy runs (defects 3 and 9)', () => {
  it('a second writer gets "busy" instead of reading the run a live worker is writing; a busy run cannot be deleted', async () => {
    const restore = installFakeLocks();
    try {
      const run = await store.createRun({ name: 'r', config });
      let release!: () => void;
      const holding = withRunLock(run.id, () => new Promise<void>((r) => (release = r)));
      await new Promise((r) => setTimeout(r, 0));
      let ranSecond = false;
      const second = await withRunLockIfFree(run.id, async () => {
        ranSecond = true;
      });
      expect(second.busy).toBe(true);
      expect(ranSecond).toBe(false);
      await expect(store.deleteRun(run.id)).rejects.toBeInstanceOf(RunBusyError);
      expect(await store.getRun(run.id)).toBeDefined();
      release();
      await holding;
      expect((await withRunLockIfFree(run.id, async () => 7))).toEqual({ busy: false, value: 7 });
      await store.deleteRun(run.id);
      expect(await store.getRun(run.id)).toBeUndefined();
    } finally {
      restore();
    }
  });
});

describe('worker messages are checked at run time', () => {
  it('rejects malformed generation requests with the problems named', () => {
    expect(() => checkGenerateRequest(null)).toThrow(/must be an object/);
    expect(() => checkGenerateRequest({ type: 'rm -rf' })).toThrow(/unknown message type/);
    expect(() => checkGenerateRequest({ type: 'generate', mode: 'new', runId: 'x', name: 'n', task: { id: 't', name: 't', labels: [] }, perLabel: 'ten', sampling: {} })).toThrow(
      /task: labels must be a non-empty list[\s\S]*perLabel must be a whole number/,
    );
    expect(() => checkGenerateRequest({ type: 'load', modelId: 'm', device: 'gpu', deviceReason: '', appBaseUrl: 'not a url', allowNetwork: 'yes' })).toThrow(
      /device must be[\s\S]*appBaseUrl[\s\S]*allowNetwork/,
    );
    expect(checkGenerateRequest({ type: 'generate', mode: 'resume', runId: 'r1', extra: 1 })).toEqual({ type: 'generate', mode: 'resume', runId: 'r1' });
    const ok = checkGenerateRequest({ type: 'generate', mode: 'new', runId: 'r', name: 'n', task, perLabel: 3, sampling: DEFAULT_SAMPLING });
    expect(ok.type === 'generate' && ok.mode === 'new' && ok.task.labels.length).toBe(2);
  });

  it('rejects malformed training requests with the problems named', () => {
    expect(() => checkTrainRequest({ type: 'start', runId: '', settings: { ...defaultSettings(), epochs: -1 }, test: { kind: 'disk' }, backendQuery: '' })).toThrow(
      /runId[\s\S]*Epochs must be[\s\S]*test.kind/,
    );
    expect(() => checkTrainRequest({ type: 'classify', requestId: 1.5, trainingId: 't', text: 3, backendQuery: '' })).toThrow(/requestId[\s\S]*text must be a string/);
    expect(checkTrainRequest({ type: 'interrupt' })).toEqual({ type: 'interrupt' });
  });
});
