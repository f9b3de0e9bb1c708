import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, sha256Hex } from '@tessera/crypto';
import { SchemaTooNewError } from '@tessera/data';
import { MIGRATIONS } from '../src/index.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { type PostgresCluster, startPostgres } from './pg/pg-cluster.js';
import { job, round, storeContract } from './store-contract.js';

const newest = MIGRATIONS[MIGRATIONS.length - 1].version;

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.stop();
});

/**
 * The contract's stores share one schema, emptied before each test: migrating a fresh schema per test would take
 * most of the suite's time. The tests of migrations and of replicas below use fresh schemas.
 */
let contractUrl: string | undefined;
storeContract('PostgresStore', async () => {
  contractUrl ??= await cluster.createSchema();
  const store = await PostgresStore.open(contractUrl);
  // Every table but the migrations' book, emptied in one statement (they reference each other).
  await onDatabase(
    contractUrl,
    `DO $$ BEGIN EXECUTE (SELECT 'TRUNCATE ' || string_agg(quote_ident(tablename), ', ') || ' RESTART IDENTITY'
      FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'); END $$`,
  );
  return store;
});

/** Runs `sql` on the database at `url` outside any store (as an operator, or another version of Tessera, would). */
async function onDatabase<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** What only the PostgreSQL store does: a database shared by replicas, migrated once, with concurrent writers. */
describe('PostgresStore: a database shared by replicas', () => {
  it('migrates once when replicas open a new database together, records each version, and re-opens as is', async () => {
    const url = await cluster.createSchema();
    const replicas = await Promise.all(Array.from({ length: 5 }, () => PostgresStore.open(url)));
    try {
      for (const r of replicas) expect(await r.schemaVersion()).toBe(newest);
      const rows = await onDatabase<{ version: number; name: string }>(
        url,
        'SELECT version, name FROM schema_migrations ORDER BY version',
      );
      expect(rows.map((r) => [r.version, r.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
      await replicas[0].createJob(job('j1', 1));
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
    const again = await PostgresStore.open(url);
    try {
      expect((await again.getJob('j1'))?.name).toBe('job j1');
      expect(await onDatabase(url, 'SELECT version FROM schema_migrations')).toHaveLength(newest);
    } finally {
      await again.close();
    }
  });

  it('refuses a database newer than this coordinator, naming its version and the URL without password', async () => {
    const url = await cluster.createDatabase();
    await (await PostgresStore.open(url)).close();
    await onDatabase(url, 'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
      newest + 1,
      'from the future',
      Date.now(),
    ]);
    await onDatabase(url, "ALTER USER postgres PASSWORD 'pw-not-checked'");
    const withPassword = url.replace('postgres@', 'postgres:pw-not-checked@');
    const failure = await PostgresStore.open(withPassword).then(
      () => new Error('opened'),
      (e: unknown) => e as Error,
    );
    expect(failure).toBeInstanceOf(SchemaTooNewError);
    expect(failure.message).toBe(
      `${url.replace('postgres@', 'postgres:***@')} has schema version ${newest + 1}, newer than this coordinator ` +
        `knows (${newest}); upgrade Tessera`,
    );
  });

  it('completeRound is atomic: when saving the model fails, neither the round nor roundsCompleted change', async () => {
    const url = await cluster.createSchema();
    const store = await PostgresStore.open(url);
    try {
      await store.createJob(job('a', 1, { status: 'running' }));
      await store.completeRound(round('a', 1), Float64Array.from([1, 2]), 1);
      await onDatabase(
        url,
        `CREATE FUNCTION refuse_round_2() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.round = 2 THEN RAISE EXCEPTION 'disk full (simulated)'; END IF; RETURN NEW; END $$;
        CREATE TRIGGER refuse_round_2 BEFORE INSERT ON models FOR EACH ROW EXECUTE FUNCTION refuse_round_2();`,
      );
      await expect(store.completeRound(round('a', 2), Float64Array.from([3, 4]), 2)).rejects.toThrow(/disk full/);
      expect((await store.getJob('a'))!.roundsCompleted).toBe(1);
      expect((await store.listRounds('a')).map((r) => r.round)).toEqual([1]);
      expect((await store.latestModel('a'))!.round).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('chains ledger appends from several replicas at once without a gap or a fork', async () => {
    const url = await cluster.createSchema();
    const replicas = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open(url)));
    try {
      await Promise.all(
        replicas.flatMap((r, i) =>
          Array.from({ length: 10 }, (_, k) =>
            r.appendLedger((head) => [
              {
                seq: head.seq + 1,
                jobId: `job-${i}`,
                participant: `p-${k}`,
                hash: sha256Hex(`${head.hash}|${i}|${k}`),
                line: JSON.stringify({ prev: head.hash }),
              },
            ]),
          ),
        ),
      );
      const rows = await replicas[0].ledgerRows();
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      // Each entry was built on the head before it: one chain.
      rows.forEach((r, i) => expect(JSON.parse(r.line).prev).toBe(i === 0 ? '' : rows[i - 1].hash));
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  it('redeems one token once when replicas race for it', async () => {
    const url = await cluster.createSchema();
    const replicas = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open(url)));
    try {
      await replicas[0].addEnrollmentToken(sha256Hex('tse_race'), 'merchant');
      const results = await Promise.all(
        replicas.map((r, i) =>
          r.redeemEnrollmentToken(sha256Hex('tse_race'), {
            id: `p-${i}`,
            name: '',
            publicKey: generateSigningKeyPair().publicKey,
            enrolledAt: 1,
          }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(
        Array(3).fill('this enrolment token was already used: each token enrols exactly one participant'),
      );
      expect(await replicas[1].listParticipants()).toHaveLength(1);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  it('reads BIGINT as numbers through its own pool, leaving pg’s global parsers alone', async () => {
    const url = await cluster.createSchema();
    const store = await PostgresStore.open(url);
    try {
      await store.createJob(job('j', 2 ** 52 + 1));
      expect((await store.getJob('j'))?.createdAt).toBe(2 ** 52 + 1);
      expect(await onDatabase(url, 'SELECT created_at FROM jobs')).toEqual([{ created_at: String(2 ** 52 + 1) }]);
    } finally {
      await store.close();
    }
  });
});
