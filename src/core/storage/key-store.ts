// API keys the user asked to remember ("remember on this device"), one per server origin, in their own small
// IndexedDB database so the lab's versioned schema never holds a secret and Forget is one delete. Keys the user did
// not ask to remember are never written anywhere (they live in the page's and the worker's memory only).
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export const KEY_DB_NAME = 'sungen-lab-keys';

interface KeyDb extends DBSchema {
  keys: { key: string; value: { origin: string; apiKey: string; savedAt: number } };
}

export class KeyStore {
  private constructor(private readonly db: IDBPDatabase<KeyDb>) {}

  static async open(name = KEY_DB_NAME): Promise<KeyStore> {
    const db = await openDB<KeyDb>(name, 1, {
      upgrade(d) {
        d.createObjectStore('keys', { keyPath: 'origin' });
      },
    });
    return new KeyStore(db);
  }

  async get(origin: string): Promise<string | null> {
    return (await this.db.get('keys', origin))?.apiKey ?? null;
  }

  async remember(origin: string, apiKey: string): Promise<void> {
    await this.db.put('keys', { origin, apiKey, savedAt: Date.now() });
  }

  async forget(origin: string): Promise<void> {
    await this.db.delete('keys', origin);
  }

  /** Origins with a remembered key. */
  async origins(): Promise<string[]> {
    return (await this.db.getAllKeys('keys')).map(String);
  }

  close(): void {
    this.db.close();
  }
}
