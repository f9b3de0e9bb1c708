import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPostgresUrl } from './postgres/postgres-url.js';

/** The SQLite file of a data directory whose coordinator keeps its state there (the default). */
export const DATABASE_FILE = 'coordinator.sqlite';

/**
 * Where a data directory's coordinator keeps its state when that is a PostgreSQL database: the URL (it may hold a
 * password, so the file is the owner's only, as the directory's keys are; better, give the password in libpq's
 * PGPASSWORD or a ~/.pgpass file, which `pg` reads, and a URL without it). Operator commands run on the data
 * directory (enrol, analysts, ...) read it, so they need no --store of their own.
 */
export const STORE_URL_FILE = 'store-url';

/** The store of a data directory: the PostgreSQL URL noted there, else its SQLite file. */
export function storeLocationOf(dataDir: string): string {
  const file = join(dataDir, STORE_URL_FILE);
  if (existsSync(file)) {
    const url = readFileSync(file, 'utf8').trim();
    if (isPostgresUrl(url)) return url;
  }
  return join(dataDir, DATABASE_FILE);
}

/** Notes where the data directory's state is (a PostgreSQL URL), or that it is the SQLite file again. */
export function noteStoreLocation(dataDir: string, location: string): void {
  const file = join(dataDir, STORE_URL_FILE);
  if (isPostgresUrl(location)) {
    writeFileSync(file, `${location}\n`, { mode: 0o600 });
    chmodSync(file, 0o600); // the mode above applies only to a new file
  } else if (location === join(dataDir, DATABASE_FILE)) rmSync(file, { force: true });
}
