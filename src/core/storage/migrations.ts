// Versioned IndexedDB migrations. Each entry upgrades the database from version (index) to (index + 1);
// `upgrade` applies every migration above the stored version in order, so old databases keep their data.
// Never edit a shipped migration: append a new one.
import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { LabDbSchema } from './schema.ts';

type UpgradeTx = IDBPTransaction<LabDbSchema, StoreNames<LabDbSchema>[], 'versionchange'>;
export type Migration = (db: IDBPDatabase<LabDbSchema>, tx: UpgradeTx) => void;

/** MIGRATIONS[i] brings the database to version i + 1. */
export const MIGRATIONS: readonly Migration[] = [
  // v1: generation runs and their samples.
  (db) => {
    const runs = db.createObjectStore('runs', { keyPath: 'id' });
    runs.createIndex('createdAt', 'createdAt');
    const samples = db.createObjectStore('samples', { keyPath: 'id', autoIncrement: true });
    samples.createIndex('runId', 'runId');
    samples.createIndex('runId_label', ['runId', 'label']);
  },
  // v2: trained classifiers (weights, metrics, model artifacts) per run.
  (db) => {
    const trainings = db.createObjectStore('trainings', { keyPath: 'id' });
    trainings.createIndex('runId', 'runId');
  },
  // v3: test sets typed in the page or uploaded, for evaluating trainings.
  (db) => {
    const testSets = db.createObjectStore('testSets', { keyPath: 'id' });
    testSets.createIndex('createdAt', 'createdAt');
  },
];

export const DB_VERSION = MIGRATIONS.length;

/** Apply migrations oldVersion+1 .. newVersion inside the versionchange transaction. */
export function applyMigrations(
  db: IDBPDatabase<LabDbSchema>,
  oldVersion: number,
  newVersion: number,
  tx: UpgradeTx,
): void {
  for (let v = oldVersion; v < newVersion; v++) {
    const migrate = MIGRATIONS[v];
    if (!migrate) throw new Error(`No migration to database version ${v + 1}`);
    migrate(db, tx);
  }
}
