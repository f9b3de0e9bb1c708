import { readFileSync } from 'node:fs';
import { fromHex, sha256, sign, signingKeyPairFromSecret, toHex } from '@tessera/crypto';
import { describe, expect, it } from 'vitest';
import {
  appendEntries,
  entryHash,
  entryProblem,
  fieldProblem,
  LEDGER_CONTEXT,
  ledgerFields,
  ledgerLine,
  parseLedgerLine,
  PAYOUT_CHAIN_V3,
  verifyEntry,
  verifyLedger,
  type LedgerEntry,
  type PayoutRecord,
} from '../src/index.js';

// Format version 3: kind, product and sale after timestamp; a ledger goes 1 -> 2 -> 3 and never back.

const key = signingKeyPairFromSecret(sha256('tessera test fixture: payout ledger v1 (not a real key)'));
const v1Text = readFileSync(new URL('./fixtures/ledger-v1.jsonl', import.meta.url), 'utf8');
const v1Lines = v1Text.trimEnd().split('\n');
const v1Head = 'e23697a09e1967d0f75947d4dbd2527f24a5d4540c0c3499ae7d266e27526334';

const T = '2026-12-03T10:00:00Z';
const jobPayout: PayoutRecord = {
  job: 'job-3',
  participant: 'merchant-d',
  amount: 50,
  currency: 'EUR',
  method: 'loo',
  share: 0.125,
  timestamp: T,
};
const sale = { product: 'prod-0123456789abcdef', sale: 'sale-00112233aabbccdd', currency: 'EUR', timestamp: T };
const saleRecords: PayoutRecord[] = [
  { ...sale, kind: 'sale', job: 'job-1+job-2', participant: 'acme-bank', amount: 1001, method: 'records', share: 1 },
  {
    ...sale,
    kind: 'payout',
    job: 'job-1+job-2',
    participant: 'merchant-a',
    amount: 667,
    method: 'records',
    share: 2 / 3,
  },
  {
    ...sale,
    kind: 'payout',
    job: 'job-1+job-2',
    participant: 'merchant-b',
    amount: 334,
    method: 'records',
    share: 1 / 3,
  },
  {
    ...sale,
    kind: 'buyer-refund',
    job: 'job-1+job-2',
    participant: 'acme-bank',
    amount: -100,
    method: 'refund',
    share: 1,
  },
  {
    ...sale,
    kind: 'refund',
    job: 'job-1+job-2',
    participant: 'merchant-a',
    amount: -67,
    method: 'refund',
    share: 2 / 3,
  },
  {
    ...sale,
    kind: 'refund',
    job: 'job-1+job-2',
    participant: 'merchant-b',
    amount: -33,
    method: 'refund',
    share: 1 / 3,
  },
];

/** Chains and signs records in format version 2, as appendEntries did before version 3. */
function appendV2(head: { seq: number; hash: string }, records: PayoutRecord[]): LedgerEntry[] {
  let { seq, hash: prevHash } = head;
  return records.map((r) => {
    seq++;
    const unsigned = { version: 2 as const, seq, prevHash, ...r };
    const hash = entryHash(unsigned);
    prevHash = hash;
    return { ...unsigned, hash, signature: toHex(sign(LEDGER_CONTEXT, fromHex(hash), key.secretKey)) };
  });
}

const v2 = appendV2({ seq: 4, hash: v1Head }, [jobPayout, { ...jobPayout, participant: 'merchant-e' }]);
const v3 = appendEntries({ seq: 6, hash: v2[1]!.hash }, [jobPayout, ...saleRecords], key.secretKey);
const lines = [...v1Lines, ...v2.map(ledgerLine), ...v3.map(ledgerLine)];
const verdict = (ls: readonly string[]) => verifyLedger(ls.join('\n'), key.publicKey);
const edit = (line: string, change: (fields: Record<string, unknown>) => void): string => {
  const fields = JSON.parse(line) as Record<string, unknown>;
  change(fields);
  return JSON.stringify(fields);
};

describe('payout ledger format version 3', () => {
  it('writes version 3 with kind, product and sale after timestamp, hashed under the v3 tag', () => {
    expect(PAYOUT_CHAIN_V3.tag).toBe('tessera/payout-ledger/v3');
    const [own] = v3;
    expect(own).toMatchObject({ version: 3, kind: 'payout', product: '', sale: '', job: 'job-3' });
    expect(Object.keys(JSON.parse(ledgerLine(own!)))).toEqual([
      'version',
      'seq',
      'prevHash',
      'job',
      'participant',
      'amount',
      'currency',
      'method',
      'share',
      'timestamp',
      'kind',
      'product',
      'sale',
      'hash',
      'signature',
    ]);
    expect(ledgerFields(3)).toEqual(Object.keys(JSON.parse(ledgerLine(own!))).slice(1));
    for (const e of v3) {
      expect(e.hash).toBe(
        PAYOUT_CHAIN_V3.link(e.seq, e.prevHash, [
          e.job,
          e.participant,
          e.amount,
          e.currency,
          e.method,
          e.share,
          e.timestamp,
          e.kind!,
          e.product!,
          e.sale!,
        ]),
      );
      expect(verifyEntry(e, key.publicKey)).toBe(true);
      expect(parseLedgerLine(ledgerLine(e), 1)).toEqual(e);
    }
    // A refund's entry carries its negative amount, and a receipt of it verifies.
    expect(v3[5]).toMatchObject({ kind: 'refund', amount: -67, product: sale.product, sale: sale.sale });
    expect(verifyEntry(v3.find((e) => e.kind === 'buyer-refund')!, key.publicKey)).toBe(true);
  });

  it('verifies a ledger that goes from version 1 to 2 to 3', () => {
    expect(verdict(lines)).toEqual({
      ok: true,
      entries: 13,
      head: { seq: 13, hash: v3.at(-1)!.hash },
      formatVersion: 3,
    });
  });

  it('refuses a version 2 entry after a version 3 one, naming the line, even correctly signed', () => {
    const [late] = appendV2({ seq: 13, hash: v3.at(-1)!.hash }, [jobPayout]);
    expect(verifyEntry(late!, key.publicKey)).toBe(true);
    expect(verdict([...lines, ledgerLine(late!)])).toEqual({
      ok: false,
      line: 14,
      seq: 14,
      entries: 13,
      reason: 'line 14 (seq 14): format version 2 after version 3 (a ledger never goes back to an older format)',
    });
  });

  it('detects an edited amount, kind, product or sale, and a relabelled version', () => {
    const changes: [string, number, (f: Record<string, unknown>) => void][] = [
      ['amount of a payout', 8, (f) => Object.assign(f, { amount: 668 })],
      ['amount of a refund', 11, (f) => Object.assign(f, { amount: -1 })],
      ['price of the sale', 7, (f) => Object.assign(f, { amount: 1000 })],
      ['kind of a job payout', 6, (f) => Object.assign(f, { kind: 'payout', product: 'p', sale: 's' })],
      ['product', 8, (f) => Object.assign(f, { product: 'prod-ffffffffffffffff' })],
      ['sale', 9, (f) => Object.assign(f, { sale: 'sale-ffffffffffffffff' })],
      ['participant', 9, (f) => Object.assign(f, { participant: 'mallory' })],
    ];
    for (const [what, i, change] of changes) {
      const edited = lines.map((l, k) => (k === i ? edit(l, change) : l));
      expect(verdict(edited), what).toMatchObject({
        ok: false,
        line: i + 1,
        reason: expect.stringMatching(/hash does not match/),
      });
    }
    // Relabelled as version 2 it has fields version 2 does not have.
    const relabelled = lines.map((l, k) => (k === 7 ? edit(l, (f) => Object.assign(f, { version: 2 })) : l));
    expect(verdict(relabelled)).toMatchObject({
      ok: false,
      line: 8,
      reason: 'line 8: field "kind" belongs to version 3 entries, but this entry is version 2',
    });
    const stripped = lines.map((l, k) => (k === 7 ? edit(l, (f) => delete f.sale) : l));
    expect(verdict(stripped)).toMatchObject({ ok: false, line: 8, reason: 'line 8: field sale is missing' });
  });

  it('refuses a kind rule broken even when hashed and signed, naming the line, field and value', () => {
    const resign = (e: LedgerEntry): string => {
      const hash = entryHash(e);
      return ledgerLine({ ...e, hash, signature: toHex(sign(LEDGER_CONTEXT, fromHex(hash), key.secretKey)) });
    };
    const positiveRefund = resign({ ...v3[5]!, amount: 67 });
    expect(() => parseLedgerLine(positiveRefund, 12)).toThrow(
      'line 12: amount must be a non-positive integer number of minor units for a refund (minus the amount taken ' +
        'back) (got 67)',
    );
    expect(verdict([...lines.slice(0, 11), positiveRefund])).toMatchObject({ ok: false, line: 12 });
    expect(verifyEntry({ ...v3[5]!, amount: 67 }, key.publicKey)).toBe(false);
  });

  it('checks every kind rule when appending, naming the record, field and value', () => {
    const [saleR, payoutR, buyerRefundR, refundR] = [
      saleRecords[0]!,
      saleRecords[1]!,
      saleRecords[3]!,
      saleRecords[4]!,
    ];
    const bad: [PayoutRecord, string][] = [
      [
        { ...saleR, amount: 0 },
        'amount must be a positive integer number of minor units for a sale (its price) (got 0)',
      ],
      [{ ...saleR, share: 0.5 }, 'share must be 1 for a sale entry (got 0.5)'],
      [{ ...saleR, sale: '' }, `sale must be the sale's id for a sale entry (got "")`],
      [{ ...saleR, product: '' }, `product must be the product's id for a sale entry (got "")`],
      [{ ...saleR, participant: '' }, 'participant must be a non-empty string (got "")'],
      [{ ...payoutR, amount: -1 }, 'amount must be a non-negative integer number of minor units (got -1)'],
      [
        { ...payoutR, sale: '' },
        `sale must be set for a sale's payout (product is "prod-0123456789abcdef"; a job's own payout has neither)`,
      ],
      [{ ...refundR, method: 'records' }, 'method must be "refund" for a refund entry (got "records")'],
      [{ ...refundR, amount: 1 }, expect.stringMatching(/^amount must be a non-positive integer .* \(got 1\)$/)],
      [{ ...buyerRefundR, amount: 0 }, expect.stringMatching(/^amount must be a negative integer .* \(got 0\)$/)],
      [{ ...buyerRefundR, share: 0 }, 'share must be 1 for a buyer-refund entry (got 0)'],
      [{ ...jobPayout, kind: 'gift' as 'sale' }, 'kind must be one of payout, refund, sale, buyer-refund (got "gift")'],
      [{ ...jobPayout, amount: 1.5 }, 'amount must be a non-negative integer number of minor units (got 1.5)'],
    ];
    for (const [record, message] of bad) {
      const filled = { kind: 'payout' as const, product: '', sale: '', ...record };
      expect(entryProblem(filled, 3)).toEqual(message);
      expect(() => appendEntries({ seq: 0, hash: '0'.repeat(64) }, [jobPayout, record], key.secretKey)).toThrow(
        `records[1]: ${typeof message === 'string' ? message : ''}`,
      );
    }
    // A zero refund is allowed, and written as 0 (not -0).
    const [zero] = appendEntries({ seq: 0, hash: '0'.repeat(64) }, [{ ...refundR, amount: -0 }], key.secretKey);
    expect(Object.is(zero!.amount, 0)).toBe(true);
    expect(fieldProblem('version', 3)).toBeUndefined();
    expect(entryProblem({ ...jobPayout, kind: 'payout' }, 2)).toMatch(/^kind is a field of version 3 entries/);
  });
});
