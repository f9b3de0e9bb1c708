import Database from 'better-sqlite3';
import { sha256Hex } from '@tessera/crypto';

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

/** A consent grant revoked by the node's owner (`tessera participant revoke`). */
export interface GrantRevocation {
  grantId: string;
  at: number;
  reason: string;
}

/** What an audit log entry records (the chain hashes these fields, canonically, with the entry's id). */
export interface AuditFields {
  /** use: data was read; refusal: a task was refused; revocation: the owner revoked a grant. */
  kind: 'use' | 'refusal' | 'revocation';
  at: number;
  jobId: string;
  round: number;
  stage: string;
  purpose: string;
  dataset: string;
  /** The data set's served columns (a use), else empty. */
  columns: string[];
  rows: number;
  /** Epsilon spent by this release (at the data set budget's delta, or 1e-5); 0 if none. */
  epsilon: number;
  /** Hex Ed25519 identity of the analyst ('' when the task carried none). */
  analyst: string;
  grantId: string;
  reason: string;
}

export interface AuditEntry extends AuditFields {
  id: number;
  prevHash: string;
  hash: string;
}

export type ChainVerification =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; badId: number; problem: string };

/** The prev_hash of the first audit entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level: the same fields always give the same bytes. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** hash = SHA-256(prev_hash || canonical JSON of the entry's id and fields), hex. */
export function auditHash(prevHash: string, id: number, fields: AuditFields): string {
  return sha256Hex(prevHash + canonicalJson({ ...fields, id }));
}

const MIGRATIONS = [
  `CREATE TABLE data_use (id INTEGER PRIMARY KEY, at REAL NOT NULL, dataset TEXT NOT NULL, job_id TEXT NOT NULL, stage TEXT NOT NULL, round INTEGER NOT NULL, rows INTEGER NOT NULL);
   CREATE TABLE privacy_charge (id INTEGER PRIMARY KEY, at REAL NOT NULL, dataset TEXT NOT NULL, job_id TEXT NOT NULL, round INTEGER NOT NULL, attempt INTEGER NOT NULL,
     unit TEXT NOT NULL, noise_multiplier REAL NOT NULL, sample_rate REAL NOT NULL, rdp_json TEXT NOT NULL);
   CREATE INDEX privacy_charge_dataset ON privacy_charge(dataset);`,
  `ALTER TABLE privacy_charge ADD COLUMN grant_id TEXT;
   CREATE INDEX privacy_charge_grant ON privacy_charge(grant_id);
   CREATE TABLE grant_revocation (id INTEGER PRIMARY KEY, at REAL NOT NULL, grant_id TEXT NOT NULL, reason TEXT NOT NULL);
   CREATE TABLE audit_log (id INTEGER PRIMARY KEY, entry_json TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
   CREATE TABLE payout_receipt (id INTEGER PRIMARY KEY, received_at REAL NOT NULL, entry_json TEXT NOT NULL, coordinator_key TEXT NOT NULL DEFAULT '');`,
  `ALTER TABLE privacy_charge ADD COLUMN approx_epsilon REAL;
   ALTER TABLE privacy_charge ADD COLUMN approx_delta REAL;`,
];

/**
 * The participant's durable record of what its data was used for and what privacy it spent
 * (SQLite, one file per node). A charge is written before the data is read, so a crash can
 * only over-count.
 */
export class PrivacyLedger {
  private readonly db: Database.Database;

  constructor(readonly path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = this.db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > MIGRATIONS.length)
      throw new Error(
        `${path}: ledger version ${current} is newer than this software (${MIGRATIONS.length}); upgrade tessera`,
      );
    this.db.transaction(() => {
      for (let v = current; v < MIGRATIONS.length; v++) this.db.exec(MIGRATIONS[v]);
      this.db.prepare('DELETE FROM schema_version').run();
      this.db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(MIGRATIONS.length);
    })();
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
        'INSERT INTO privacy_charge (at, dataset, job_id, round, attempt, unit, noise_multiplier, sample_rate, rdp_json, grant_id, approx_epsilon, approx_delta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
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
      const rdp = JSON.parse(r.rdp_json) as number[];
      for (let i = 0; i < orders; i++) total[i] += rdp[i];
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
        this.appendAuditInTx({
          kind: 'revocation',
          at: r.at,
          jobId: '',
          round: 0,
          stage: '',
          purpose: '',
          dataset: '',
          columns: [],
          rows: 0,
          epsilon: 0,
          analyst: '',
          grantId: r.grantId,
          reason: r.reason,
        });
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
    return this.db.transaction(() => this.appendAuditInTx(fields)).immediate();
  }

  private appendAuditInTx(fields: AuditFields): AuditEntry {
    const last = this.db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as
      | { id: number; hash: string }
      | undefined;
    const id = (last?.id ?? 0) + 1;
    const prevHash = last?.hash ?? GENESIS_HASH;
    const entry: AuditFields = { ...fields, columns: [...fields.columns] };
    const hash = auditHash(prevHash, id, entry);
    this.db
      .prepare('INSERT INTO audit_log (id, entry_json, prev_hash, hash) VALUES (?, ?, ?, ?)')
      .run(id, canonicalJson(entry), prevHash, hash);
    return { ...entry, id, prevHash, hash };
  }

  /** The audit log, oldest first (as stored: `verifyAudit` says whether it is intact). */
  auditLog(): AuditEntry[] {
    const rows = this.db.prepare('SELECT id, entry_json, prev_hash, hash FROM audit_log ORDER BY id').all() as {
      id: number;
      entry_json: string;
      prev_hash: string;
      hash: string;
    }[];
    return rows.map((r) => {
      let fields: AuditFields;
      try {
        fields = JSON.parse(r.entry_json) as AuditFields;
      } catch {
        fields = {
          kind: 'use',
          at: 0,
          jobId: '',
          round: 0,
          stage: '',
          purpose: '',
          dataset: '',
          columns: [],
          rows: 0,
          epsilon: 0,
          analyst: '',
          grantId: '',
          reason: `(unreadable entry: ${r.entry_json.slice(0, 40)})`,
        };
      }
      return { ...fields, id: r.id, prevHash: r.prev_hash, hash: r.hash };
    });
  }

  /**
   * Recomputes the chain: each entry's prev_hash must be the previous entry's hash (the genesis
   * hash for the first) and its hash must match its id and contents. Names the first bad entry.
   * Deleting the last entries cannot be detected without an anchor: compare `head` with a value
   * noted earlier.
   */
  verifyAudit(): ChainVerification {
    const rows = this.db.prepare('SELECT id, entry_json, prev_hash, hash FROM audit_log ORDER BY id').all() as {
      id: number;
      entry_json: string;
      prev_hash: string;
      hash: string;
    }[];
    let prev = GENESIS_HASH;
    let prevId = 0;
    for (const r of rows) {
      if (r.prev_hash !== prev) {
        return {
          ok: false,
          entries: rows.length,
          badId: r.id,
          problem:
            prevId === 0
              ? `its prev_hash is not the genesis hash: an entry before it was deleted, or it was inserted`
              : `its prev_hash does not match the hash of entry ${prevId}: an entry between them was deleted or inserted, or entry ${prevId} was replaced`,
        };
      }
      let fields: unknown;
      try {
        fields = JSON.parse(r.entry_json);
      } catch {
        return {
          ok: false,
          entries: rows.length,
          badId: r.id,
          problem: 'its contents are not valid JSON: the row was edited',
        };
      }
      if (auditHash(r.prev_hash, r.id, fields as AuditFields) !== r.hash) {
        return {
          ok: false,
          entries: rows.length,
          badId: r.id,
          problem: 'its hash does not match its id and contents: the row was edited (or inserted)',
        };
      }
      prev = r.hash;
      prevId = r.id;
    }
    return { ok: true, entries: rows.length, head: prev };
  }

  /** Stores a payout receipt (its JSON as received; the caller verifies it). */
  storeReceipt(entryJson: string, coordinatorKeyHex = ''): void {
    this.db
      .prepare('INSERT INTO payout_receipt (received_at, entry_json, coordinator_key) VALUES (?, ?, ?)')
      .run(Date.now(), entryJson, coordinatorKeyHex);
  }

  /** The coordinator key of the first receipt this node kept (trusted from then on), if any. */
  firstReceiptKey(): string | undefined {
    const r = this.db
      .prepare("SELECT coordinator_key FROM payout_receipt WHERE coordinator_key != '' ORDER BY id LIMIT 1")
      .get() as { coordinator_key: string } | undefined;
    return r?.coordinator_key;
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
    for (const c of this.charges(dataset)) for (let i = 0; i < orders; i++) total[i] += c.rdp[i];
    return total;
  }

  close(): void {
    this.db.close();
  }
}
