import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/open-store.js';
import { isPostgresUrl, redactPostgresUrl } from '../src/store/postgres/postgres-url.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { tempDir } from './helpers.js';

describe('openStore', () => {
  it('opens a SQLite file for a path', async () => {
    const tmp = tempDir();
    try {
      const store = await openStore(join(tmp.dir, 'coordinator.sqlite'));
      expect(store).toBeInstanceOf(SqliteStore);
      await store.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('takes postgres:// and postgresql:// URLs for PostgreSQL, never a file of that name', () => {
    expect(isPostgresUrl('postgres://u@h/db')).toBe(true);
    expect(isPostgresUrl('POSTGRESQL://u@h/db')).toBe(true);
    expect(isPostgresUrl('/var/lib/tessera/coordinator.sqlite')).toBe(false);
    expect(isPostgresUrl('postgres.sqlite')).toBe(false);
  });

  it('names an unreachable PostgreSQL server without its password', async () => {
    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    const url = 'postgres://tessera:s3cret-Pw@127.0.0.1:1/tessera';
    const failure = await openStore(url).then(
      () => new Error('opened'),
      (e: unknown) => e as Error,
    );
    expect(failure.message).toContain('postgres://tessera:***@127.0.0.1:1/tessera');
    expect(failure.message).toMatch(/ECONNREFUSED/);
    expect(failure.message).not.toContain('s3cret-Pw');
  });
});

describe('redactPostgresUrl', () => {
  it('hides the password in the user part and in a password parameter', () => {
    expect(redactPostgresUrl('postgresql://a:b@h:5432/d')).toBe('postgresql://a:***@h:5432/d');
    expect(redactPostgresUrl('postgres://a@h/d?password=pw&sslmode=require')).toBe(
      'postgres://a@h/d?password=***&sslmode=require',
    );
    expect(redactPostgresUrl('postgres://a@h/d')).toBe('postgres://a@h/d');
    expect(redactPostgresUrl('postgres://a:p w@[bad')).not.toContain('p w');
  });
});
