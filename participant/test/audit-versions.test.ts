import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashChain } from '@tessera/crypto';
import {
  AUDIT_CHAIN,
  AUDIT_FIELD_ORDER,
  canonicalJson,
  GENESIS_HASH,
  PrivacyLedger,
  type AuditFields,
} from '../src/index.js';

// Format versions of the audit log: rows written before version 2 (format 1: SHA-256 over prev_hash and canonical
// JSON) must keep verifying after the ledger is migrated; new rows are written in format 2 (the shared hash chain).

const dir = mkdtempSync(join(tmpdir(), 'tessera-audit-versions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// audit_log rows written by the code before version 2 (commit d564942): uses, a refusal and a revocation.
interface Row {
  id: number;
  entry_json: string;
  prev_hash: string;
  hash: string;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/audit-log-v1.json', import.meta.url), 'utf8')) as {
  rows: Row[];
};
const V1_HEAD = '09cb0e6294b525d7663e5e02682b9f0bc822d13f4cdbfd52376e3011b86b31c4';

let files = 0;
/** A ledger file as the previous release left it (schema version 3) with the fixture's audit log; returns its path. */
function oldLedger(): string {
  const path = join(dir, `old-${++files}.sqlite`);
  const db = new Database(path);
  // Only audit_log matters here, and payout_receipt, which a later migration alters; their columns are migration 2's.
  db.exec(`CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (3);
    CREATE TABLE audit_log (id INTEGER PRIMARY KEY, entry_json TEXT NOT NULL, prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL);
    CREATE TABLE payout_receipt (id INTEGER PRIMARY KEY, received_at REAL NOT NULL, entry_json TEXT NOT NULL,
      coordinator_key TEXT NOT NULL DEFAULT '');`);
  const insert = db.prepare('INSERT INTO audit_log (id, entry_json, prev_hash, hash) VALUES (?, ?, ?, ?)');
  for (const r of fixture.rows) insert.run(r.id, r.entry_json, r.prev_hash, r.hash);
  db.close();
  return path;
}
const withLedger = <T>(path: string, f: (ledger: PrivacyLedger) => T): T => {
  const ledger = new PrivacyLedger(path);
  try {
    return f(ledger);
  } finally {
    ledger.close();
  }
};
const verify = (path: string) => withLedger(path, (l) => l.verifyAudit());
const sql = (path: string, f: (db: Database.Database) => void) => {
  const db = new Database(path);
  f(db);
  db.close();
};

const entry: AuditFields = {
  kind: 'use',
  at: 1_790_000_009_000,
  jobId: 'job-3',
  round: 2,
  stage: 'query',
  purpose: 'analytics',
  dataset: 'customers',
  columns: ['spend'],
  rows: 12,
  epsilon: 0.5,
  analyst: 'cd'.repeat(32),
  grantId: 'acme-analytics',
  reason: '',
};

/** The old ledger with two entries appended by this version; returns its path. */
function mixedLedger(): string {
  const path = oldLedger();
  withLedger(path, (l) => {
    l.appendAudit(entry);
    l.appendAudit({ ...entry, round: 3, rows: 13 });
  });
  return path;
}

describe('audit log format versions', () => {
  it('verifies a log written before version 2, after migrating the ledger', () => {
    const path = oldLedger();
    expect(verify(path)).toEqual({ ok: true, entries: 5, head: V1_HEAD, formatVersion: 1 });
    const log = withLedger(path, (l) => l.auditLog());
    expect(log.map((e) => e.formatVersion)).toEqual([1, 1, 1, 1, 1]);
    expect(log[0].prevHash).toBe(GENESIS_HASH);
    expect(log[3]).toMatchObject({ kind: 'revocation', grantId: 'acme-train', reason: 'owner revoked it' });
    sql(path, (db) => expect(db.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: 9 }]));
  });

  it('detects tampering with a version 1 row', () => {
    const edited = oldLedger();
    sql(edited, (db) =>
      db
        .prepare('UPDATE audit_log SET entry_json = replace(entry_json, \'"rows":102\', \'"rows":2\') WHERE id = 2')
        .run(),
    );
    expect(verify(edited)).toMatchObject({
      ok: false,
      badId: 2,
      problem: expect.stringMatching(/hash does not match/),
    });
    // Relabelled as format 2, a version 1 row no longer matches its hash.
    const relabelled = oldLedger();
    withLedger(relabelled, () => undefined); // migrated: format_version exists, 1 in every row
    sql(relabelled, (db) => db.prepare('UPDATE audit_log SET format_version = 2 WHERE id = 5').run());
    expect(verify(relabelled)).toMatchObject({ ok: false, badId: 5, problem: expect.stringMatching(/hash does not/) });
  });

  it('continues a version 1 log in version 2, chained to its head', () => {
    const path = mixedLedger();
    const log = withLedger(path, (l) => l.auditLog());
    expect(log.map((e) => [e.id, e.formatVersion])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 1],
      [6, 2],
      [7, 2],
    ]);
    expect(log[5].prevHash).toBe(V1_HEAD);
    expect(log[5].hash).toBe(
      AUDIT_CHAIN.link(
        6,
        V1_HEAD,
        AUDIT_FIELD_ORDER.map((k) => entry[k]),
      ),
    );
    expect(verify(path)).toEqual({ ok: true, entries: 7, head: log[6].hash, formatVersion: 2 });
  });

  it('detects tampering with a version 2 row, including its format_version', () => {
    const edits: [string, string][] = [
      ['rows', `UPDATE audit_log SET entry_json = replace(entry_json, '"rows":12', '"rows":1') WHERE id = 6`],
      ['a column', `UPDATE audit_log SET entry_json = replace(entry_json, '"spend"', '"email"') WHERE id = 6`],
      ['an extra field', `UPDATE audit_log SET entry_json = replace(entry_json, '{', '{"note":"x",') WHERE id = 6`],
      ['a missing field', `UPDATE audit_log SET entry_json = replace(entry_json, '"reason":"",', '') WHERE id = 6`],
      ['a type', `UPDATE audit_log SET entry_json = replace(entry_json, '"rows":12', '"rows":"12"') WHERE id = 6`],
    ];
    for (const [what, update] of edits) {
      const path = mixedLedger();
      sql(path, (db) => expect(db.prepare(update).run().changes, what).toBe(1));
      expect(verify(path), what).toMatchObject({
        ok: false,
        badId: 6,
        problem: expect.stringMatching(/hash does not/),
      });
    }
    const downgraded = mixedLedger();
    sql(downgraded, (db) => db.prepare('UPDATE audit_log SET format_version = 1 WHERE id = 7').run());
    expect(verify(downgraded)).toMatchObject({
      ok: false,
      badId: 7,
      problem:
        'its format version 1 follows version 2: the row was edited or inserted ' +
        '(a log never goes back to an older format)',
    });
    const unknown = mixedLedger();
    sql(unknown, (db) => db.prepare('UPDATE audit_log SET format_version = 3 WHERE id = 6').run());
    expect(verify(unknown)).toMatchObject({ ok: false, badId: 6, problem: expect.stringMatching(/format_version 3/) });
  });

  it('does not accept a row hashed under another domain', () => {
    const path = mixedLedger();
    const payouts = hashChain('tessera/payout-ledger/v2');
    sql(path, (db) => {
      const row = db.prepare('SELECT entry_json, prev_hash FROM audit_log WHERE id = 7').get() as Row;
      const fields = JSON.parse(row.entry_json) as AuditFields;
      const foreign = payouts.link(
        7,
        row.prev_hash,
        AUDIT_FIELD_ORDER.map((k) => fields[k]),
      );
      expect(foreign).not.toBe(
        AUDIT_CHAIN.link(
          7,
          row.prev_hash,
          AUDIT_FIELD_ORDER.map((k) => fields[k]),
        ),
      );
      db.prepare('UPDATE audit_log SET hash = ? WHERE id = 7').run(foreign);
    });
    expect(verify(path)).toMatchObject({ ok: false, badId: 7, problem: expect.stringMatching(/hash does not/) });
  });

  it('hashes an entry as stored, so a number JSON cannot hold still verifies', () => {
    const path = join(dir, 'infinite.sqlite');
    withLedger(path, (l) => {
      const e = l.appendAudit({ ...entry, epsilon: Number.POSITIVE_INFINITY });
      expect(JSON.parse(canonicalJson(e)).epsilon).toBeNull();
      expect(l.auditLog()[0].epsilon).toBeNull();
      expect(l.verifyAudit()).toMatchObject({ ok: true, entries: 1, formatVersion: 2 });
    });
  });
});
