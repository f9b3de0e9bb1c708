import type Database from 'better-sqlite3';
import { CHAIN_GENESIS, type ChainValue, hashChain, sha256Hex } from '@tessera/crypto';

// The participant's hash-chained audit log: its entry format, the chain hash (in each format version), and
// appending, reading and verifying the chain in the ledger's SQLite file (table audit_log).

/**
 * How an entry's hash is computed (the audit_log row's format_version). 1: auditHash, SHA-256 over prev_hash and the
 * canonical JSON of the id and fields (rows written before version 2). 2: the shared hash chain of @tessera/crypto
 * under AUDIT_CHAIN's tag, over the fields in AUDIT_FIELD_ORDER as stored (JSON-parsed).
 */
export type AuditVersion = 1 | 2;

/** The version appendAuditEntry writes. A log may move from version 1 to 2 at any entry, never back. */
export const AUDIT_VERSION: AuditVersion = 2;

/** The version 2 chain: link(id, prev_hash, the fields in AUDIT_FIELD_ORDER). */
export const AUDIT_CHAIN = hashChain('tessera/audit-log/v2');

/** What an audit log entry records (the chain hashes these fields, canonically, with the entry's id). */
export interface AuditFields {
  /**
   * use: data was read; refusal: a task was refused; revocation: the owner revoked a grant; sale: the node answered a
   * sale of a product built from its data (accepted or refused: see sales/sale-audit.ts); receipt: a payout or refund
   * of a sale was kept.
   */
  kind: 'use' | 'refusal' | 'revocation' | 'sale' | 'receipt';
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

/**
 * An entry that records only its kind, time and `fields`, every other field empty: a revocation, or the stand-in
 * for a row that no longer parses.
 */
export function blankAuditFields(
  kind: AuditFields['kind'],
  at: number,
  fields: Partial<Omit<AuditFields, 'kind' | 'at'>>,
): AuditFields {
  return {
    kind,
    at,
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
    reason: '',
    ...fields,
  };
}

export interface AuditEntry extends AuditFields {
  id: number;
  formatVersion: AuditVersion;
  prevHash: string;
  hash: string;
}

/** The chain recomputed; formatVersion is the newest entry's (absent for an empty log). */
export type ChainVerification =
  | { ok: true; entries: number; head: string; formatVersion?: AuditVersion }
  | { ok: false; entries: number; badId: number; problem: string };

/** The prev_hash of the first audit entry. */
export const GENESIS_HASH = CHAIN_GENESIS;

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

/** The version 1 hash: SHA-256(prev_hash || canonical JSON of the entry's id and fields), hex. */
export function auditHash(prevHash: string, id: number, fields: AuditFields): string {
  return sha256Hex(prevHash + canonicalJson({ ...fields, id }));
}

/** Every field's type in a stored version 2 entry ('strings': a list of strings); `satisfies` keeps it complete. */
const FIELD_TYPES = {
  kind: 'string',
  at: 'number',
  jobId: 'string',
  round: 'number',
  stage: 'string',
  purpose: 'string',
  dataset: 'string',
  columns: 'strings',
  rows: 'number',
  epsilon: 'number',
  analyst: 'string',
  grantId: 'string',
  reason: 'string',
} as const satisfies Record<keyof AuditFields, 'string' | 'number' | 'strings'>;

/** The order in which version 2 hashes the fields (FIELD_TYPES' keys, as written). */
export const AUDIT_FIELD_ORDER = Object.keys(FIELD_TYPES) as readonly (keyof AuditFields)[];

/**
 * A stored version 2 entry's fields in hashing order, or undefined unless it has exactly the fields, each of its type.
 * Numbers may be null: JSON's form of a number that is not finite (what canonicalJson stored).
 */
function v2Values(stored: unknown): ChainValue[] | undefined {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return undefined;
  const o = stored as Record<string, unknown>;
  if (Object.keys(o).length !== AUDIT_FIELD_ORDER.length) return undefined;
  const values: ChainValue[] = [];
  for (const field of AUDIT_FIELD_ORDER) {
    const v = o[field];
    const type = FIELD_TYPES[field];
    const ok =
      type === 'string'
        ? typeof v === 'string'
        : type === 'number'
          ? typeof v === 'number' || v === null
          : Array.isArray(v) && v.every((c) => typeof c === 'string');
    if (!ok) return undefined;
    values.push(v as ChainValue);
  }
  return values;
}

/**
 * The hash of a stored entry (its JSON parsed) in format `version`, or undefined when it cannot be an entry of that
 * format (version 2 fields missing, extra or of the wrong type; an id the chain cannot encode).
 */
function storedHash(version: AuditVersion, prevHash: string, id: number, stored: unknown): string | undefined {
  if (version === 1) return auditHash(prevHash, id, stored as AuditFields);
  const values = v2Values(stored);
  if (!values || !Number.isSafeInteger(id) || id < 0) return undefined;
  return AUDIT_CHAIN.link(id, prevHash, values);
}

/** Appends an entry to the chain; the caller holds a write transaction (so ids and prev_hash cannot race). */
export function appendAuditEntry(db: Database.Database, fields: AuditFields): AuditEntry {
  const last = db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as
    | { id: number; hash: string }
    | undefined;
  const id = (last?.id ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const entry: AuditFields = { ...fields, columns: [...fields.columns] };
  const json = canonicalJson(entry);
  // Hashed as stored, so that verifying the row recomputes exactly this (JSON has no Infinity, NaN or -0).
  const hash = storedHash(AUDIT_VERSION, prevHash, id, JSON.parse(json));
  if (hash === undefined) throw new RangeError(`audit entry ${id} is not an audit entry: ${json.slice(0, 80)}`);
  db.prepare('INSERT INTO audit_log (id, entry_json, prev_hash, hash, format_version) VALUES (?, ?, ?, ?, ?)').run(
    id,
    json,
    prevHash,
    hash,
    AUDIT_VERSION,
  );
  return { ...entry, id, formatVersion: AUDIT_VERSION, prevHash, hash };
}

interface AuditRow {
  id: number;
  entry_json: string;
  prev_hash: string;
  hash: string;
  /** 1 in rows written before format versions (the column's default). */
  format_version: number;
}

const auditRows = (db: Database.Database): AuditRow[] =>
  db.prepare('SELECT id, entry_json, prev_hash, hash, format_version FROM audit_log ORDER BY id').all() as AuditRow[];

/** The audit log, oldest first (as stored: `verifyAudit` says whether it is intact). */
export function readAuditLog(db: Database.Database): AuditEntry[] {
  return auditRows(db).map((r) => {
    let fields: AuditFields;
    try {
      fields = JSON.parse(r.entry_json) as AuditFields;
    } catch {
      fields = blankAuditFields('use', 0, { reason: `(unreadable entry: ${r.entry_json.slice(0, 40)})` });
    }
    // An unknown format_version is shown as stored (cast): verifyAudit names the row.
    const formatVersion = r.format_version as AuditVersion;
    return { ...fields, id: r.id, formatVersion, prevHash: r.prev_hash, hash: r.hash };
  });
}

/**
 * Recomputes the chain: each entry's prev_hash must be the previous entry's hash (the genesis
 * hash for the first) and its hash must match its id and contents in its format version (which
 * never goes back to an older one). Names the first bad entry.
 * Deleting the last entries cannot be detected without an anchor: compare `head` with a value
 * noted earlier.
 */
export function verifyAuditChain(db: Database.Database): ChainVerification {
  const rows = auditRows(db);
  let prev = GENESIS_HASH;
  let prevId = 0;
  let formatVersion: AuditVersion | undefined;
  for (const r of rows) {
    const fail = (problem: string): ChainVerification => ({ ok: false, entries: rows.length, badId: r.id, problem });
    if (r.prev_hash !== prev) {
      return fail(
        prevId === 0
          ? `its prev_hash is not the genesis hash: an entry before it was deleted, or it was inserted`
          : `its prev_hash does not match the hash of entry ${prevId}: an entry between them was deleted or ` +
              `inserted, or entry ${prevId} was replaced`,
      );
    }
    const version = r.format_version;
    if (version !== 1 && version !== 2) return fail(`its format_version ${version} is unknown: the row was edited`);
    if (formatVersion !== undefined && version < formatVersion)
      return fail(
        `its format version ${version} follows version ${formatVersion}: the row was edited or inserted ` +
          '(a log never goes back to an older format)',
      );
    let fields: unknown;
    try {
      fields = JSON.parse(r.entry_json);
    } catch {
      return fail('its contents are not valid JSON: the row was edited');
    }
    if (storedHash(version, r.prev_hash, r.id, fields) !== r.hash)
      return fail('its hash does not match its id and contents: the row was edited (or inserted)');
    prev = r.hash;
    prevId = r.id;
    formatVersion = version;
  }
  return { ok: true, entries: rows.length, head: prev, ...(formatVersion === undefined ? {} : { formatVersion }) };
}
