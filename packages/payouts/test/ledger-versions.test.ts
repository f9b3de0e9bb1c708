import { readFileSync } from 'node:fs';
import {
  fromHex,
  generateSigningKeyPair,
  hashChain,
  sha256,
  sign,
  signingKeyPairFromSecret,
  toHex,
} from '@tessera/crypto';
import { describe, expect, it } from 'vitest';
import {
  entryHash,
  LEDGER_CONTEXT,
  ledgerLine,
  parseLedgerLine,
  PAYOUT_CHAIN,
  verifyEntry,
  verifyLedger,
  type LedgerEntry,
  type PayoutRecord,
} from '../src/index.js';

// Format versions of the payout ledger: version 1 (no `version` field: JSON-array hashes) must keep verifying,
// version 2 (the shared hash chain of @tessera/crypto) too, and a ledger may move from 1 to 2. appendEntries now
// writes version 3 (ledger-v3.test.ts); appendV2 writes version 2 as appendEntries did before it.

// Written by the code before version 2 existed (commit d564942), signed with this test key.
const v1Key = signingKeyPairFromSecret(sha256('tessera test fixture: payout ledger v1 (not a real key)'));
const v1Text = readFileSync(new URL('./fixtures/ledger-v1.jsonl', import.meta.url), 'utf8');
const v1Lines = v1Text.trimEnd().split('\n');
const v1Head = 'e23697a09e1967d0f75947d4dbd2527f24a5d4540c0c3499ae7d266e27526334';
const v1Entries = v1Lines.map((l, i) => parseLedgerLine(l, i + 1));

const record: PayoutRecord = {
  job: 'job-3',
  participant: 'merchant-d',
  amount: 50,
  currency: 'EUR',
  method: 'loo',
  share: 0.125,
  timestamp: '2026-11-24T09:00:00Z',
};
/** Chains and signs records in format version 2, as appendEntries did before version 3. */
function appendV2(head: { seq: number; hash: string }, records: PayoutRecord[], secretKey: Uint8Array): LedgerEntry[] {
  let { seq, hash: prevHash } = head;
  return records.map((r) => {
    seq++;
    const unsigned = { version: 2 as const, seq, prevHash, ...r };
    const hash = entryHash(unsigned);
    prevHash = hash;
    return { ...unsigned, hash, signature: toHex(sign(LEDGER_CONTEXT, fromHex(hash), secretKey)) };
  });
}

const more = appendV2({ seq: 4, hash: v1Head }, [record, { ...record, participant: 'merchant-e' }], v1Key.secretKey);
const mixed = [...v1Lines, ...more.map(ledgerLine)];
const verdict = (lines: readonly string[], head?: string) =>
  verifyLedger(lines.join('\n'), v1Key.publicKey, head === undefined ? {} : { head });
const edit = (line: string, change: (fields: Record<string, unknown>) => void): string => {
  const fields = JSON.parse(line) as Record<string, unknown>;
  change(fields);
  return JSON.stringify(fields);
};

describe('payout ledger format versions', () => {
  it('verifies a version 1 ledger written before version 2 existed', () => {
    expect(v1Key.publicKey).toEqual(fromHex('8619ca426a271aa32131ec52a3db6b855af19ff2bfe23c82d75fbb6e06acf8a1'));
    expect(v1Lines.every((l) => !l.includes('"version"'))).toBe(true);
    expect(verifyLedger(v1Text, v1Key.publicKey, { head: v1Head })).toEqual({
      ok: true,
      entries: 4,
      head: { seq: 4, hash: v1Head },
      formatVersion: 1,
    });
    for (const e of v1Entries) expect(verifyEntry(e, v1Key.publicKey)).toBe(true);
    // An explicit version 1 means the same as none.
    const explicit = v1Lines.map((l) => edit(l, (f) => Object.assign(f, { version: 1 })));
    expect(verdict(explicit, v1Head)).toMatchObject({ ok: true, entries: 4, formatVersion: 1 });
  });

  it('detects tampering with a version 1 ledger', () => {
    const amount = v1Lines.slice();
    amount[1] = amount[1].replace('"amount":334', '"amount":335');
    expect(verdict(amount)).toMatchObject({ ok: false, line: 2, reason: expect.stringMatching(/hash does not match/) });
    expect(verdict([v1Lines[0], v1Lines[2], v1Lines[3]])).toMatchObject({ ok: false, line: 2 });
    expect(verdict(v1Lines.slice(0, 3), v1Head)).toMatchObject({ ok: false, line: 4 });
    // Claiming version 2 for a version 1 entry changes its hash.
    const relabelled = v1Lines.map((l, i) => (i === 2 ? edit(l, (f) => Object.assign(f, { version: 2 })) : l));
    expect(verdict(relabelled)).toMatchObject({ ok: false, line: 3, reason: expect.stringMatching(/hash does not/) });
  });

  it('verifies version 2, hashed with the shared hash chain', () => {
    for (const e of more) {
      expect(e.version).toBe(2);
      expect(e.hash).toBe(
        PAYOUT_CHAIN.link(e.seq, e.prevHash, [
          e.job,
          e.participant,
          e.amount,
          e.currency,
          e.method,
          e.share,
          e.timestamp,
        ]),
      );
      expect(entryHash(e)).toBe(e.hash);
      expect(verifyEntry(e, v1Key.publicKey)).toBe(true);
    }
    expect(PAYOUT_CHAIN.tag).toBe('tessera/payout-ledger/v2');
    expect(ledgerLine(more[0])).toMatch(/^\{"version":2,"seq":5,"prevHash":/);
  });

  it('verifies a ledger that moves from version 1 to version 2', () => {
    expect(more[0].prevHash).toBe(v1Head);
    expect(verdict(mixed, more[1].hash)).toEqual({
      ok: true,
      entries: 6,
      head: { seq: 6, hash: more[1].hash },
      formatVersion: 2,
    });
  });

  it('detects tampering with version 2 entries, including their version', () => {
    const changes: [string, (f: Record<string, unknown>) => void][] = [
      ['amount', (f) => Object.assign(f, { amount: 51 })],
      ['share', (f) => Object.assign(f, { share: 0.25 })],
      ['participant', (f) => Object.assign(f, { participant: 'mallory' })],
      ['version 1', (f) => Object.assign(f, { version: 1 })],
      ['no version', (f) => delete f.version],
    ];
    for (const [what, change] of changes) {
      const lines = mixed.map((l, i) => (i === 5 ? edit(l, change) : l));
      expect(verdict(lines), what).toMatchObject({ ok: false, line: 6, seq: 6 });
    }
    const v4 = mixed.map((l, i) => (i === 4 ? edit(l, (f) => Object.assign(f, { version: 4 })) : l));
    expect(verdict(v4)).toMatchObject({ ok: false, line: 5, reason: 'line 5: version must be 1, 2 or 3 (got 4)' });
    expect(verifyEntry({ ...more[0], version: 3 }, v1Key.publicKey)).toBe(false);
  });

  it('refuses a version 1 entry after a version 2 one, even correctly signed', () => {
    const v2First = appendV2({ seq: 0, hash: v1Entries[0].prevHash }, [record], v1Key.secretKey);
    const { version: _, ...unversioned } = v2First[0];
    const seq2: Omit<LedgerEntry, 'hash' | 'signature'> = { ...unversioned, seq: 2, prevHash: v2First[0].hash };
    const hash = entryHash(seq2);
    const old: LedgerEntry = { ...seq2, hash, signature: toHex(sign(LEDGER_CONTEXT, fromHex(hash), v1Key.secretKey)) };
    expect(verifyEntry(old, v1Key.publicKey)).toBe(true);
    expect(verdict([ledgerLine(v2First[0]), ledgerLine(old)])).toMatchObject({
      ok: false,
      line: 2,
      seq: 2,
      reason: 'line 2 (seq 2): format version 1 after version 2 (a ledger never goes back to an older format)',
    });
  });

  it('does not accept a link hashed under another domain, even correctly signed', () => {
    const audit = hashChain('tessera/audit-log/v2');
    const [e] = appendV2({ seq: 0, hash: v1Entries[0].prevHash }, [record], v1Key.secretKey);
    const fields = [e.job, e.participant, e.amount, e.currency, e.method, e.share, e.timestamp];
    const hash = audit.link(e.seq, e.prevHash, fields);
    const foreign: LedgerEntry = { ...e, hash, signature: toHex(sign(LEDGER_CONTEXT, fromHex(hash), v1Key.secretKey)) };
    expect(hash).not.toBe(e.hash);
    expect(verifyEntry(foreign, v1Key.publicKey)).toBe(false);
    expect(verdict([ledgerLine(foreign)])).toMatchObject({
      ok: false,
      line: 1,
      reason: expect.stringMatching(/hash does not match/),
    });
    const other = generateSigningKeyPair();
    expect(verifyEntry(e, other.publicKey)).toBe(false);
  });
});
