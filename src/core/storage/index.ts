// Public surface of the storage module.
export { DB_NAME } from './schema.ts';
export type { RunConfig, RunDevice, RunRecord, RunStatus, SampleRecord, TrainingRecord } from './schema.ts';
export { DB_VERSION, MIGRATIONS } from './migrations.ts';
export { openLabDb, type LabDb } from './db.ts';
export { LabStore, MAX_SAMPLES_PER_TRANSACTION, IMPORT_PROGRESS_EVERY, type ImportRunInput, type NewRun } from './lab-store.ts';
export { ImportCancelledError, RunBusyError, RunNotFoundError, StorageQuotaError, StorageValidationError, isQuotaError, type QuotaAction } from './errors.ts';
export { validateRunConfig, validateSampleBatch } from './validate-records.ts';
export { isRunLockHeld, withRunLock, withRunLockIfFree } from './run-lock.ts';
