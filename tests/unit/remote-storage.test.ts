// What a server run leaves in storage: its config records the server (URL, model, settings) and is validated before
// anything is written — never an API key; and the "remember on this device" key store (own database, Forget).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { LabStore } from '../../src/core/storage/lab-store.ts';
import { KeyStore } from '../../src/core/storage/key-store.ts';
import { StorageValidationError } from '../../src/core/storage/errors.ts';
import { validateRunConfig } from '../../src/core/storage/validate-records.ts';
import type { RunConfig } from '../../src/core/storage/schema.ts';
import { DEFAULT_SAMPLING } from '../../src/core/tasks/validate.ts';
import { DEFAULT_TASK_ID, TASK_PRESETS } from '../../src/core/tasks/presets.ts';

const serverRun: RunConfig = {
  task: TASK_PRESETS.find((t) => t.id === DEFAULT_TASK_ID)!,
  modelId: 'smollm2-135m-instruct',
  dtype: 'server',
  device: 'server',
  deviceReason: 'OpenAI-compatible server at 127.0.0.1:8000',
  sampling: DEFAULT_SAMPLING,
  perLabel: 10,
  allowNetwork: true,
  versions: { app: '0.1.0', transformers: '4.3.1' },
  server: { apiBase: 'http://127.0.0.1:8000/v1', model: 'smollm2-135m-instruct', settings: { concurrency: 4, samplesPerRequest: 2, maxRetries: 3 }, usesApiKey: true },
};

describe('server runs in storage', () => {
  it('accepts a complete server config and stores it', async () => {
    expect(validateRunConfig(serverRun)).toEqual([]);
    const store = await LabStore.open('remote-storage-1');
    const run = await store.createRun({ name: 'on a server', config: serverRun });
    expect((await store.getRun(run.id))?.config.server).toEqual(serverRun.server);
    store.close();
  });

  it('refuses a missing or bad server record and any API key, writing nothing', async () => {
    const { server: _s, ...noServer } = serverRun;
    expect(validateRunConfig(noServer)).toContain('a run on a server must record the server (apiBase, model, settings)');
    expect(validateRunConfig({ ...serverRun, device: 'wasm' })).toContain('server must only be set when device is "server"');
    expect(validateRunConfig({ ...serverRun, server: { ...serverRun.server!, apiBase: '127.0.0.1:8000' } })).toContain(
      'server.apiBase must be a normalised http(s) API root',
    );
    expect(validateRunConfig({ ...serverRun, server: { ...serverRun.server!, settings: { concurrency: 0, samplesPerRequest: 2, maxRetries: 1 } } })).toContain(
      'server.settings: concurrency must be a whole number from 1 to 256 (got 0)',
    );
    const withKey = { ...serverRun, server: { ...serverRun.server!, apiKey: 'sk-secret' } };
    expect(validateRunConfig(withKey)).toContain('server must not hold an API key');
    const store = await LabStore.open('remote-storage-2');
    await expect(store.createRun({ name: 'x', config: withKey as RunConfig })).rejects.toBeInstanceOf(StorageValidationError);
    expect(await store.listRuns()).toEqual([]);
    store.close();
  });
});

describe('KeyStore (remember on this device)', () => {
  it('remembers a key per origin, returns it, and forgets it', async () => {
    const keys = await KeyStore.open('keys-test');
    expect(await keys.get('http://127.0.0.1:8000')).toBeNull();
    await keys.remember('http://127.0.0.1:8000', 'sk-1');
    await keys.remember('https://gpu.example.org', 'sk-2');
    expect(await keys.get('http://127.0.0.1:8000')).toBe('sk-1');
    expect((await keys.origins()).sort()).toEqual(['http://127.0.0.1:8000', 'https://gpu.example.org']);
    await keys.forget('http://127.0.0.1:8000');
    expect(await keys.get('http://127.0.0.1:8000')).toBeNull();
    expect(await keys.origins()).toEqual(['https://gpu.example.org']);
    keys.close();
  });
});
