import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '@tessera/crypto';
import {
  AUDIT_CHAIN,
  AUDIT_FIELD_ORDER,
  canonicalJson,
  GENESIS_HASH,
  PrivacyLedger,
  type AuditFields,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (i: number): AuditFields => ({
  kind: i % 3 === 2 ? 'refusal' : 'use',
  at: 1_790_000_000_000 + i * 1000,
  jobId: `job-${i}`,
  round: i,
  stage: 'fit',
  purpose: 'train',
  dataset: 'customers',
  columns: i % 3 === 2 ? [] : ['age', 'spend'],
  rows: i % 3 === 2 ? 0 : 100 + i,
  epsilon: i % 3 === 2 ? 0 : 0.125,
  analyst: 'ab'.repeat(32),
  grantId: 'acme-train',
  reason: i % 3 === 2 ? 'consent: grant "acme-train" was revoked at 2026-11-22T08:01:02Z' : '',
});

/** A ledger file with five chained entries; returns its path. */
function ledgerWithFive(name: string): string {
  const path = join(dir, `${name}.sqlite`);
  const ledger = new PrivacyLedger(path);
  for (let i = 1; i <= 5; i++) ledger.appendAudit(entry(i));
  ledger.close();
  return path;
}
const verify = (path: string) => {
  const ledger = new PrivacyLedger(path);
  try {
    return ledger.verifyAudit();
  } finally {
    ledger.close();
  }
};
const sql = (path: string, f: (db: Database.Database) => void) => {
  const db = new Database(path);
  f(db);
  db.close();
};

describe('the hash-chained audit log', () => {
  it('chains every entry to the one before with the shared hash chain over id, prev_hash and the fields', () => {
    const path = ledgerWithFive('intact');
    const ledger = new PrivacyLedger(path);
    const log = ledger.auditLog();
    expect(log.map((e) => e.id)).toEqual([1, 2, 3, 4, 5]);
    expect(log[0].prevHash).toBe(GENESIS_HASH);
    expect(AUDIT_CHAIN.tag).toBe('tessera/audit-log/v2');
    for (const [i, e] of log.entries()) {
      const { id, formatVersion, prevHash, hash, ...fields } = e;
      expect(fields).toEqual(entry(i + 1));
      expect(formatVersion).toBe(2);
      const f = fields as AuditFields;
      const inOrder = [f.kind, f.at, f.jobId, f.round, f.stage, f.purpose, f.dataset, f.columns, f.rows, f.epsilon];
      expect(hash).toBe(AUDIT_CHAIN.link(id, prevHash, [...inOrder, f.analyst, f.grantId, f.reason]));
      if (i > 0) expect(prevHash).toBe(log[i - 1].hash);
    }
    expect(AUDIT_FIELD_ORDER).toEqual(Object.keys(entry(1)));
    expect(ledger.verifyAudit()).toEqual({ ok: true, entries: 5, head: log[4].hash, formatVersion: 2 });
    ledger.close();
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 'x' }] })).toBe('{"a":[{"c":"x","d":2}],"b":1}');
  });

  it('names the first bad entry when a row was edited, deleted or inserted', () => {
    const edited = ledgerWithFive('edited');
    sql(edited, (db) => {
      const row = db.prepare('SELECT entry_json FROM audit_log WHERE id = 3').get() as { entry_json: string };
      db.prepare('UPDATE audit_log SET entry_json = ? WHERE id = 3').run(
        row.entry_json.replace('"rows":103', '"rows":3'),
      );
    });
    expect(verify(edited)).toMatchObject({
      ok: false,
      badId: 3,
      problem: expect.stringMatching(/hash does not match its id and contents: the row was edited/),
    });

    const renumbered = ledgerWithFive('renumbered');
    sql(renumbered, (db) => db.prepare('UPDATE audit_log SET id = 9 WHERE id = 5').run());
    expect(verify(renumbered)).toMatchObject({ ok: false, badId: 9 });

    const deleted = ledgerWithFive('deleted');
    sql(deleted, (db) => db.prepare('DELETE FROM audit_log WHERE id = 2').run());
    expect(verify(deleted)).toMatchObject({
      ok: false,
      badId: 3,
      problem: expect.stringMatching(
        /prev_hash does not match the hash of entry 1: an entry between them was deleted or inserted/,
      ),
    });

    const firstDeleted = ledgerWithFive('first-deleted');
    sql(firstDeleted, (db) => db.prepare('DELETE FROM audit_log WHERE id = 1').run());
    expect(verify(firstDeleted)).toMatchObject({
      ok: false,
      badId: 2,
      problem: expect.stringMatching(/not the genesis hash/),
    });

    // Inserted in a gap with a plausible (copied) prev_hash and a recomputed hash: the next entry no longer chains to
    // it.
    const inserted = ledgerWithFive('inserted');
    const forged = { ...entry(9), rows: 0 };
    sql(inserted, (db) => {
      db.prepare('UPDATE audit_log SET id = id + 10 WHERE id >= 4').run();
      const prev = db.prepare('SELECT hash FROM audit_log WHERE id = 3').get() as { hash: string };
      db.prepare('INSERT INTO audit_log (id, entry_json, prev_hash, hash, format_version) VALUES (4, ?, ?, ?, 2)').run(
        canonicalJson(forged),
        prev.hash,
        AUDIT_CHAIN.link(
          4,
          prev.hash,
          AUDIT_FIELD_ORDER.map((k) => forged[k]),
        ),
      );
    });
    expect(verify(inserted)).toMatchObject({ ok: false, badId: 14 });

    // The same, forged in format version 1 (the row's default format_version): an older format after a newer one.
    const insertedV1 = ledgerWithFive('inserted-v1');
    sql(insertedV1, (db) => {
      db.prepare('UPDATE audit_log SET id = id + 10 WHERE id >= 4').run();
      const prev = db.prepare('SELECT hash FROM audit_log WHERE id = 3').get() as { hash: string };
      db.prepare('INSERT INTO audit_log (id, entry_json, prev_hash, hash) VALUES (4, ?, ?, ?)').run(
        canonicalJson(forged),
        prev.hash,
        sha256Hex(prev.hash + canonicalJson({ ...forged, id: 4 })),
      );
    });
    expect(verify(insertedV1)).toMatchObject({
      ok: false,
      badId: 4,
      problem: expect.stringMatching(/format version 1 follows version 2/),
    });

    // Appended at the end with a made-up hash.
    const appended = ledgerWithFive('appended');
    sql(appended, (db) =>
      db
        .prepare('INSERT INTO audit_log (id, entry_json, prev_hash, hash) VALUES (6, ?, ?, ?)')
        .run(canonicalJson(entry(6)), 'f'.repeat(64), 'e'.repeat(64)),
    );
    expect(verify(appended)).toMatchObject({ ok: false, badId: 6 });

    // Deleting the newest entry leaves a valid, shorter chain: only a noted head hash reveals it.
    const intact = verify(ledgerWithFive('truncated'));
    const truncated = join(dir, 'truncated.sqlite');
    sql(truncated, (db) => db.prepare('DELETE FROM audit_log WHERE id = 5').run());
    const after = verify(truncated);
    expect(after).toMatchObject({ ok: true, entries: 4 });
    expect(after.ok && intact.ok && after.head !== intact.head).toBe(true);
  });

  it('keeps payout receipts as received, oldest first, across reopening', () => {
    const path = join(dir, 'receipts.sqlite');
    const ledger = new PrivacyLedger(path);
    ledger.storeReceipt('{"job":"j1","amount":10}');
    ledger.storeReceipt('{"job":"j2","amount":5}');
    ledger.close();
    const again = new PrivacyLedger(path);
    expect(again.receipts()).toEqual(['{"job":"j1","amount":10}', '{"job":"j2","amount":5}']);
    again.close();
  });

  it('migrates a ledger written by the previous version, keeping its uses and charges', () => {
    const path = join(dir, 'v1.sqlite');
    sql(path, (db) => {
      db.exec(`CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);
        CREATE TABLE data_use (id INTEGER PRIMARY KEY, at REAL NOT NULL, dataset TEXT NOT NULL, job_id TEXT NOT NULL,
          stage TEXT NOT NULL, round INTEGER NOT NULL, rows INTEGER NOT NULL);
        CREATE TABLE privacy_charge (id INTEGER PRIMARY KEY, at REAL NOT NULL, dataset TEXT NOT NULL,
          job_id TEXT NOT NULL, round INTEGER NOT NULL, attempt INTEGER NOT NULL,
          unit TEXT NOT NULL, noise_multiplier REAL NOT NULL, sample_rate REAL NOT NULL, rdp_json TEXT NOT NULL);
        CREATE INDEX privacy_charge_dataset ON privacy_charge(dataset);
        INSERT INTO data_use (at, dataset, job_id, stage, round, rows) VALUES (1, 'customers', 'j', 'fit', 1, 10);
        INSERT INTO privacy_charge (at, dataset, job_id, round, attempt, unit, noise_multiplier, sample_rate, rdp_json)
          VALUES (1, 'customers', 'j', 1, 0, 'record', 1, 0.1, '[0.5]');`);
    });
    const ledger = new PrivacyLedger(path);
    expect(ledger.uses()).toHaveLength(1);
    expect(ledger.charges()).toEqual([
      {
        at: 1,
        dataset: 'customers',
        jobId: 'j',
        round: 1,
        attempt: 0,
        unit: 'record',
        noiseMultiplier: 1,
        sampleRate: 0.1,
        rdp: [0.5],
      },
    ]);
    expect(ledger.verifyAudit()).toEqual({ ok: true, entries: 0, head: GENESIS_HASH });
    ledger.close();
  });
});
