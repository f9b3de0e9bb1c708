import type Database from 'better-sqlite3';
import { sha256Hex } from '@tessera/crypto';

// The participant's hash-chained audit log: its entry format, the chain hash, and appending,
// reading and verifying the chain in the ledger's SQLite file (table audit_log).

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

/** Appends an entry to the chain; the caller holds a write transaction (so ids and prev_hash cannot race). */
export function appendAuditEntry(db: Database.Database, fields: AuditFields): AuditEntry {
  const last = db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as
    | { id: number; hash: string }
    | undefined;
  const id = (last?.id ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const entry: AuditFields = { ...fields, columns: [...fields.columns] };
  const hash = auditHash(prevHash, id, entry);
  db.prepare('INSERT INTO audit_log (id, entry_json, prev_hash, hash) VALUES (?, ?, ?, ?)').run(
    id,
    canonicalJson(entry),
    prevHash,
    hash,
  );
  return { ...entry, id, prevHash, hash };
}

/** The audit log, oldest first (as stored: `verifyAudit` says whether it is intact). */
export function readAuditLog(db: Database.Database): AuditEntry[] {
  const rows = db.prepare('SELECT id, entry_json, prev_hash, hash FROM audit_log ORDER BY id').all() as {
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
export function verifyAuditChain(db: Database.Database): ChainVerification {
  const rows = db.prepare('SELECT id, entry_json, prev_hash, hash FROM audit_log ORDER BY id').all() as {
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
