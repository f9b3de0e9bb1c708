import Database from 'better-sqlite3';
import { makePrivateDatabaseFile } from '@tessera/crypto';
import { migrate, VERSION_ROW, type Migration } from '@tessera/data';
import {
  appendAuditEntry,
  blankAuditFields,
  readAuditLog,
  verifyAuditChain,
  type AuditEntry,
  type AuditFields,
  type ChainVerification,
} from './audit-chain.js';

/** One use of a local data set: which job read it, at which stage, how many rows. */
export interface DataUse {
  at: number;
  dataset: string;
  jobId: string;
  stage: string;
  round: number;
  rows: number;
}

/** One privacy charge: the RDP curve (over the ledger's orders) of one noisy release. */
export interface PrivacyCharge {
  at: number;
  dataset: string;
  jobId: string;
  round: number;
  attempt: number;
  unit: string;
  noiseMultiplier: number;
  sampleRate: number;
  rdp: number[];
  /** The consent grant the release was admitted under (absent without a consent policy). */
  grantId?: string;
  /**
   * An (epsilon, delta) guarantee of this release on its own, when its noise was calibrated to one
   * directly (a single query, by the analytic Gaussian): composed by basic composition as an
   * alternative to the RDP curve (see composedEpsilon).
   */
  approx?: { epsilon: number; delta: number };
}

/** One admitted audience-overlap run: when, on which data set, in which job, with which peer, at which epsilon. */
export interface OverlapRun {
  at: number;
  dataset: string;
  jobId: string;
  peerId: string;
  epsilon: number;
}

/**
 * A peer's identity key as this node pinned it: on first use, certified by the roster authority, or named by the
 * owner (config overlap.peerKeys).
 */
export interface PinnedPeerKey {
  participantId: string;
  /** Hex. */
  identityKey: string;
  at: number;
  /** The job whose task first carried this key. */
  jobId: string;
  source: 'first-use' | 'roster' | 'owner';
}

/** The cohort of the first exact single release of a signed spec at this node (exact-cohort.ts). */
export interface SpecCohort {
  specHash: string;
  stage: number;
  round: number;
  /** The sorted participant ids (JSON) of a query's secure round, or a score's attempt. */
  cohort: string;
  jobId: string;
  at: number;
}

/** This node's part of a vertical model, kept in its ledger. */
export interface VerticalModelRecord {
  jobId: string;
  role: 'guest' | 'host';
  dataset: string;
  peerId: string;
  modelJson: string;
  at: number;
}

/** A consent grant revoked by the node's owner (`tessera participant revoke`). */
export interface GrantRevocation {
  grantId: string;
  at: number;
  reason: string;
}

/** The ledger's schema, recorded as a single row in schema_version. Never edit a released one: add the next. */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'data uses and privacy charges',
    // The text as released, byte for byte (its line breaks and indentation included), in pieces of 120 columns.
    sql:
      'CREATE TABLE data_use (id INTEGER PRIMARY KEY, at REAL NOT NULL, dataset TEXT NOT NULL, job_id TEXT NOT NULL, ' +
      'stage TEXT NOT NULL, round INTEGER NOT NULL, rows INTEGER NOT NULL);\n' +
      '   CREATE TABLE privacy_charge (id INTEGER PRIMARY KEY, at REAL NOT NULL, dataset TEXT NOT NULL, ' +
      'job_id TEXT NOT NULL, round INTEGER NOT NULL, attempt INTEGER NOT NULL,\n' +
      '     unit TEXT NOT NULL, noise_multiplier REAL NOT NULL, sample_rate REAL NOT NULL, rdp_json TEXT NOT NULL);\n' +
      '   CREATE INDEX privacy_charge_dataset ON privacy_charge(dataset);',
  },
  {
    version: 2,
    name: 'consent grants, revocations, audit log, payout receipts',
    sql:
      'ALTER TABLE privacy_charge ADD COLUMN grant_id TEXT;\n' +
      '   CREATE INDEX privacy_charge_grant ON privacy_charge(grant_id);\n' +
      '   CREATE TABLE grant_revocation (id INTEGER PRIMARY KEY, at REAL NOT NULL, grant_id TEXT NOT NULL, ' +
      'reason TEXT NOT NULL);\n' +
      '   CREATE TABLE audit_log (id INTEGER PRIMARY KEY, entry_json TEXT NOT NULL, prev_hash TEXT NOT NULL, ' +
      'hash TEXT NOT NULL);\n' +
      '   CREATE TABLE payout_receipt (id INTEGER PRIMARY KEY, received_at REAL NOT NULL, entry_json TEXT NOT NULL, ' +
      "coordinator_key TEXT NOT NULL DEFAULT '');",
  },
  {
    version: 3,
    name: 'approximate (epsilon, delta) charges',
    sql: `ALTER TABLE privacy_charge ADD COLUMN approx_epsilon REAL;
   ALTER TABLE privacy_charge ADD COLUMN approx_delta REAL;`,
  },
  {
    version: 4,
    name: 'audit log format versions',
    // Rows already written keep format 1 (their hash); new ones are written in format 2 (see audit-chain.ts).
    sql: 'ALTER TABLE audit_log ADD COLUMN format_version INTEGER NOT NULL DEFAULT 1;',
  },
  {
    version: 5,
    name: 'payout receipt heads and cosignatures',
    // The signed ledger head a receipt carried and this node's cosignature over it (payout-receipt.ts).
    sql: `ALTER TABLE payout_receipt ADD COLUMN head_json TEXT;
   ALTER TABLE payout_receipt ADD COLUMN cosignature_json TEXT;`,
  },
  {
    version: 6,
    name: 'signed job specs tied to the job that first ran them',
    // The hash of an analyst's signed spec and the job id of the first task admitted under it (spec-replay.ts).
    sql: 'CREATE TABLE spec_job (spec_hash TEXT PRIMARY KEY, job_id TEXT NOT NULL, at REAL NOT NULL);',
  },
  {
    version: 7,
    name: 'overlap runs and peer identity keys pinned on first use',
    // Each admitted overlap run (for overlap.maxRunsPerDay) and each overlap peer's identity key (overlap-runs.ts).
    sql:
      'CREATE TABLE overlap_run (id INTEGER PRIMARY KEY, at REAL NOT NULL, dataset TEXT NOT NULL, ' +
      'job_id TEXT NOT NULL, peer_id TEXT NOT NULL, epsilon REAL NOT NULL);\n' +
      '   CREATE INDEX overlap_run_at ON overlap_run(at);\n' +
      '   CREATE TABLE peer_key (participant_id TEXT PRIMARY KEY, identity_key TEXT NOT NULL, at REAL NOT NULL, ' +
      'job_id TEXT NOT NULL, source TEXT NOT NULL);',
  },
  {
    version: 8,
    name: 'cohorts of exact single releases of signed specs',
    // The cohort of the first exact release of a signed spec's stage and round at this node (exact-cohort.ts).
    sql:
      'CREATE TABLE spec_cohort (spec_hash TEXT NOT NULL, stage INTEGER NOT NULL, round INTEGER NOT NULL, ' +
      'cohort TEXT NOT NULL, job_id TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (spec_hash, stage, round));',
  },
  {
    version: 9,
    name: "this node's parts of vertical models",
    // Each party keeps its own part of a vertical model (a host's weights or split thresholds never leave it).
    sql:
      'CREATE TABLE vertical_model (job_id TEXT PRIMARY KEY, role TEXT NOT NULL, dataset TEXT NOT NULL, ' +
      'peer_id TEXT NOT NULL, model_json TEXT NOT NULL, at REAL NOT NULL);',
  },
];

/**
 * The participant's durable record of what its data was used for and what privacy it spent
 * (SQLite, one file per node). A charge is written before the data is read, so a crash can
 * only over-count.
 */
export class PrivacyLedger {
  private readonly db: Database.Database;

  constructor(readonly path: string) {
    // What the data was used for, and the audit log: readable by the node's owner only.
    makePrivateDatabaseFile(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    migrate(this.db, MIGRATIONS, {
      book: VERSION_ROW,
      tooNew: (current, known) =>
        `${path}: ledger version ${current} is newer than this software (${known}); upgrade tessera`,
    });
  }

  /**
   * Runs `fn` in one immediate SQLite transaction: a budget check and the charge it admits are
   * one step, so two tasks (or two nodes sharing a ledger file) cannot both pass the same check.
   * Nested calls join the outer transaction.
   */
  atomically<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    return this.db.transaction(fn).immediate();
  }

  recordUse(u: DataUse): void {
    this.db
      .prepare('INSERT INTO data_use (at, dataset, job_id, stage, round, rows) VALUES (?, ?, ?, ?, ?, ?)')
      .run(u.at, u.dataset, u.jobId, u.stage, u.round, u.rows);
  }

  charge(c: PrivacyCharge): void {
    this.db
      .prepare(
        'INSERT INTO privacy_charge (at, dataset, job_id, round, attempt, unit, noise_multiplier, sample_rate, ' +
          'rdp_json, grant_id, approx_epsilon, approx_delta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        c.at,
        c.dataset,
        c.jobId,
        c.round,
        c.attempt,
        c.unit,
        c.noiseMultiplier,
        c.sampleRate,
        JSON.stringify(c.rdp),
        c.grantId ?? null,
        c.approx?.epsilon ?? null,
        c.approx?.delta ?? null,
      );
  }

  /**
   * The composed RDP curve of the charges admitted under a consent grant (over every data set; of one job if given).
   */
  grantRdp(grantId: string, orders: number, jobId?: string): number[] {
    const rows = (
      jobId === undefined
        ? this.db.prepare('SELECT rdp_json FROM privacy_charge WHERE grant_id = ?').all(grantId)
        : this.db.prepare('SELECT rdp_json FROM privacy_charge WHERE grant_id = ? AND job_id = ?').all(grantId, jobId)
    ) as { rdp_json: string }[];
    const total = new Array<number>(orders).fill(0);
    for (const r of rows) {
      addCurve(total, JSON.parse(r.rdp_json) as number[], `grant ${grantId}`);
    }
    return total;
  }

  /**
   * Records that the owner revoked a grant (durable; a running node reads it before its next task). Keeps the first
   * revocation of a grant.
   */
  revokeGrant(r: GrantRevocation): GrantRevocation {
    return this.db
      .transaction(() => {
        const first = this.revocation(r.grantId);
        if (first) return first;
        this.db
          .prepare('INSERT INTO grant_revocation (at, grant_id, reason) VALUES (?, ?, ?)')
          .run(r.at, r.grantId, r.reason);
        appendAuditEntry(this.db, blankAuditFields('revocation', r.at, { grantId: r.grantId, reason: r.reason }));
        return r;
      })
      .immediate();
  }

  revocation(grantId: string): GrantRevocation | undefined {
    const row = this.db
      .prepare('SELECT at, grant_id, reason FROM grant_revocation WHERE grant_id = ? ORDER BY id LIMIT 1')
      .get(grantId) as { at: number; grant_id: string; reason: string } | undefined;
    return row ? { grantId: row.grant_id, at: row.at, reason: row.reason } : undefined;
  }

  /** Every revoked grant, with its first revocation. */
  revocations(): Map<string, GrantRevocation> {
    const rows = this.db.prepare('SELECT at, grant_id, reason FROM grant_revocation ORDER BY id').all() as {
      at: number;
      grant_id: string;
      reason: string;
    }[];
    const out = new Map<string, GrantRevocation>();
    for (const r of rows)
      if (!out.has(r.grant_id)) out.set(r.grant_id, { grantId: r.grant_id, at: r.at, reason: r.reason });
    return out;
  }

  /** Appends an entry to the hash-chained audit log (atomically with respect to other writers of the file). */
  appendAudit(fields: AuditFields): AuditEntry {
    return this.db.transaction(() => appendAuditEntry(this.db, fields)).immediate();
  }

  /**
   * The node's recorded answers to sale `saleId` (audit entries of kind `sale`, oldest first; sales/sale-audit.ts):
   * what a sale's receipt is checked against (sales/sale-receipt-check.ts).
   */
  saleAnswers(saleId: string): AuditFields[] {
    const rows = this.db
      .prepare(
        "SELECT entry_json FROM audit_log WHERE json_extract(entry_json, '$.kind') = 'sale' " +
          "AND json_extract(entry_json, '$.jobId') = ? ORDER BY id",
      )
      .all(saleId) as { entry_json: string }[];
    // A row that no longer parses is no answer (verifyAudit names it).
    return rows.flatMap((r) => {
      try {
        return [JSON.parse(r.entry_json) as AuditFields];
      } catch {
        return [];
      }
    });
  }

  /** The audit log, oldest first (as stored: `verifyAudit` says whether it is intact). */
  auditLog(): AuditEntry[] {
    return readAuditLog(this.db);
  }

  /** Recomputes the audit chain and names its first bad entry (see verifyAuditChain). */
  verifyAudit(): ChainVerification {
    return verifyAuditChain(this.db);
  }

  /**
   * Stores a payout receipt (its JSON as received; the caller verifies it), with the signed ledger head it carried
   * and this node's cosignature over that head (JSON) when there is one.
   */
  /** Keeps this node's part of a vertical job's model (replacing one kept for the same job). */
  storeVerticalModel(m: VerticalModelRecord): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO vertical_model (job_id, role, dataset, peer_id, model_json, at) ' +
          'VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(m.jobId, m.role, m.dataset, m.peerId, m.modelJson, m.at);
  }

  /** This node's part of a vertical job's model, if it took part and the job completed. */
  verticalModel(jobId: string): VerticalModelRecord | undefined {
    const r = this.db
      .prepare('SELECT job_id, role, dataset, peer_id, model_json, at FROM vertical_model WHERE job_id = ?')
      .get(jobId) as
      | { job_id: string; role: string; dataset: string; peer_id: string; model_json: string; at: number }
      | undefined;
    return r
      ? {
          jobId: r.job_id,
          role: r.role as 'guest' | 'host',
          dataset: r.dataset,
          peerId: r.peer_id,
          modelJson: r.model_json,
          at: r.at,
        }
      : undefined;
  }

  storeReceipt(
    entryJson: string,
    coordinatorKeyHex = '',
    extra: { headJson?: string; cosignatureJson?: string } = {},
  ): void {
    this.db
      .prepare(
        'INSERT INTO payout_receipt (received_at, entry_json, coordinator_key, head_json, cosignature_json) ' +
          'VALUES (?, ?, ?, ?, ?)',
      )
      .run(Date.now(), entryJson, coordinatorKeyHex, extra.headJson ?? null, extra.cosignatureJson ?? null);
  }

  /** Every stored receipt with its key, head and cosignature (absent from receipts without a head), oldest first. */
  storedReceipts(): { entryJson: string; coordinatorKey: string; headJson?: string; cosignatureJson?: string }[] {
    const rows = this.db
      .prepare('SELECT entry_json, coordinator_key, head_json, cosignature_json FROM payout_receipt ORDER BY id')
      .all() as {
      entry_json: string;
      coordinator_key: string;
      head_json: string | null;
      cosignature_json: string | null;
    }[];
    return rows.map((r) => ({
      entryJson: r.entry_json,
      coordinatorKey: r.coordinator_key,
      ...(r.head_json ? { headJson: r.head_json } : {}),
      ...(r.cosignature_json ? { cosignatureJson: r.cosignature_json } : {}),
    }));
  }

  /** The coordinator key of the first receipt this node kept (trusted from then on), if any. */
  firstReceiptKey(): string | undefined {
    const r = this.db
      .prepare("SELECT coordinator_key FROM payout_receipt WHERE coordinator_key != '' ORDER BY id LIMIT 1")
      .get() as { coordinator_key: string } | undefined;
    return r?.coordinator_key;
  }

  /** The job id a signed spec (by its hash, spec-replay.ts) was first admitted under, if any. */
  specJob(specHash: string): string | undefined {
    const r = this.db.prepare('SELECT job_id FROM spec_job WHERE spec_hash = ?').get(specHash) as
      | { job_id: string }
      | undefined;
    return r?.job_id;
  }

  /** Ties a signed spec (by its hash) to the job id of the first task admitted under it; later calls keep the first. */
  bindSpecJob(specHash: string, jobId: string, at: number): void {
    this.db.prepare('INSERT OR IGNORE INTO spec_job (spec_hash, job_id, at) VALUES (?, ?, ?)').run(specHash, jobId, at);
  }

  /** The first exact release of a signed spec's stage and round at this node, if any. */
  specCohort(specHash: string, stage: number, round: number): SpecCohort | undefined {
    const r = this.db
      .prepare('SELECT cohort, job_id, at FROM spec_cohort WHERE spec_hash = ? AND stage = ? AND round = ?')
      .get(specHash, stage, round) as { cohort: string; job_id: string; at: number } | undefined;
    return r ? { specHash, stage, round, cohort: r.cohort, jobId: r.job_id, at: r.at } : undefined;
  }

  /** Records the cohort of an exact single release; a later call for the same spec, stage and round keeps the first. */
  bindSpecCohort(c: SpecCohort): void {
    this.db
      .prepare(
        'INSERT OR IGNORE INTO spec_cohort (spec_hash, stage, round, cohort, job_id, at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(c.specHash, c.stage, c.round, c.cohort, c.jobId, c.at);
  }

  /** The times (ms) of the overlap runs this node was admitted to strictly after `after`, oldest first. */
  overlapRunsAfter(after: number): number[] {
    return (this.db.prepare('SELECT at FROM overlap_run WHERE at > ? ORDER BY at').all(after) as { at: number }[]).map(
      (r) => r.at,
    );
  }

  /** Records an admitted overlap run (inside the admission's transaction: a refused task leaves no row). */
  recordOverlapRun(r: OverlapRun): void {
    this.db
      .prepare('INSERT INTO overlap_run (at, dataset, job_id, peer_id, epsilon) VALUES (?, ?, ?, ?, ?)')
      .run(r.at, r.dataset, r.jobId, r.peerId, r.epsilon);
  }

  /** The identity key this node pinned for a participant, if any. */
  pinnedPeerKey(participantId: string): PinnedPeerKey | undefined {
    const r = this.db
      .prepare('SELECT participant_id, identity_key, at, job_id, source FROM peer_key WHERE participant_id = ?')
      .get(participantId) as
      | { participant_id: string; identity_key: string; at: number; job_id: string; source: string }
      | undefined;
    return r
      ? {
          participantId: r.participant_id,
          identityKey: r.identity_key,
          at: r.at,
          jobId: r.job_id,
          source: r.source as PinnedPeerKey['source'],
        }
      : undefined;
  }

  /** Pins (or, certified or vouched for by the owner, re-pins) a participant's identity key. */
  pinPeerKey(p: PinnedPeerKey): void {
    this.db
      .prepare(
        'INSERT INTO peer_key (participant_id, identity_key, at, job_id, source) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT(participant_id) DO UPDATE SET identity_key = excluded.identity_key, at = excluded.at, ' +
          'job_id = excluded.job_id, source = excluded.source',
      )
      .run(p.participantId, p.identityKey, p.at, p.jobId, p.source);
  }

  /** Every stored payout receipt's JSON, oldest first. */
  receipts(): string[] {
    return (this.db.prepare('SELECT entry_json FROM payout_receipt ORDER BY id').all() as { entry_json: string }[]).map(
      (r) => r.entry_json,
    );
  }

  uses(dataset?: string): DataUse[] {
    const rows = (
      dataset
        ? this.db.prepare('SELECT * FROM data_use WHERE dataset = ? ORDER BY id').all(dataset)
        : this.db.prepare('SELECT * FROM data_use ORDER BY id').all()
    ) as { at: number; dataset: string; job_id: string; stage: string; round: number; rows: number }[];
    return rows.map((r) => ({
      at: r.at,
      dataset: r.dataset,
      jobId: r.job_id,
      stage: r.stage,
      round: r.round,
      rows: r.rows,
    }));
  }

  charges(dataset?: string): PrivacyCharge[] {
    const rows = (
      dataset
        ? this.db.prepare('SELECT * FROM privacy_charge WHERE dataset = ? ORDER BY id').all(dataset)
        : this.db.prepare('SELECT * FROM privacy_charge ORDER BY id').all()
    ) as {
      at: number;
      dataset: string;
      job_id: string;
      round: number;
      attempt: number;
      unit: string;
      noise_multiplier: number;
      sample_rate: number;
      rdp_json: string;
      grant_id: string | null;
      approx_epsilon: number | null;
      approx_delta: number | null;
    }[];
    return rows.map((r) => ({
      at: r.at,
      dataset: r.dataset,
      jobId: r.job_id,
      round: r.round,
      attempt: r.attempt,
      unit: r.unit,
      noiseMultiplier: r.noise_multiplier,
      sampleRate: r.sample_rate,
      rdp: JSON.parse(r.rdp_json) as number[],
      ...(r.grant_id !== null ? { grantId: r.grant_id } : {}),
      ...(r.approx_epsilon !== null && r.approx_delta !== null
        ? { approx: { epsilon: r.approx_epsilon, delta: r.approx_delta } }
        : {}),
    }));
  }

  /**
   * The (epsilon, delta) guarantees of every charge against a data set, or undefined if one has none (see
   * PrivacyCharge.approx).
   */
  spentApprox(dataset: string): { epsilon: number; delta: number }[] | undefined {
    const out: { epsilon: number; delta: number }[] = [];
    for (const c of this.charges(dataset)) {
      if (!c.approx) return undefined;
      out.push(c.approx);
    }
    return out;
  }

  /** The composed RDP curve of every charge against a data set (sums over charges, order by order). */
  spentRdp(dataset: string, orders: number): number[] {
    const total = new Array<number>(orders).fill(0);
    for (const c of this.charges(dataset)) addCurve(total, c.rdp, `data set ${dataset}`);
    return total;
  }

  close(): void {
    this.db.close();
  }
}

/** Adds a charge's RDP curve to `total` order by order; a charge over fewer orders means a damaged ledger row. */
function addCurve(total: number[], rdp: readonly number[], against: string): void {
  total.forEach((t, i) => {
    const v = rdp[i];
    if (v === undefined) {
      throw new RangeError(`a privacy charge against ${against} has ${rdp.length} RDP orders, not ${total.length}`);
    }
    total[i] = t + v;
  });
}
