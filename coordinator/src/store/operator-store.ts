import { existsSync } from 'node:fs';
import { openStore } from './open-store.js';
import { isPostgresUrl } from './postgres/postgres-url.js';
import { DATABASE_FILE, storeLocationOf } from './store-location.js';
import type { Store } from './store.js';

/**
 * Runs an operator command's `fn` on the store of an existing data directory, then closes it once `fn` has settled.
 * A typo in --data-dir must not create an empty one, so a directory without the database is refused with the error
 * `refuse` makes of the message (each command family throws its own error type).
 */
export async function withOperatorStore<T>(
  dataDir: string,
  refuse: (message: string) => Error,
  fn: (store: Store) => T | Promise<T>,
): Promise<T> {
  const path = storeLocationOf(dataDir);
  if (!isPostgresUrl(path) && !existsSync(path))
    throw refuse(
      `no coordinator data in ${dataDir} (${DATABASE_FILE} is missing): pass the --data-dir of the coordinator`,
    );
  const store = await openStore(path);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
