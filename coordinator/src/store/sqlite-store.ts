import Database from 'better-sqlite3';
import { migrate, MIGRATIONS_TABLE } from '@tessera/data';
import { makePrivateDatabaseFile, makePrivateDirectory } from '@tessera/crypto';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.js';
import { SqliteAnalysts } from './sqlite-analysts.js';
import { SqliteEnrolment } from './sqlite-enrolment.js';
import { SqliteLeases } from './sqlite-leases.js';
import { SqliteConsoleLogins } from './sqlite-console-logins.js';
import { SqliteReplicas } from './sqlite-replicas.js';
import { SqliteSales } from './sqlite-sales.js';
import { countsByStatus, jobFromRow, roundFromRow, type Row } from './store-rows.js';
import { LeaseLost } from './lease-lost.js';
import type {
  ConsoleLogin,
  AnalystJoinResult,
  AnalystRecord,
  EnrollmentTokenRecord,
  JobLease,
  LedgerRow,
  JobRecord,
  ProductRecord,
  SaleRecord,
  SalesFilter,
  JobStatus,
  NewParticipant,
  ParticipantRecord,
  ParticipantStatus,
  RedeemResult,
  ReplicaRecord,
  RoundRecord,
  Store,
} from './store.js';

function toBlob(v: Float64Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function fromBlob(b: Buffer): Float64Array {
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float64Array(copy.buffer);
}

/** The embedded default store: one SQLite file in WAL mode, migrated on open. */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly enrolment: SqliteEnrolment;
  private readonly analysts: SqliteAnalysts;
  private readonly leases: SqliteLeases;
  private readonly replicas: SqliteReplicas;
  private readonly consoleLogins: SqliteConsoleLogins;
  private readonly sales: SqliteSales;

  constructor(readonly path: string) {
    // The database holds participants' keys and jobs' results: owner-only directory (when created here) and file.
    if (path !== ':memory:') {
      makePrivateDirectory(dirname(path));
      makePrivateDatabaseFile(path);
    }
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    this.enrolment = new SqliteEnrolment(this.db);
    this.analysts = new SqliteAnalysts(this.db);
    this.leases = new SqliteLeases(this.db);
    this.replicas = new SqliteReplicas(this.db);
    this.consoleLogins = new SqliteConsoleLogins(this.db);
    this.sales = new SqliteSales(this.db);
  }

  /** Applies the migrations this file has not seen yet (a row each in schema_migrations); returns the version. */
  private migrate(): number {
    return migrate(this.db, MIGRATIONS, {
      book: MIGRATIONS_TABLE,
      tooNew: (current, known) =>
        `${this.path} has schema version ${current}, newer than this coordinator knows (${known}); upgrade Tessera`,
    });
  }

  schemaVersion(): number {
    return MIGRATIONS_TABLE.current(this.db);
  }

  async addEnrollmentToken(
    tokenHash: string,
    name: string,
    options?: { expiresAt?: number; now?: number },
  ): Promise<EnrollmentTokenRecord> {
    return this.enrolment.addToken(tokenHash, name, options);
  }

  async redeemEnrollmentToken(tokenHash: string, p: NewParticipant, now?: number): Promise<RedeemResult> {
    return this.enrolment.redeem(tokenHash, p, now);
  }

  async listEnrollmentTokens(now?: number): Promise<EnrollmentTokenRecord[]> {
    return this.enrolment.listTokens(now);
  }

  async revokeEnrollmentToken(id: string, now?: number): Promise<EnrollmentTokenRecord> {
    return this.enrolment.revokeToken(id, now);
  }

  async getParticipant(id: string): Promise<ParticipantRecord | undefined> {
    return this.enrolment.participant(id);
  }

  async listParticipants(): Promise<ParticipantRecord[]> {
    return this.enrolment.participants();
  }

  async inactiveParticipants(): Promise<ParticipantRecord[]> {
    return this.enrolment.inactive();
  }

  async setParticipantStatus(id: string, status: ParticipantStatus, now?: number): Promise<ParticipantRecord> {
    return this.enrolment.setStatus(id, status, now);
  }

  async markParticipantsSeen(ids: readonly string[], at: number): Promise<void> {
    this.enrolment.markSeen(ids, at);
  }

  async inviteAnalyst(
    name: string,
    secretHash: string,
    times: { now: number; expiresAt: number },
  ): Promise<AnalystRecord> {
    return this.analysts.invite(name, secretHash, times);
  }

  async registerAnalyst(name: string, publicKey: Uint8Array, now?: number): Promise<AnalystRecord> {
    return this.analysts.register(name, publicKey, now);
  }

  async redeemAnalystInvitation(secretHash: string, publicKey: Uint8Array, now?: number): Promise<AnalystJoinResult> {
    return this.analysts.redeem(secretHash, publicKey, now);
  }

  async getAnalyst(name: string, now?: number): Promise<AnalystRecord | undefined> {
    return this.analysts.get(name, now);
  }

  async analystByKey(publicKey: Uint8Array, now?: number): Promise<AnalystRecord | undefined> {
    return this.analysts.byKey(publicKey, now);
  }

  async listAnalysts(now?: number): Promise<AnalystRecord[]> {
    return this.analysts.list(now);
  }

  async revokeAnalyst(name: string, now?: number): Promise<AnalystRecord> {
    return this.analysts.revoke(name, now);
  }

  async createJob(j: JobRecord): Promise<void> {
    this.db
      .prepare(`INSERT INTO jobs (id, name, spec_json, status, rounds_completed, rounds_total, created_at, updated_at,
        error, context_json, owner)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(
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
      );
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const r = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return r && jobFromRow(r);
  }

  async listJobs(limit: number, owner?: string): Promise<JobRecord[]> {
    const rows =
      owner === undefined
        ? this.db.prepare('SELECT * FROM jobs ORDER BY created_at DESC, id LIMIT ?').all(limit)
        : this.db.prepare('SELECT * FROM jobs WHERE owner = ? ORDER BY created_at DESC, id LIMIT ?').all(owner, limit);
    return (rows as Row[]).map(jobFromRow);
  }

  async jobsWithStatus(statuses: readonly JobStatus[]): Promise<JobRecord[]> {
    if (statuses.length === 0) return [];
    const marks = statuses.map(() => '?').join(', ');
    return (
      this.db.prepare(`SELECT * FROM jobs WHERE status IN (${marks}) ORDER BY created_at, id`).all(...statuses) as Row[]
    ).map(jobFromRow);
  }

  async countJobsByStatus(): Promise<Record<JobStatus, number>> {
    const rows = this.db.prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status').all() as {
      status: string;
      n: number;
    }[];
    return countsByStatus(rows);
  }

  async updateJob(id: string, patch: Partial<Omit<JobRecord, 'id' | 'createdAt'>>): Promise<void> {
    this.patchJob(id, patch);
  }

  private patchJob(id: string, patch: Partial<Omit<JobRecord, 'id' | 'createdAt'>>): void {
    const columns: Record<string, string> = {
      name: 'name',
      specJson: 'spec_json',
      status: 'status',
      roundsCompleted: 'rounds_completed',
      roundsTotal: 'rounds_total',
      updatedAt: 'updated_at',
      error: 'error',
      contextJson: 'context_json',
    };
    const entries = Object.entries({ updatedAt: Date.now(), ...patch }).filter(
      ([k, v]) => k in columns && v !== undefined,
    );
    const sql = `UPDATE jobs SET ${entries.map(([k]) => `${columns[k]} = ?`).join(', ')} WHERE id = ?`;
    this.db.prepare(sql).run(...entries.map(([, v]) => v as string | number), id);
  }

  async addRound(r: RoundRecord): Promise<void> {
    this.insertRound(r);
  }

  private insertRound(r: RoundRecord): void {
    this.db
      .prepare(`INSERT INTO rounds (job_id, round, stage, attempt, status, contributors, dropped_json, metrics_json,
        seconds, error, finished_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(
        r.jobId,
        r.round,
        r.stage,
        r.attempt,
        r.status,
        r.contributors,
        JSON.stringify(r.dropped),
        JSON.stringify(r.metrics, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)),
        r.seconds,
        r.error,
        r.finishedAt,
      );
  }

  async listRounds(jobId: string): Promise<RoundRecord[]> {
    return (this.db.prepare('SELECT * FROM rounds WHERE job_id = ? ORDER BY id').all(jobId) as Row[]).map(roundFromRow);
  }

  async completeRound(
    r: RoundRecord,
    weights: Float64Array,
    roundsCompleted: number,
    contextJson?: string,
    lease?: { holder: string; epoch: number },
  ): Promise<void> {
    this.db.transaction(() => {
      if (lease && !this.leases.holds(r.jobId, lease, Date.now()))
        throw new LeaseLost(r.jobId, lease.holder, lease.epoch);
      this.insertRound(r);
      this.db
        .prepare('INSERT OR REPLACE INTO models (job_id, round, dimension, weights, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(r.jobId, r.round, weights.length, toBlob(weights), Date.now());
      this.patchJob(r.jobId, { roundsCompleted, ...(contextJson !== undefined ? { contextJson } : {}) });
    })();
  }

  async loadModel(jobId: string, round: number): Promise<Float64Array | undefined> {
    const r = this.db.prepare('SELECT weights FROM models WHERE job_id = ? AND round = ?').get(jobId, round) as
      | { weights: Buffer }
      | undefined;
    return r && fromBlob(r.weights);
  }

  async latestModel(jobId: string): Promise<{ round: number; weights: Float64Array } | undefined> {
    const r = this.db
      .prepare('SELECT round, weights FROM models WHERE job_id = ? ORDER BY round DESC LIMIT 1')
      .get(jobId) as { round: number; weights: Buffer } | undefined;
    return r && { round: r.round, weights: fromBlob(r.weights) };
  }

  async appendLedger(
    build: (head: { seq: number; hash: string }) => LedgerRow[],
    sale?: (rows: LedgerRow[]) => SaleRecord,
  ): Promise<LedgerRow[]> {
    return this.db.transaction(() => {
      const rows = build(this.head());
      const insert = this.db.prepare(
        'INSERT INTO payout_ledger (seq, job_id, participant, hash, entry_json) VALUES (?, ?, ?, ?, ?)',
      );
      for (const r of rows) insert.run(r.seq, r.jobId, r.participant, r.hash, r.line);
      if (sale) this.sales.insertSale(sale(rows));
      return rows;
    })();
  }

  async ledgerRows(jobId?: string): Promise<LedgerRow[]> {
    const rows = (
      jobId === undefined
        ? this.db.prepare('SELECT * FROM payout_ledger ORDER BY seq').all()
        : this.db.prepare('SELECT * FROM payout_ledger WHERE job_id = ? ORDER BY seq').all(jobId)
    ) as { seq: number; job_id: string; participant: string; hash: string; entry_json: string }[];
    return rows.map((r) => ({
      seq: r.seq,
      jobId: r.job_id,
      participant: r.participant,
      hash: r.hash,
      line: r.entry_json,
    }));
  }

  async ledgerHead(): Promise<{ seq: number; hash: string }> {
    return this.head();
  }

  private head(): { seq: number; hash: string } {
    const r = this.db.prepare('SELECT seq, hash FROM payout_ledger ORDER BY seq DESC LIMIT 1').get() as
      | { seq: number; hash: string }
      | undefined;
    return r ? { seq: r.seq, hash: r.hash } : { seq: 0, hash: '' };
  }

  async ledgerRowAt(seq: number): Promise<LedgerRow | undefined> {
    const r = this.db.prepare('SELECT * FROM payout_ledger WHERE seq = ?').get(seq) as
      | { seq: number; job_id: string; participant: string; hash: string; entry_json: string }
      | undefined;
    return r && { seq: r.seq, jobId: r.job_id, participant: r.participant, hash: r.hash, line: r.entry_json };
  }

  async addLedgerCosignature(seq: number, participant: string, json: string): Promise<void> {
    this.db
      .prepare(
        'INSERT OR IGNORE INTO payout_ledger_cosignature (seq, participant, received_at, cosignature_json) ' +
          'VALUES (?, ?, ?, ?)',
      )
      .run(seq, participant, Date.now(), json);
  }

  async ledgerCosignatures(): Promise<string[]> {
    const rows = this.db
      .prepare('SELECT cosignature_json FROM payout_ledger_cosignature ORDER BY seq, participant')
      .all() as { cosignature_json: string }[];
    return rows.map((r) => r.cosignature_json);
  }

  async acquireJobLeases(holder: string, ttlMs: number, limit: number, now?: number): Promise<JobLease[]> {
    return this.leases.acquire(holder, ttlMs, limit, now);
  }

  async renewJobLeases(holder: string, jobIds: readonly string[], ttlMs: number, now?: number): Promise<string[]> {
    return this.leases.renew(holder, jobIds, ttlMs, now);
  }

  async releaseJobLease(jobId: string, holder: string): Promise<void> {
    this.leases.release(jobId, holder);
  }

  async jobLease(jobId: string): Promise<JobLease | undefined> {
    return this.leases.get(jobId);
  }

  async registerReplica(id: string, address: string, now?: number): Promise<void> {
    this.replicas.register(id, address, now);
  }

  async heartbeatReplica(id: string, now?: number): Promise<void> {
    this.replicas.heartbeat(id, now);
  }

  async liveReplicas(since: number): Promise<ReplicaRecord[]> {
    return this.replicas.live(since);
  }

  async removeReplica(id: string): Promise<void> {
    this.replicas.remove(id);
  }

  async replicaSecret(): Promise<Uint8Array> {
    return this.replicas.secret();
  }

  async addProduct(product: ProductRecord): Promise<void> {
    this.sales.addProduct(product);
  }

  async getProduct(id: string): Promise<ProductRecord | undefined> {
    return this.sales.product(id);
  }

  async listProducts(owner?: string): Promise<ProductRecord[]> {
    return this.sales.products(owner);
  }

  async getSale(id: string): Promise<SaleRecord | undefined> {
    return this.sales.sale(id);
  }

  async listSales(filter?: SalesFilter): Promise<SaleRecord[]> {
    return this.sales.sales(filter);
  }

  async addConsoleLogin(tokenHash: string, login: ConsoleLogin, now?: number): Promise<void> {
    this.consoleLogins.add(tokenHash, login, now);
  }

  async takeConsoleLogin(tokenHash: string, now?: number): Promise<ConsoleLogin | undefined> {
    return this.consoleLogins.take(tokenHash, now);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
