// One run configuration for the storage-level tests (store, project files, reliability): the default offline task on
// the bundled model, so each test states only what it varies (per-label target, sampling seed).
import type { RunConfig } from '../../src/core/storage/schema.ts';
import { DEFAULT_SAMPLING } from '../../src/core/tasks/validate.ts';
import { DEFAULT_TASK_ID, TASK_PRESETS } from '../../src/core/tasks/presets.ts';

export const defaultTask = TASK_PRESETS.find((t) => t.id === DEFAULT_TASK_ID)!;

export function testRunConfig(over: { perLabel: number; seed?: number; versions?: RunConfig['versions'] }): RunConfig {
  return {
    task: defaultTask,
    modelId: 'karpathy/stories260K',
    dtype: 'fp32',
    device: 'wasm',
    deviceReason: 'test',
    sampling: over.seed === undefined ? { ...DEFAULT_SAMPLING } : { ...DEFAULT_SAMPLING, seed: over.seed },
    perLabel: over.perLabel,
    allowNetwork: false,
    versions: over.versions ?? { app: '0.1.0', transformers: '4.3.1' },
  };
}
