import { execFileSync } from 'node:child_process';
import { generateSigningKeyPair } from '@tessera/crypto';
import { describe, expect, it } from 'vitest';
import {
  appendEntries,
  entryHash,
  GENESIS_HASH,
  LEDGER_FIELDS,
  ledgerFields,
  ledgerLine,
  LedgerFormatError,
  parseLedgerLine,
  verifyEntry,
  verifyLedger,
  type LedgerEntry,
  type PayoutRecord,
} from '../src/index.js';

const coordinator = generateSigningKeyPair();
const mallory = generateSigningKeyPair();

const records: PayoutRecord[] = [
  {
    job: 'job-1',
    participant: 'merchant-a',
    amount: 334,
    currency: 'CNY',
    method: 'gtg',
    share: 0.4,
    timestamp: '2026-11-22T10:00:00Z',
  },
  {
    job: 'job-1',
    participant: 'merchant-b',
    amount: 334,
    currency: 'CNY',
    method: 'gtg',
    share: 0.35,
    timestamp: '2026-11-22T10:00:00Z',
  },
  {
    job: 'job-1',
    participant: 'merchant-c',
    amount: 333,
    currency: 'CNY',
    method: 'gtg',
    share: 0.25,
    timestamp: '2026-11-22T10:00:00Z',
  },
  {
    job: 'job-2',
    participant: 'merchant-a',
    amount: 12,
    currency: 'EUR',
    method: 'shapley',
    share: 1,
    timestamp: '2026-11-23T08:30:00.250+01:00',
  },
];

const entries = appendEntries({ seq: 0, hash: GENESIS_HASH }, records, coordinator.secretKey);
const lines = entries.map(ledgerLine);
const text = `${lines.join('\n')}\n`;
const verdict = (ls: string[], options?: { head?: string; firstSeq?: number }) =>
  verifyLedger(ls.join('\n'), coordinator.publicKey, options);

/** A different valid value for each field, so the edit passes the format check and must be caught by the chain. */
const edits: Record<(typeof LEDGER_FIELDS)[number], (e: LedgerEntry) => unknown> = {
  seq: (e) => e.seq + 1,
  prevHash: (e) => (e.prevHash[0] === 'a' ? 'b' : 'a') + e.prevHash.slice(1),
  job: (e) => `${e.job}x`,
  participant: () => 'mallory',
  amount: (e) => e.amount + 1,
  currency: (e) => (e.currency === 'USD' ? 'EUR' : 'USD'),
  method: () => 'records',
  share: (e) => e.share / 2,
  timestamp: () => '2026-11-22T10:00:01Z',
  hash: (e) => (e.hash[0] === 'a' ? 'b' : 'a') + e.hash.slice(1),
  signature: (e) => (e.signature[0] === 'a' ? 'b' : 'a') + e.signature.slice(1),
};

describe('the payout ledger', () => {
  it('chains, signs and verifies; lines have a fixed key order and no spaces', () => {
    expect(verifyLedger(text, coordinator.publicKey)).toEqual({
      ok: true,
      entries: 4,
      head: { seq: 4, hash: entries[3].hash },
      formatVersion: 3,
    });
    expect(Object.keys(JSON.parse(lines[0]))).toEqual(['version', ...ledgerFields(3)]);
    expect(lines[0]).toContain('"amount":334,');
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(entries[0].prevHash).toBe(GENESIS_HASH);
    expect(entries[1].prevHash).toBe(entries[0].hash);
    expect(entries[2].hash).toBe(entryHash(entries[2]));
    expect(verifyLedger('', coordinator.publicKey)).toEqual({
      ok: true,
      entries: 0,
      head: { seq: 0, hash: GENESIS_HASH },
    });
    expect(verifyLedger(`${text}\n\n`, coordinator.publicKey).ok).toBe(true);
  });

  it('continues a ledger from its head', () => {
    const more = appendEntries({ seq: 4, hash: entries[3].hash }, [records[0]], coordinator.secretKey);
    expect(more[0].seq).toBe(5);
    expect(verdict([...lines, ledgerLine(more[0])])).toMatchObject({ ok: true, entries: 5 });
    expect(() =>
      appendEntries({ seq: 0, hash: GENESIS_HASH }, [{ ...records[0], amount: 1.5 }], coordinator.secretKey),
    ).toThrow(/records\[0\]: amount must be a non-negative integer/);
    expect(() =>
      appendEntries({ seq: 0, hash: GENESIS_HASH }, [{ ...records[0], share: 1.5 }], coordinator.secretKey),
    ).toThrow(/records\[0\]: share must be a number from 0 to 1/);
  });

  it('names the line of every single-field edit', () => {
    for (let i = 0; i < lines.length; i++) {
      for (const field of LEDGER_FIELDS) {
        const edited = lines.slice();
        const fields = JSON.parse(lines[i]) as Record<string, unknown>;
        fields[field] = edits[field](entries[i]);
        edited[i] = JSON.stringify(fields);
        const v = verdict(edited);
        const at = `line ${i + 1}, field ${field}`;
        expect(v.ok, at).toBe(false);
        if (v.ok) continue;
        expect(v.line, `${at}: ${v.reason}`).toBe(i + 1);
        expect(v.reason, at).toMatch(new RegExp(`^line ${i + 1}\\b`));
        expect(v.entries, at).toBe(i);
      }
    }
  });

  it('gives reasons a person can act on', () => {
    const amount = lines.slice();
    amount[2] = amount[2].replace('"amount":333', '"amount":999');
    expect(verdict(amount)).toEqual({
      ok: false,
      line: 3,
      seq: 3,
      entries: 2,
      reason: expect.stringMatching(/^line 3 \(seq 3\): hash does not match .*amount/) as unknown as string,
    });
    const prev = lines.slice();
    const fourth = JSON.parse(prev[3]) as Record<string, unknown>;
    fourth.prevHash = entries[1].hash;
    prev[3] = JSON.stringify(fourth);
    expect(verdict(prev)).toMatchObject({
      ok: false,
      line: 4,
      reason: 'line 4: prevHash does not match the hash of line 3',
    });
  });

  it('detects removals, reorderings and insertions', () => {
    expect(verdict(lines.slice(1))).toMatchObject({
      ok: false,
      line: 1,
      seq: 2,
      reason: 'line 1: seq 2 where 1 was expected (an entry was removed, inserted or reordered)',
    });
    expect(verdict([lines[0], lines[2], lines[3]])).toMatchObject({
      ok: false,
      line: 2,
      seq: 3,
      reason: expect.stringMatching(/^line 2: seq 3 where 2 was expected/) as unknown as string,
    });
    expect(verdict([lines[0], lines[2], lines[1], lines[3]])).toMatchObject({ ok: false, line: 2 });
    expect(verdict([lines[0], lines[1], lines[1], lines[2], lines[3]])).toMatchObject({ ok: false, line: 3, seq: 2 });
    // a forged entry that chains correctly but is signed by another key
    const forged = appendEntries(
      { seq: 4, hash: entries[3].hash },
      [{ ...records[0], participant: 'mallory', amount: 1000 }],
      mallory.secretKey,
    );
    expect(verdict([...lines, ledgerLine(forged[0])])).toMatchObject({
      ok: false,
      line: 5,
      seq: 5,
      reason: expect.stringMatching(/^line 5 \(seq 5\): signature does not verify/) as unknown as string,
    });
    // a forged entry inserted in the middle, re-chained by the forger with its own key
    const [f2, f3, f4, f5] = appendEntries(
      { seq: 1, hash: entries[0].hash },
      [{ ...records[1], amount: 9999 }, records[1], records[2], records[3]],
      mallory.secretKey,
    );
    expect(verdict([lines[0], ...[f2, f3, f4, f5].map(ledgerLine)])).toMatchObject({ ok: false, line: 2, seq: 2 });
  });

  it('detects a removed last entry only with the published head', () => {
    expect(verdict(lines.slice(0, 3)).ok).toBe(true);
    expect(verdict(lines, { head: entries[3].hash }).ok).toBe(true);
    const v = verdict(lines.slice(0, 3), { head: entries[3].hash });
    expect(v).toMatchObject({ ok: false, line: 4, seq: 4 });
    if (!v.ok) expect(v.reason).toMatch(/the newest entry \(line 3, seq 3\).*removed/);
  });

  it('refuses the wrong key, naming the first line', () => {
    expect(verifyLedger(text, mallory.publicKey)).toMatchObject({ ok: false, line: 1, seq: 1, entries: 0 });
  });

  it('names lines that are not JSON, blank or malformed', () => {
    expect(verdict([lines[0], '{"seq": 2,', lines[2]])).toMatchObject({
      ok: false,
      line: 2,
      reason: expect.stringMatching(/^line 2 is not JSON: /) as unknown as string,
    });
    expect(verdict([lines[0], '', lines[1]])).toMatchObject({
      ok: false,
      line: 2,
      reason: expect.stringMatching(/^line 2 is blank/) as unknown as string,
    });
    expect(verdict(['[1,2]'])).toMatchObject({ ok: false, line: 1, reason: 'line 1 is not a JSON object' });
    const extra = { ...JSON.parse(lines[0]), bonus: 1 } as Record<string, unknown>;
    expect(verdict([JSON.stringify(extra)])).toMatchObject({
      ok: false,
      line: 1,
      reason: expect.stringMatching(/unknown field "bonus"/) as unknown as string,
    });
    const bad = (field: string, value: unknown) => () =>
      parseLedgerLine(JSON.stringify({ ...JSON.parse(lines[0]), [field]: value }), 7);
    expect(bad('amount', '334')).toThrow(
      /^line 7: amount must be a non-negative integer number of minor units \(got "334"\)/,
    );
    expect(bad('amount', -1)).toThrow(LedgerFormatError);
    expect(bad('share', 2)).toThrow(/line 7: share must be a number from 0 to 1/);
    expect(bad('timestamp', 'yesterday')).toThrow(/line 7: timestamp must be an ISO 8601/);
    expect(bad('currency', 'euro')).toThrow(/line 7: currency/);
    expect(bad('seq', 0)).toThrow(/line 7: seq must be a positive integer/);
    expect(bad('hash', 'xyz')).toThrow(/line 7: hash must be 64 lower-case hex/);
    const missing = JSON.parse(lines[0]) as Record<string, unknown>;
    delete missing.job;
    expect(() => parseLedgerLine(JSON.stringify(missing), 3)).toThrow(/^line 3: field job is missing/);
  });

  it('catches an amount edited with sed', () => {
    const edited = execFileSync('sed', ['1s/"amount":\\([0-9]*\\)/"amount":9\\1/'], { input: text, encoding: 'utf8' });
    expect(edited).toContain('"amount":9334');
    expect(verifyLedger(edited, coordinator.publicKey)).toMatchObject({
      ok: false,
      line: 1,
      seq: 1,
      reason: expect.stringMatching(/^line 1 \(seq 1\): hash does not match/) as unknown as string,
    });
  });

  it('verifies a filtered export that starts later with firstSeq', () => {
    expect(verdict(lines.slice(2), { firstSeq: 3 })).toMatchObject({
      ok: true,
      entries: 2,
      head: { seq: 4, hash: entries[3].hash },
    });
    expect(verdict(lines.slice(2))).toMatchObject({ ok: false, line: 1 });
    expect(verdict(lines.slice(2), { firstSeq: 2 })).toMatchObject({ ok: false, line: 1, seq: 3 });
  });

  it('checks a single receipt', () => {
    expect(verifyEntry(entries[1], coordinator.publicKey)).toBe(true);
    expect(verifyEntry(entries[1], mallory.publicKey)).toBe(false);
    expect(verifyEntry({ ...entries[1], amount: 335 }, coordinator.publicKey)).toBe(false);
    expect(verifyEntry({ ...entries[1], signature: 'zz' }, coordinator.publicKey)).toBe(false);
  });
});
