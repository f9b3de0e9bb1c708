import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { postgresBinDir, startPostgres } from './pg-cluster.js';

describe('the throwaway PostgreSQL cluster of tests', () => {
  it('serves fresh databases on loopback, and is gone once stopped', async () => {
    const cluster = await startPostgres();
    let stopped = false;
    try {
      expect(cluster.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      const url = await cluster.createDatabase();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
      await client.end();
      expect(rows[0].db).toBe(new URL(url).pathname.slice(1));
      expect(existsSync(cluster.dir)).toBe(true);
      await cluster.stop();
      stopped = true;
      expect(existsSync(cluster.dir)).toBe(false);
      const late = new pg.Client({ connectionString: cluster.url, connectionTimeoutMillis: 2000 });
      await expect(late.connect()).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      if (!stopped) await cluster.stop();
    }
  });

  it('says to install postgresql when it finds no PostgreSQL', () => {
    const empty = tempDir();
    try {
      expect(() => postgresBinDir({ pgConfig: 'tessera-no-such-pg_config', root: empty.dir })).toThrow(
        /PostgreSQL is not installed .*apt-get install postgresql/,
      );
    } finally {
      empty.cleanup();
    }
  });
});
