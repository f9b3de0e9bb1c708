/** The data directory's replica files (store-url may hold a password) are the owner's only, even if they existed. */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPLICA_ID_FILE, replicaIdOf } from '../src/replicas/replica-id.js';
import { noteStoreLocation, STORE_URL_FILE, storeLocationOf } from '../src/store/store-location.js';
import { tempDir } from './helpers.js';

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
});
const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('replica files in the data directory', () => {
  it('store-url is made mode 0600 when rewritten over a file readable by others', () => {
    const tmp = tempDir();
    dirs.push(tmp);
    const file = join(tmp.dir, STORE_URL_FILE);
    writeFileSync(file, 'postgres://old@db/tessera\n', { mode: 0o644 });
    expect(modeOf(file)).toBe(0o644);
    noteStoreLocation(tmp.dir, 'postgres://tessera:secret@db.internal:5432/tessera');
    expect(modeOf(file)).toBe(0o600);
    expect(storeLocationOf(tmp.dir)).toBe('postgres://tessera:secret@db.internal:5432/tessera');
  });

  it('replica-id is made mode 0600 when rewritten over a file readable by others', () => {
    const tmp = tempDir();
    dirs.push(tmp);
    const file = join(tmp.dir, REPLICA_ID_FILE);
    writeFileSync(file, 'not an id\n', { mode: 0o644 });
    const id = replicaIdOf(tmp.dir, false);
    expect(id).toMatch(/^replica-[0-9a-f]{12}$/);
    expect(modeOf(file)).toBe(0o600);
    expect(replicaIdOf(tmp.dir, false)).toBe(id);
  });
});
