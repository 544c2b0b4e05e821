// Opens the SunGen Lab IndexedDB database (page, worker or Node with fake-indexeddb) and runs migrations.
import { openDB, type IDBPDatabase } from 'idb';
import { DB_NAME, type LabDbSchema } from './schema.ts';
import { DB_VERSION, applyMigrations } from './migrations.ts';

export type LabDb = IDBPDatabase<LabDbSchema>;

/**
 * Open (creating or upgrading) the database. `name` is overridable for tests.
 * The connection closes itself when another tab upgrades the schema, so that upgrade is never blocked.
 */
export async function openLabDb(name: string = DB_NAME): Promise<LabDb> {
  const db = await openDB<LabDbSchema>(name, DB_VERSION, {
    upgrade(database, oldVersion, newVersion, tx) {
      applyMigrations(database, oldVersion, newVersion ?? DB_VERSION, tx);
    },
    blocking() {
      db.close();
    },
  });
  return db;
}
