// verifyAgainstReceipts: each way a coordinator can misstate its ledger is named, and an honest one passes.
import { generateSigningKeyPair, signRosterEntry, toHex, type RosterCertificate } from '@tessera/crypto';
import { describe, expect, it } from 'vitest';
import {
  appendEntries,
  cosignatureLine,
  cosignHead,
  GENESIS_HASH,
  ledgerLine,
  RECEIPT_FORMAT,
  receiptProblem,
  signHead,
  verifyAgainstReceipts,
  verifyHead,
  type LedgerEntry,
  type PayoutRecord,
  type ReceiptInput,
} from '../src/index.js';

const coordinator = generateSigningKeyPair();
const members = { a: generateSigningKeyPair(), b: generateSigningKeyPair(), c: generateSigningKeyPair() };
const keyHex = toHex(coordinator.publicKey);
const record = (job: string, participant: string, amount: number): PayoutRecord => ({
  job,
  participant,
  amount,
  currency: 'EUR',
  method: 'shapley',
  share: 0.5,
  timestamp: '2026-11-22T10:00:00Z',
});
// Two jobs: job-1 pays a and b (seq 1, 2), job-2 pays b and c (seq 3, 4).
const job1 = appendEntries(
  { seq: 0, hash: GENESIS_HASH },
  [record('job-1', 'a', 60), record('job-1', 'b', 40)],
  coordinator.secretKey,
);
const job2 = appendEntries(
  { seq: 2, hash: job1[1]!.hash },
  [record('job-2', 'b', 70), record('job-2', 'c', 30)],
  coordinator.secretKey,
);
const ledger = [...job1, ...job2];
const text = (es: readonly LedgerEntry[]) => es.map((e) => `${ledgerLine(e)}\n`).join('');

/** The receipt the coordinator gives, and the member countersigns, for `entry` in a batch ending at `last`. */
function receiptOf(entry: LedgerEntry, last: LedgerEntry, signer = coordinator): ReceiptInput {
  const head = signHead({ seq: last.seq, hash: last.hash }, signer.secretKey);
  const member = members[entry.participant as keyof typeof members];
  return {
    file: `${entry.participant}-${entry.seq}.json`,
    receipt: {
      format: RECEIPT_FORMAT,
      coordinatorKey: toHex(signer.publicKey),
      entry,
      head,
      cosignature: cosignHead(head, toHex(signer.publicKey), entry.participant, member),
    },
  };
}
const receipts = [receiptOf(job1[0]!, job1[1]!), receiptOf(job1[1]!, job1[1]!), receiptOf(job2[0]!, job2[1]!)];
const cosignatures = receipts.map((r) => cosignatureLine(r.receipt.cosignature!)).join('\n');

describe('a ledger checked against members’ receipts', () => {
  it('an honest export verifies with every receipt and cosignature, the key taken from the receipts', () => {
    for (const r of receipts) expect(receiptProblem(r.receipt)).toBeUndefined();
    const v = verifyAgainstReceipts(text(ledger), receipts, { cosignatures });
    expect(v.ok).toBe(true);
    expect(v.checks.key).toMatchObject({ ok: true, pinned: keyHex, used: keyHex });
    expect(v.checks.rewrite).toMatchObject({ ok: true, checked: 3 });
    expect(v.checks.fork).toMatchObject({ ok: true, checked: 3 });
    expect(v.checks.truncation).toMatchObject({ ok: true, exportSeq: 4, receiptSeq: 4 });
    expect(v.checks.cosignatures).toMatchObject({ ok: true, count: 3, verified: 3, own: 3, missing: 0 });
    expect(v.checks.cosignatures).toMatchObject({ unverified: 0, unpinned: [], pinned: 2, rosterAuthority: null });
  });

  it('names a history re-signed with a new key, whether or not the new key is given', () => {
    const mallory = generateSigningKeyPair();
    const resigned = appendEntries(
      { seq: 0, hash: GENESIS_HASH },
      ledger.map((e) => ({ ...e })),
      mallory.secretKey,
    );
    const withNewKey = verifyAgainstReceipts(text(resigned), receipts, { key: mallory.publicKey });
    expect(withNewKey).toMatchObject({ ok: false, failure: 'resigned' });
    expect(withNewKey.reason).toMatch(/re-signed history: .* receipts pin/);
    expect(withNewKey.checks.chain.ok).toBe(true); // the file alone is a consistent ledger under the new key
    const pinned = verifyAgainstReceipts(text(resigned), receipts);
    expect(pinned).toMatchObject({ ok: false, failure: 'resigned', seq: 1 });
  });

  it('names a truncation: the export stops before a receipt’s head', () => {
    const v = verifyAgainstReceipts(text(ledger.slice(0, 3)), receipts);
    expect(v).toMatchObject({ ok: false, failure: 'truncation', line: 4 });
    expect(v.reason).toMatch(/export ends at seq 3 but receipt b-3\.json .* head seq 4/);
    expect(v.checks.chain.ok).toBe(true);
  });

  it('names a rewrite of an entry a receipt covers, with the field that changed', () => {
    const rewritten = appendEntries(
      { seq: 0, hash: GENESIS_HASH },
      [record('job-1', 'a', 6), record('job-1', 'b', 94), record('job-2', 'b', 70), record('job-2', 'c', 30)],
      coordinator.secretKey,
    );
    const v = verifyAgainstReceipts(text(rewritten), receipts);
    expect(v).toMatchObject({ ok: false, failure: 'rewrite', seq: 1, line: 1 });
    expect(v.reason).toMatch(/hash mismatch at entry 1 .*amount 60 in the receipt, 6 in the export/);
  });

  it('names a fork: the chain lacks a receipt’s head, or two signed heads have one length', () => {
    // Entries 1-3 as paid, entry 4 replaced: b's job-2 entry (3) holds, its head (4) does not.
    const forked = [
      ...ledger.slice(0, 3),
      ...appendEntries({ seq: 3, hash: job2[0]!.hash }, [record('job-2', 'c', 3)], coordinator.secretKey),
    ];
    const v = verifyAgainstReceipts(text(forked), [receipts[2]!]);
    expect(v).toMatchObject({ ok: false, failure: 'fork', seq: 4 });
    expect(v.reason).toMatch(/does not contain the head receipt b-3\.json was signed at \(seq 4/);
    // c was shown the forked ledger: its receipt and b's are two heads of length 4.
    const cReceipt = receiptOf(forked[3]!, forked[3]!);
    const both = verifyAgainstReceipts(text(ledger), [receipts[2]!, cReceipt]);
    expect(both.checks.fork.reason).toMatch(/two heads of length 4 signed by the coordinator/);
    expect(both.checks.rewrite.ok).toBe(false); // c's own entry is not the one in the honest export
  });

  it('refuses a cosignature that does not verify or is over a head outside the chain', () => {
    const bad = cosignatures.replace(/"signature":"(.)/, (_m, c: string) => `"signature":"${c === '0' ? '1' : '0'}`);
    const v = verifyAgainstReceipts(text(ledger), receipts, { cosignatures: bad });
    expect(v).toMatchObject({ ok: false, failure: 'cosignatures' });
    expect(v.checks.cosignatures).toMatchObject({ verified: 2, missing: 1 });
    const off = cosignHead({ seq: 2, hash: job2[1]!.hash }, keyHex, 'a', members.a);
    const w = verifyAgainstReceipts(text(ledger), receipts, { cosignatures: cosignatureLine(off) });
    expect(w.checks.cosignatures?.reason).toMatch(/not in the export's chain/);
  });

  it('a head signed by another key, or before its entry, makes the receipt itself invalid', () => {
    const r = receiptOf(job1[0]!, job1[1]!);
    const otherHead = signHead({ seq: 2, hash: job1[1]!.hash }, members.a.secretKey);
    expect(verifyHead(otherHead, coordinator.publicKey)).toBe(false);
    expect(receiptProblem({ ...r.receipt, head: otherHead })).toMatch(/is not signed by coordinator key/);
    const early = signHead({ seq: 1, hash: job1[0]!.hash }, coordinator.secretKey);
    expect(receiptProblem({ ...receiptOf(job1[1]!, job1[1]!).receipt, head: early, cosignature: undefined })).toMatch(
      /head seq 1 is before its entry's seq 2/,
    );
  });
});

describe('cosignatures the coordinator cannot forge', () => {
  const head = signHead({ seq: 4, hash: job2[1]!.hash }, coordinator.secretKey);
  const fresh = generateSigningKeyPair();
  /** The coordinator's forgery: "a cosigned head 4", signed with a key it made. */
  const forgedA = cosignatureLine(cosignHead(head, keyHex, 'a', fresh));
  const authority = generateSigningKeyPair();
  const certificate = (participantId: string, key: Uint8Array, by = authority): RosterCertificate => ({
    participantId,
    identityKey: key,
    authority: by.publicKey,
    signature: signRosterEntry(by.secretKey, participantId, key),
  });
  const roster = (['a', 'b', 'c'] as const).map((p) => ({
    file: `${p}.roster.json`,
    certificate: certificate(p, members[p].publicKey),
  }));
  const honestC = cosignatureLine(cosignHead(head, keyHex, 'c', members.c));

  it('a line for a member under a key its own receipt does not pin is named forged', () => {
    const v = verifyAgainstReceipts(text(ledger), receipts, { cosignatures: `${cosignatures}\n${forgedA}` });
    expect(v).toMatchObject({ ok: false, failure: 'cosignatures', seq: 4 });
    expect(v.reason).toMatch(/forged cosignature: line 4 is by participant a under key .* receipt a-1\.json pins/);
    expect(v.checks.cosignatures).toMatchObject({ count: 4, verified: 3, unverified: 0 });
  });

  it('a line for a member nothing pins is unverified, not verified; two keys for one member fail', () => {
    const onlyB = [receipts[1]!];
    const bLines = cosignatures.split('\n').slice(1).join('\n');
    const v = verifyAgainstReceipts(text(ledger), onlyB, { cosignatures: `${bLines}\n${forgedA}` });
    expect(v.ok).toBe(true); // nothing shows which key is a's: reported as unverified, not counted as verified
    expect(v.checks.cosignatures).toMatchObject({ count: 3, verified: 2, unverified: 1, unpinned: ['a'], pinned: 1 });
    // a's honest line (1) and the forged one: a member has one identity key, so one of them is not a's.
    const twoKeys = `${cosignatures.split('\n')[0]}\n${forgedA}`;
    const w = verifyAgainstReceipts(text(ledger), onlyB, { cosignatures: twoKeys });
    expect(w).toMatchObject({ ok: false, failure: 'cosignatures' });
    expect(w.reason).toMatch(/cosignature lines 1 and 2 name participant a under two keys/);
  });

  it('roster certificates pin the members without receipts: honest lines verify, a forged one fails', () => {
    const onlyB = [receipts[1]!];
    const all = `${cosignatures}\n${honestC}`;
    const v = verifyAgainstReceipts(text(ledger), onlyB, { cosignatures: all, roster });
    expect(v.ok).toBe(true);
    expect(v.checks.cosignatures).toMatchObject({
      count: 4,
      verified: 4,
      unverified: 0,
      pinned: 3,
      rosterAuthority: toHex(authority.publicKey),
    });
    const forged = verifyAgainstReceipts(text(ledger), onlyB, { cosignatures: `${all}\n${forgedA}`, roster });
    expect(forged).toMatchObject({ ok: false, failure: 'cosignatures' });
    expect(forged.reason).toMatch(/forged cosignature: line 5 .* roster certificate a\.roster\.json pins/);
  });

  it('a roster certificate of another authority, or one contradicting a receipt, fails the check', () => {
    const mallory = generateSigningKeyPair();
    const theirs = [...roster, { file: 'a2.roster.json', certificate: certificate('a', fresh.publicKey, mallory) }];
    const v = verifyAgainstReceipts(text(ledger), receipts, {
      cosignatures,
      roster: theirs,
      rosterAuthority: authority.publicKey,
    });
    expect(v).toMatchObject({ ok: false, failure: 'cosignatures' });
    expect(v.reason).toMatch(/roster certificate a2\.roster\.json is signed by authority .*--roster-authority/);
    // Certified by the right authority, but not the key a's own receipt pins.
    const wrong = [{ file: 'a3.roster.json', certificate: certificate('a', fresh.publicKey) }];
    const w = verifyAgainstReceipts(text(ledger), receipts, { cosignatures, roster: wrong });
    expect(w.reason).toMatch(/participant a has two identity keys: .* in receipt a-1\.json and .* a3\.roster\.json/);
  });
});
