import pg from 'pg';
import { LeaseLost } from '../lease-lost.js';
import type {
  ConsoleLogin,
  AnalystJoinResult,
  AnalystRecord,
  EnrollmentTokenRecord,
  JobLease,
  JobRecord,
  JobStatus,
  LedgerRow,
  NewParticipant,
  ProductRecord,
  SaleRecord,
  SalesFilter,
  ParticipantRecord,
  ParticipantStatus,
  RedeemResult,
  ReplicaRecord,
  RoundRecord,
  Store,
} from '../store.js';
import { PostgresAnalysts } from './postgres-analysts.js';
import { PostgresEnrolment } from './postgres-enrolment.js';
import { PostgresLeases } from './postgres-leases.js';
import { PostgresConsoleLogins } from './postgres-console-logins.js';
import { PostgresReplicas } from './postgres-replicas.js';
import { PostgresSales } from './postgres-sales.js';
import { migratePostgres, schemaVersionOf } from './postgres-migrations.js';
import { fromBytea, jobFromRow, metricsJson, POOL_TYPES, type Row, roundFromRow, toBytea } from './postgres-rows.js';
import { type Queryable, transaction } from './postgres-transaction.js';
import { redactPostgresUrl } from './postgres-url.js';
import { countsByStatus } from '../store-rows.js';

export interface PostgresStoreOptions {
  /** Most connections the pool opens (default 10). */
  maxConnections?: number;
  /** Where errors of idle connections go (a dropped connection is replaced on the next query); default: dropped. */
  log?: (line: string) => void;
}

const ledgerFromRow = (r: Row): LedgerRow => ({
  seq: r.seq as number,
  jobId: r.job_id as string,
  participant: r.participant as string,
  hash: r.hash as string,
  line: r.entry_json as string,
});

const JOB_COLUMNS: Record<string, string> = {
  name: 'name',
  specJson: 'spec_json',
  status: 'status',
  roundsCompleted: 'rounds_completed',
  roundsTotal: 'rounds_total',
  updatedAt: 'updated_at',
  error: 'error',
  contextJson: 'context_json',
};

/**
 * The store of coordinator replicas: one PostgreSQL database shared by them, migrated on open (once, whoever opens
 * first). It behaves as the SQLite store in every method; what SQLite serialises by having one writer, this one
 * serialises with transactions, row locks and advisory locks.
 */
export class PostgresStore implements Store {
  private readonly enrolment: PostgresEnrolment;
  private readonly analysts: PostgresAnalysts;
  private readonly leases: PostgresLeases;
  private readonly replicas: PostgresReplicas;
  private readonly consoleLogins: PostgresConsoleLogins;
  private readonly sales: PostgresSales;

  private constructor(
    private readonly pool: pg.Pool,
    /** The URL without its password, for messages. */
    readonly label: string,
  ) {
    this.enrolment = new PostgresEnrolment(pool);
    this.analysts = new PostgresAnalysts(pool);
    this.leases = new PostgresLeases(pool);
    this.replicas = new PostgresReplicas(pool);
    this.consoleLogins = new PostgresConsoleLogins(pool);
    this.sales = new PostgresSales(pool);
  }

  /** Connects to `url` (postgres://user:password@host:port/database), migrates the schema, and returns the store. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const label = redactPostgresUrl(url);
    const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, types: POOL_TYPES });
    pool.on('error', (e) => options.log?.(`PostgreSQL store ${label}: an idle connection failed: ${e.message}`));
    try {
      await migratePostgres(pool, label);
    } catch (e) {
      await pool.end();
      if (e instanceof Error && 'code' in e && typeof e.code === 'string' && !e.message.includes(label))
        e.message = `PostgreSQL store ${label}: ${e.message}`;
      throw e;
    }
    return new PostgresStore(pool, label);
  }

  schemaVersion(): Promise<number> {
    return schemaVersionOf(this.pool);
  }

  addEnrollmentToken(
    tokenHash: string,
    name: string,
    options?: { expiresAt?: number; now?: number },
  ): Promise<EnrollmentTokenRecord> {
    return this.enrolment.addToken(tokenHash, name, options);
  }

  redeemEnrollmentToken(tokenHash: string, p: NewParticipant, now?: number): Promise<RedeemResult> {
    return this.enrolment.redeem(tokenHash, p, now);
  }

  listEnrollmentTokens(now?: number): Promise<EnrollmentTokenRecord[]> {
    return this.enrolment.listTokens(now);
  }

  revokeEnrollmentToken(id: string, now?: number): Promise<EnrollmentTokenRecord> {
    return this.enrolment.revokeToken(id, now);
  }

  getParticipant(id: string): Promise<ParticipantRecord | undefined> {
    return this.enrolment.participant(id);
  }

  listParticipants(): Promise<ParticipantRecord[]> {
    return this.enrolment.participants();
  }

  inactiveParticipants(): Promise<ParticipantRecord[]> {
    return this.enrolment.inactive();
  }

  setParticipantStatus(id: string, status: ParticipantStatus, now?: number): Promise<ParticipantRecord> {
    return this.enrolment.setStatus(id, status, now);
  }

  markParticipantsSeen(ids: readonly string[], at: number): Promise<void> {
    return this.enrolment.markSeen(ids, at);
  }

  inviteAnalyst(name: string, secretHash: string, times: { now: number; expiresAt: number }): Promise<AnalystRecord> {
    return this.analysts.invite(name, secretHash, times);
  }

  registerAnalyst(name: string, publicKey: Uint8Array, now?: number): Promise<AnalystRecord> {
    return this.analysts.register(name, publicKey, now);
  }

  redeemAnalystInvitation(secretHash: string, publicKey: Uint8Array, now?: number): Promise<AnalystJoinResult> {
    return this.analysts.redeem(secretHash, publicKey, now);
  }

  getAnalyst(name: string, now?: number): Promise<AnalystRecord | undefined> {
    return this.analysts.get(name, now);
  }

  analystByKey(publicKey: Uint8Array, now?: number): Promise<AnalystRecord | undefined> {
    return this.analysts.byKey(publicKey, now);
  }

  listAnalysts(now?: number): Promise<AnalystRecord[]> {
    return this.analysts.list(now);
  }

  revokeAnalyst(name: string, now?: number): Promise<AnalystRecord> {
    return this.analysts.revoke(name, now);
  }

  async createJob(j: JobRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO jobs (id, name, spec_json, status, rounds_completed, rounds_total, created_at, updated_at,
        error, context_json, owner)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        j.id,
        j.name,
        j.specJson,
        j.status,
        j.roundsCompleted,
        j.roundsTotal,
        j.createdAt,
        j.updatedAt,
        j.error,
        j.contextJson,
        j.owner ?? '',
      ],
    );
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const r = (await this.pool.query<Row>('SELECT * FROM jobs WHERE id = $1', [id])).rows[0];
    return r && jobFromRow(r);
  }

  async listJobs(limit: number, owner?: string): Promise<JobRecord[]> {
    const r =
      owner === undefined
        ? await this.pool.query<Row>('SELECT * FROM jobs ORDER BY created_at DESC, id LIMIT $1', [limit])
        : await this.pool.query<Row>('SELECT * FROM jobs WHERE owner = $1 ORDER BY created_at DESC, id LIMIT $2', [
            owner,
            limit,
          ]);
    return r.rows.map(jobFromRow);
  }

  async jobsWithStatus(statuses: readonly JobStatus[]): Promise<JobRecord[]> {
    if (statuses.length === 0) return [];
    const sql = 'SELECT * FROM jobs WHERE status = ANY($1::text[]) ORDER BY created_at, id';
    return (await this.pool.query<Row>(sql, [[...statuses]])).rows.map(jobFromRow);
  }

  async countJobsByStatus(): Promise<Record<JobStatus, number>> {
    const sql = 'SELECT status, COUNT(*)::int AS n FROM jobs GROUP BY status';
    return countsByStatus((await this.pool.query<{ status: string; n: number }>(sql)).rows);
  }

  updateJob(id: string, patch: Partial<Omit<JobRecord, 'id' | 'createdAt'>>): Promise<void> {
    return this.patchJob(this.pool, id, patch);
  }

  private async patchJob(db: Queryable, id: string, patch: Partial<Omit<JobRecord, 'id' | 'createdAt'>>) {
    const entries = Object.entries({ updatedAt: Date.now(), ...patch }).filter(
      ([k, v]) => k in JOB_COLUMNS && v !== undefined,
    );
    const sets = entries.map(([k], i) => `${JOB_COLUMNS[k]} = $${i + 1}`).join(', ');
    await db.query(`UPDATE jobs SET ${sets} WHERE id = $${entries.length + 1}`, [...entries.map(([, v]) => v), id]);
  }

  addRound(r: RoundRecord): Promise<void> {
    return this.insertRound(this.pool, r);
  }

  private async insertRound(db: Queryable, r: RoundRecord): Promise<void> {
    await db.query(
      `INSERT INTO rounds (job_id, round, stage, attempt, status, contributors, dropped_json, metrics_json,
        seconds, error, finished_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        r.jobId,
        r.round,
        r.stage,
        r.attempt,
        r.status,
        r.contributors,
        JSON.stringify(r.dropped),
        metricsJson(r.metrics),
        r.seconds,
        r.error,
        r.finishedAt,
      ],
    );
  }

  async listRounds(jobId: string): Promise<RoundRecord[]> {
    return (await this.pool.query<Row>('SELECT * FROM rounds WHERE job_id = $1 ORDER BY id', [jobId])).rows.map(
      roundFromRow,
    );
  }

  completeRound(
    r: RoundRecord,
    weights: Float64Array,
    roundsCompleted: number,
    contextJson?: string,
    lease?: { holder: string; epoch: number },
  ): Promise<void> {
    return transaction(this.pool, async (db) => {
      if (lease && !(await this.leases.holds(db, r.jobId, lease)))
        throw new LeaseLost(r.jobId, lease.holder, lease.epoch);
      await this.insertRound(db, r);
      await db.query(
        `INSERT INTO models (job_id, round, dimension, weights, created_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (job_id, round) DO UPDATE
        SET dimension = EXCLUDED.dimension, weights = EXCLUDED.weights, created_at = EXCLUDED.created_at`,
        [r.jobId, r.round, weights.length, toBytea(weights), Date.now()],
      );
      await this.patchJob(db, r.jobId, { roundsCompleted, ...(contextJson !== undefined ? { contextJson } : {}) });
    });
  }

  async loadModel(jobId: string, round: number): Promise<Float64Array | undefined> {
    const sql = 'SELECT weights FROM models WHERE job_id = $1 AND round = $2';
    const r = (await this.pool.query<{ weights: Buffer }>(sql, [jobId, round])).rows[0];
    return r && fromBytea(r.weights);
  }

  async latestModel(jobId: string): Promise<{ round: number; weights: Float64Array } | undefined> {
    const sql = 'SELECT round, weights FROM models WHERE job_id = $1 ORDER BY round DESC LIMIT 1';
    const r = (await this.pool.query<{ round: number; weights: Buffer }>(sql, [jobId])).rows[0];
    return r && { round: r.round, weights: fromBytea(r.weights) };
  }

  /** Appenders on every replica take turns (an advisory lock), so each builds on the head the last one left. */
  appendLedger(
    build: (head: { seq: number; hash: string }) => LedgerRow[],
    sale?: (rows: LedgerRow[]) => SaleRecord,
  ): Promise<LedgerRow[]> {
    return transaction(
      this.pool,
      async (db) => {
        const rows = build(await this.head(db));
        for (const r of rows)
          await db.query(
            'INSERT INTO payout_ledger (seq, job_id, participant, hash, entry_json) VALUES ($1, $2, $3, $4, $5)',
            [r.seq, r.jobId, r.participant, r.hash, r.line],
          );
        if (sale) await this.sales.insertSale(db, sale(rows));
        return rows;
      },
      'ledger',
    );
  }

  async ledgerRows(jobId?: string): Promise<LedgerRow[]> {
    const r =
      jobId === undefined
        ? await this.pool.query<Row>('SELECT * FROM payout_ledger ORDER BY seq')
        : await this.pool.query<Row>('SELECT * FROM payout_ledger WHERE job_id = $1 ORDER BY seq', [jobId]);
    return r.rows.map(ledgerFromRow);
  }

  ledgerHead(): Promise<{ seq: number; hash: string }> {
    return this.head(this.pool);
  }

  private async head(db: Queryable): Promise<{ seq: number; hash: string }> {
    const sql = 'SELECT seq, hash FROM payout_ledger ORDER BY seq DESC LIMIT 1';
    const r = (await db.query<{ seq: number; hash: string }>(sql)).rows[0];
    return r ? { seq: r.seq, hash: r.hash } : { seq: 0, hash: '' };
  }

  async ledgerRowAt(seq: number): Promise<LedgerRow | undefined> {
    const r = (await this.pool.query<Row>('SELECT * FROM payout_ledger WHERE seq = $1', [seq])).rows[0];
    return r && ledgerFromRow(r);
  }

  async addLedgerCosignature(seq: number, participant: string, json: string): Promise<void> {
    await this.pool.query(
      'INSERT INTO payout_ledger_cosignature (seq, participant, received_at, cosignature_json) ' +
        'VALUES ($1, $2, $3, $4) ON CONFLICT (seq, participant) DO NOTHING',
      [seq, participant, Date.now(), json],
    );
  }

  async ledgerCosignatures(): Promise<string[]> {
    const sql = 'SELECT cosignature_json FROM payout_ledger_cosignature ORDER BY seq, participant';
    return (await this.pool.query<{ cosignature_json: string }>(sql)).rows.map((r) => r.cosignature_json);
  }

  acquireJobLeases(holder: string, ttlMs: number, limit: number, now?: number): Promise<JobLease[]> {
    return this.leases.acquire(holder, ttlMs, limit, now);
  }

  renewJobLeases(holder: string, jobIds: readonly string[], ttlMs: number, now?: number): Promise<string[]> {
    return this.leases.renew(holder, jobIds, ttlMs, now);
  }

  releaseJobLease(jobId: string, holder: string): Promise<void> {
    return this.leases.release(jobId, holder);
  }

  jobLease(jobId: string): Promise<JobLease | undefined> {
    return this.leases.get(jobId);
  }

  registerReplica(id: string, address: string, now?: number): Promise<void> {
    return this.replicas.register(id, address, now);
  }

  heartbeatReplica(id: string, now?: number): Promise<void> {
    return this.replicas.heartbeat(id, now);
  }

  liveReplicas(since: number): Promise<ReplicaRecord[]> {
    return this.replicas.live(since);
  }

  removeReplica(id: string): Promise<void> {
    return this.replicas.remove(id);
  }

  replicaSecret(): Promise<Uint8Array> {
    return this.replicas.secret();
  }

  addProduct(product: ProductRecord): Promise<void> {
    return this.sales.addProduct(product);
  }

  getProduct(id: string): Promise<ProductRecord | undefined> {
    return this.sales.product(id);
  }

  listProducts(owner?: string): Promise<ProductRecord[]> {
    return this.sales.products(owner);
  }

  getSale(id: string): Promise<SaleRecord | undefined> {
    return this.sales.sale(id);
  }

  listSales(filter?: SalesFilter): Promise<SaleRecord[]> {
    return this.sales.sales(filter);
  }

  addConsoleLogin(tokenHash: string, login: ConsoleLogin, now?: number): Promise<void> {
    return this.consoleLogins.add(tokenHash, login, now);
  }

  takeConsoleLogin(tokenHash: string, now?: number): Promise<ConsoleLogin | undefined> {
    return this.consoleLogins.take(tokenHash, now);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
