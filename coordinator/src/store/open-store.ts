import { PostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.js';
import { isPostgresUrl } from './postgres/postgres-url.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/**
 * The store at `location`: a postgres:// or postgresql:// URL opens the PostgreSQL store (shared by replicas);
 * anything else is the path of a SQLite file (the embedded default), created if missing.
 */
export async function openStore(location: string, options: PostgresStoreOptions = {}): Promise<Store> {
  if (isPostgresUrl(location)) return PostgresStore.open(location, options);
  return new SqliteStore(location);
}
