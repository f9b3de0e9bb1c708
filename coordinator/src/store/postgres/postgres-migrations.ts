/**
 * The coordinator's schema in PostgreSQL's dialect: the same versions and names as the SQLite migrations
 * (migrations.ts; a test holds them equal), applied in order, each once, recorded in schema_migrations.
 * Times are BIGINT milliseconds, keys and weights bytea. Never edit a released one: add the next, in both lists.
 */
import { MigrationListError, SchemaTooNewError } from '@tessera/data';
import type pg from 'pg';
import { transaction } from './postgres-transaction.js';

export const PG_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'participants, jobs, rounds, models',
    sql: `
      CREATE TABLE enrollment_tokens (
        token_hash TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        used_at BIGINT,
        participant_id TEXT
      );
      CREATE TABLE participants (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        public_key BYTEA NOT NULL UNIQUE,
        enrolled_at BIGINT NOT NULL
      );
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        spec_json TEXT NOT NULL,
        status TEXT NOT NULL,
        rounds_completed BIGINT NOT NULL DEFAULT 0,
        rounds_total BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        error TEXT NOT NULL DEFAULT '',
        context_json TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX jobs_by_status ON jobs(status);
      CREATE TABLE rounds (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_id TEXT NOT NULL REFERENCES jobs(id),
        round BIGINT NOT NULL,
        stage TEXT NOT NULL,
        attempt BIGINT NOT NULL,
        status TEXT NOT NULL,
        contributors BIGINT NOT NULL,
        dropped_json TEXT NOT NULL,
        metrics_json TEXT NOT NULL,
        seconds DOUBLE PRECISION NOT NULL,
        error TEXT NOT NULL,
        finished_at BIGINT NOT NULL
      );
      CREATE INDEX rounds_by_job ON rounds(job_id, id);
      CREATE TABLE models (
        job_id TEXT NOT NULL REFERENCES jobs(id),
        round BIGINT NOT NULL,
        dimension BIGINT NOT NULL,
        weights BYTEA NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (job_id, round)
      );
    `,
  },
  {
    version: 2,
    name: 'payout ledger',
    sql: `
      CREATE TABLE payout_ledger (
        seq BIGINT PRIMARY KEY,
        job_id TEXT NOT NULL,
        participant TEXT NOT NULL,
        hash TEXT NOT NULL,
        entry_json TEXT NOT NULL
      );
      CREATE INDEX payout_ledger_by_job ON payout_ledger(job_id, seq);
    `,
  },
  {
    version: 3,
    name: 'enrolment life cycle: token ids, expiry and revocation; participant status',
    sql: `
      ALTER TABLE enrollment_tokens ADD COLUMN id TEXT NOT NULL DEFAULT '';
      ALTER TABLE enrollment_tokens ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
      ALTER TABLE enrollment_tokens ADD COLUMN revoked_at BIGINT;
      UPDATE enrollment_tokens SET id = 'tok-' || substr(token_hash, 1, 16), expires_at = created_at + 86400000;
      CREATE UNIQUE INDEX enrollment_tokens_by_id ON enrollment_tokens(id);
      ALTER TABLE participants ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
      ALTER TABLE participants ADD COLUMN status_changed_at BIGINT;
      ALTER TABLE participants ADD COLUMN last_seen_at BIGINT;
      CREATE INDEX participants_by_status ON participants(status);
    `,
  },
  {
    version: 4,
    name: 'analyst identities; job owners',
    sql: `
      CREATE TABLE analysts (
        name TEXT PRIMARY KEY,
        public_key BYTEA UNIQUE,
        created_at BIGINT NOT NULL,
        invitation_hash TEXT UNIQUE,
        invitation_expires_at BIGINT,
        joined_at BIGINT,
        revoked_at BIGINT
      );
      ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
      CREATE INDEX jobs_by_owner ON jobs(owner, created_at);
    `,
  },
  {
    version: 5,
    name: 'payout ledger cosignatures',
    sql: `
      CREATE TABLE payout_ledger_cosignature (
        seq BIGINT NOT NULL,
        participant TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        cosignature_json TEXT NOT NULL,
        PRIMARY KEY (seq, participant)
      );
    `,
  },
  {
    version: 6,
    name: 'job leases',
    sql: `
      CREATE TABLE job_leases (
        job_id TEXT PRIMARY KEY REFERENCES jobs(id),
        holder TEXT NOT NULL,
        epoch BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'coordinator replicas',
    // The replicas sharing this database and where they reach each other (replicas/replica-mesh.ts), and the secret
    // with which they prove to each other that they are replicas of this federation.
    sql: `
      CREATE TABLE replicas (
        id TEXT PRIMARY KEY,
        address TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        heartbeat_at BIGINT NOT NULL
      );
      CREATE TABLE replica_secret (
        id INTEGER PRIMARY KEY,
        secret BYTEA NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: 'console logins',
    sql: `
      CREATE TABLE console_logins (
        token_hash TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        analyst_id TEXT,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT
      );
    `,
  },
  {
    version: 9,
    name: 'data-trust products and sales',
    sql: `
      CREATE TABLE products (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        json TEXT NOT NULL
      );
      CREATE INDEX products_by_owner ON products(owner, created_at);
      CREATE TABLE sales (
        id TEXT PRIMARY KEY,
        product_id TEXT NOT NULL REFERENCES products(id),
        kind TEXT NOT NULL CHECK (kind IN ('sale', 'refund')),
        sale_id TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        json TEXT NOT NULL
      );
      CREATE INDEX sales_by_product ON sales(product_id, created_at);
      CREATE INDEX sales_by_sale ON sales(sale_id, created_at);
    `,
  },
];

/**
 * Brings the database up to the newest of `migrations` and returns that version, or throws SchemaTooNewError naming
 * `label` (the redacted URL). One transaction under an advisory lock: replicas starting together migrate once (the
 * others wait, then find nothing to do), and a failed migration leaves the database as it was.
 */
export async function migratePostgres(
  pool: pg.Pool,
  label: string,
  migrations: readonly { version: number; name: string; sql: string }[] = PG_MIGRATIONS,
): Promise<number> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new MigrationListError(
        `migration ${i + 1} ("${m.name}") has version ${m.version}; versions are 1, 2, 3...`,
      );
  });
  const known = migrations.length;
  return transaction(
    pool,
    async (client) => {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations ' +
          '(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const current = await schemaVersionOf(client);
      if (current > known)
        throw new SchemaTooNewError(
          current,
          known,
          `${label} has schema version ${current}, newer than this coordinator knows (${known}); upgrade Tessera`,
        );
      for (const m of migrations.slice(current)) {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          Date.now(),
        ]);
      }
      return known;
    },
    'migrations',
  );
}

/** The version of the newest migration applied, 0 for none. */
export async function schemaVersionOf(db: Pick<pg.Pool, 'query'> | pg.PoolClient): Promise<number> {
  const r = await db.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
  return r.rows[0]?.v ?? 0;
}
