import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a coordinator on SQLite keeps its name in job leases, so that after a restart it resumes its own jobs. */
export const REPLICA_ID_FILE = 'replica-id';

const fresh = () => `replica-${randomBytes(6).toString('hex')}`;

/**
 * This process's name in job leases and in the replica directory. On PostgreSQL every start is a new replica (several
 * may share one data directory's keys); on SQLite, the one process of the data directory keeps its name in it, so a
 * restart takes its jobs back at once instead of waiting for its old leases to expire.
 */
export function replicaIdOf(dataDir: string, shared: boolean): string {
  if (shared) return fresh();
  const file = join(dataDir, REPLICA_ID_FILE);
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim();
    if (/^replica-[0-9a-f]{12}$/.test(id)) return id;
  }
  const id = fresh();
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // the mode above applies only to a new file
  return id;
}
