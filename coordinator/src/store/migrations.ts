/** Versioned schema migrations, applied in order, each once. Never edit a released one: add the next. */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'participants, jobs, rounds, models',
    sql: `
      CREATE TABLE enrollment_tokens (
        token_hash TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        used_at INTEGER,
        participant_id TEXT
      );
      CREATE TABLE participants (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        public_key BLOB NOT NULL UNIQUE,
        enrolled_at INTEGER NOT NULL
      );
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        spec_json TEXT NOT NULL,
        status TEXT NOT NULL,
        rounds_completed INTEGER NOT NULL DEFAULT 0,
        rounds_total INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        error TEXT NOT NULL DEFAULT '',
        context_json TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX jobs_by_status ON jobs(status);
      CREATE TABLE rounds (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL REFERENCES jobs(id),
        round INTEGER NOT NULL,
        stage TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        status TEXT NOT NULL,
        contributors INTEGER NOT NULL,
        dropped_json TEXT NOT NULL,
        metrics_json TEXT NOT NULL,
        seconds REAL NOT NULL,
        error TEXT NOT NULL,
        finished_at INTEGER NOT NULL
      );
      CREATE INDEX rounds_by_job ON rounds(job_id, id);
      CREATE TABLE models (
        job_id TEXT NOT NULL REFERENCES jobs(id),
        round INTEGER NOT NULL,
        dimension INTEGER NOT NULL,
        weights BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (job_id, round)
      );
    `,
  },
  {
    version: 2,
    name: 'payout ledger',
    sql: `
      CREATE TABLE payout_ledger (
        seq INTEGER PRIMARY KEY,
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
    // Tokens issued before expiry existed expire 24 h after they were issued, as new ones do by default; their id is
    // a prefix of the stored hash, which reveals nothing the hash does not.
    sql: `
      ALTER TABLE enrollment_tokens ADD COLUMN id TEXT NOT NULL DEFAULT '';
      ALTER TABLE enrollment_tokens ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE enrollment_tokens ADD COLUMN revoked_at INTEGER;
      UPDATE enrollment_tokens SET id = 'tok-' || substr(token_hash, 1, 16), expires_at = created_at + 86400000;
      CREATE UNIQUE INDEX enrollment_tokens_by_id ON enrollment_tokens(id);
      ALTER TABLE participants ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
      ALTER TABLE participants ADD COLUMN status_changed_at INTEGER;
      ALTER TABLE participants ADD COLUMN last_seen_at INTEGER;
      CREATE INDEX participants_by_status ON participants(status);
    `,
  },
  {
    version: 4,
    name: 'analyst identities; job owners',
    // Jobs submitted before analysts had identities keep an empty owner: no analyst sees them (docs/security.md).
    sql: `
      CREATE TABLE analysts (
        name TEXT PRIMARY KEY,
        public_key BLOB UNIQUE,
        created_at INTEGER NOT NULL,
        invitation_hash TEXT UNIQUE,
        invitation_expires_at INTEGER,
        joined_at INTEGER,
        revoked_at INTEGER
      );
      ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
      CREATE INDEX jobs_by_owner ON jobs(owner, created_at);
    `,
  },
  {
    version: 5,
    name: 'payout ledger cosignatures',
    // Members' countersignatures over the ledger heads their receipts carried (ledger-cosignatures.ts).
    sql: `
      CREATE TABLE payout_ledger_cosignature (
        seq INTEGER NOT NULL,
        participant TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        cosignature_json TEXT NOT NULL,
        PRIMARY KEY (seq, participant)
      );
    `,
  },
  {
    version: 6,
    name: 'job leases',
    // Which replica drives each job, until when; the epoch is a fencing token (store.ts, JobLease).
    sql: `
      CREATE TABLE job_leases (
        job_id TEXT PRIMARY KEY REFERENCES jobs(id),
        holder TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
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
        started_at INTEGER NOT NULL,
        heartbeat_at INTEGER NOT NULL
      );
      CREATE TABLE replica_secret (
        id INTEGER PRIMARY KEY,
        secret BLOB NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: 'console logins',
    // One-time links into the web console (console/): only a hash of each is kept, with whom it logs in and until when.
    sql: `
      CREATE TABLE console_logins (
        token_hash TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        analyst_id TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      );
    `,
  },
  {
    version: 9,
    name: 'data-trust products and sales',
    // Products (finished jobs listed for sale) and their sales and refunds (sales/); a sale's or refund's row is
    // written in the transaction that appends its ledger entries, so one exists iff the other does.
    sql: `
      CREATE TABLE products (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        json TEXT NOT NULL
      );
      CREATE INDEX products_by_owner ON products(owner, created_at);
      CREATE TABLE sales (
        id TEXT PRIMARY KEY,
        product_id TEXT NOT NULL REFERENCES products(id),
        kind TEXT NOT NULL CHECK (kind IN ('sale', 'refund')),
        sale_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        json TEXT NOT NULL
      );
      CREATE INDEX sales_by_product ON sales(product_id, created_at);
      CREATE INDEX sales_by_sale ON sales(sale_id, created_at);
    `,
  },
];
