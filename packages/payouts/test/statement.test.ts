import { describe, expect, it } from 'vitest';
import {
  checkStatementReceipts,
  memberStatement,
  parseStatementWindow,
  PayoutInputError,
  type LedgerEntry,
} from '../src/index.js';
import { receiptOf, TestLedger } from './sales-ledger.js';

const members = [
  { participant: 'node-a', value: 2 },
  { participant: 'node-b', value: 1 },
];
const P = 'prod-00000000000000aa';

/** node-a: a job payout on 1 Dec, sales on 1, 2 (USD) and 3 Dec, refunds of the first sale on 4 Dec. */
function market(): TestLedger {
  const l = new TestLedger();
  l.append([
    {
      job: 'job-t',
      participant: 'node-a',
      amount: 600,
      currency: 'EUR',
      method: 'shapley',
      share: 0.6,
      timestamp: '2026-12-01T08:00:00Z',
    },
  ]);
  l.sell('sale-1', P, 'acme-bank', 900, 'EUR', members, '2026-12-01T10:00:00Z');
  l.sell('sale-2', P, 'beta-insurer', 300, 'USD', members, '2026-12-02T23:59:59.999Z');
  l.sell('sale-3', P, 'acme-bank', 90, 'EUR', members, '2026-12-03T00:00:00Z');
  l.refund('sale-1', 300, '2026-12-04T09:00:00+02:00');
  return l;
}

describe('memberStatement', () => {
  const l = market();
  const byKind = (e: LedgerEntry[]) => e.map((x) => [x.seq, x.kind, x.amount]);

  it("lists the member's payouts and refunds with their sales, totals and a daily series", () => {
    const s = memberStatement(l.entries, 'node-a');
    expect(s).toMatchObject({ member: 'node-a', from: null, to: null, problems: [] });
    expect(s.entries.map((e) => [e.kind, e.sale, e.buyer, e.amount, e.currency])).toEqual([
      ['payout', '', '', 600, 'EUR'],
      ['payout', 'sale-1', 'acme-bank', 600, 'EUR'],
      ['payout', 'sale-2', 'beta-insurer', 200, 'USD'],
      ['payout', 'sale-3', 'acme-bank', 60, 'EUR'],
      ['refund', 'sale-1', 'acme-bank', -200, 'EUR'],
    ]);
    const own = l.entries.filter((e) => e.participant === 'node-a');
    expect(s.entries.map((e) => [e.seq, e.hash])).toEqual(own.map((e) => [e.seq, e.hash]));
    expect(s.sales).toEqual([
      {
        sale: 'sale-1',
        product: P,
        buyer: 'acme-bank',
        price: 900,
        currency: 'EUR',
        timestamp: '2026-12-01T10:00:00Z',
        buyerRefunded: -300,
        memberAmount: 400,
      },
      {
        sale: 'sale-2',
        product: P,
        buyer: 'beta-insurer',
        price: 300,
        currency: 'USD',
        timestamp: '2026-12-02T23:59:59.999Z',
        buyerRefunded: 0,
        memberAmount: 200,
      },
      {
        sale: 'sale-3',
        product: P,
        buyer: 'acme-bank',
        price: 90,
        currency: 'EUR',
        timestamp: '2026-12-03T00:00:00Z',
        buyerRefunded: 0,
        memberAmount: 60,
      },
    ]);
    expect(s.totals).toEqual([
      { currency: 'EUR', paid: 1260, refunded: -200, net: 1060, entries: 4 },
      { currency: 'USD', paid: 200, refunded: 0, net: 200, entries: 1 },
    ]);
    // The refund at 09:00+02:00 is 07:00 UTC on 4 Dec.
    expect(s.series).toEqual([
      { date: '2026-12-01', currency: 'EUR', amount: 1200, cumulative: 1200 },
      { date: '2026-12-02', currency: 'USD', amount: 200, cumulative: 200 },
      { date: '2026-12-03', currency: 'EUR', amount: 60, cumulative: 1260 },
      { date: '2026-12-04', currency: 'EUR', amount: -200, cumulative: 1060 },
    ]);
    // A buyer's own statement has no entries: sale events are not payments to it.
    expect(memberStatement(l.entries, 'acme-bank').entries).toEqual([]);
  });

  it('keeps whole UTC days for dates, both bounds inclusive, and instants for date-times', () => {
    const days = memberStatement(l.entries, 'node-a', { from: '2026-12-02', to: '2026-12-03' });
    expect(days.entries.map((e) => e.sale)).toEqual(['sale-2', 'sale-3']);
    expect(days.series.map((p) => p.cumulative)).toEqual([200, 60]);
    const instant = memberStatement(l.entries, 'node-a', { from: '2026-12-01T10:00:00Z', to: '2026-12-02T23:59:59Z' });
    expect(instant.entries.map((e) => e.sale)).toEqual(['sale-1']);
    // Buyer refunds of a sale count up to the period's end.
    const beforeRefund = memberStatement(l.entries, 'node-a', { to: '2026-12-03' });
    expect(beforeRefund.sales[0]).toMatchObject({ sale: 'sale-1', buyerRefunded: 0, memberAmount: 600 });
    expect(memberStatement(l.entries, 'node-a', { from: '2026-12-04' }).totals).toEqual([
      { currency: 'EUR', paid: 0, refunded: -200, net: -200, entries: 1 },
    ]);
  });

  it('names a sale the ledger has no sale entry for', () => {
    const orphan = l.entries.filter((e) => !(e.kind === 'sale' && e.sale === 'sale-3'));
    const s = memberStatement(orphan, 'node-a');
    expect(s.problems).toEqual([expect.stringMatching(/^seq \d+: sale sale-3 has no sale entry in the ledger$/)]);
    expect(s.sales[2]).toMatchObject({ sale: 'sale-3', buyer: '', price: 0 });
    expect(byKind(orphan).length).toBe(l.entries.length - 1);
  });
});

describe('parseStatementWindow', () => {
  it('reads dates as whole UTC days and date-times as instants', () => {
    expect(parseStatementWindow('2026-12-01', '2026-12-01')).toEqual({
      from: '2026-12-01',
      to: '2026-12-01',
      start: Date.UTC(2026, 11, 1),
      end: Date.UTC(2026, 11, 2),
    });
    expect(parseStatementWindow(undefined, '2026-12-01T10:00:00+01:00')).toEqual({
      from: null,
      to: '2026-12-01T10:00:00+01:00',
      start: null,
      end: Date.UTC(2026, 11, 1, 9) + 1,
    });
  });

  it('names --from or --to with an example', () => {
    const cases: [string | undefined, string | undefined, string][] = [
      ['2026-02-30', undefined, '--from'],
      ['yesterday', undefined, '--from'],
      [undefined, '2026-12-01 10:00', '--to'],
      ['2026-12-02', '2026-12-01', '--to'],
    ];
    for (const [from, to, field] of cases) {
      let error: unknown;
      try {
        parseStatementWindow(from, to);
      } catch (e) {
        error = e;
      }
      expect(error, `${from} ${to}`).toBeInstanceOf(PayoutInputError);
      expect((error as PayoutInputError).field).toBe(field);
      expect((error as Error).message).toMatch(/2026-12-01/);
    }
    expect(() => parseStatementWindow('yesterday')).toThrow(
      '--from must be a date such as 2026-12-01 (a whole UTC day) or an ISO 8601 date-time such as ' +
        '2026-12-01T09:30:00Z, got "yesterday"',
    );
  });
});

describe('checkStatementReceipts', () => {
  const l = market();
  const receipts = l.entries.filter((e) => e.participant === 'node-a').map(receiptOf);

  it('matches every receipt in the period, and counts the ones outside', () => {
    const s = memberStatement(l.entries, 'node-a', { from: '2026-12-02' });
    expect(checkStatementReceipts(s, l.entries, receipts)).toEqual({
      ok: true,
      receipts: 5,
      matched: 3,
      outside: 2,
      problems: [],
    });
  });

  it('names a receipt the statement lacks, one of another member, and a forged one', () => {
    const s = memberStatement(l.entries, 'node-a');
    const missing = s.entries[2]!;
    const lacking = { ...s, entries: s.entries.filter((e) => e !== missing) };
    expect(checkStatementReceipts(lacking, l.entries, receipts)).toMatchObject({
      ok: false,
      matched: 4,
      problems: [
        `receipt of seq ${missing.seq} (payout of 200 USD, 2026-12-02T23:59:59.999Z) is in the period but not in ` +
          'the statement',
      ],
    });
    const other = receiptOf(l.entries.find((e) => e.participant === 'node-b')!);
    expect(checkStatementReceipts(s, l.entries, [...receipts, other]).problems).toEqual([
      `receipt of seq ${other.entry.seq} is for participant node-b, not node-a: give only this member's`,
    ]);
    const forged = receiptOf({ ...receipts[1]!.entry, amount: 601 });
    const withForged = receipts.map((r, i) => (i === 1 ? forged : r));
    expect(checkStatementReceipts(s, l.entries, withForged).problems).toEqual([
      expect.stringMatching(/^receipt of seq 3: its entry \(seq 3\) does not verify under its coordinator key/),
    ]);
    // A statement whose entry differs from the receipt's (another hash at that seq).
    const rewritten = { ...s, entries: s.entries.map((e) => (e === missing ? { ...e, hash: 'f'.repeat(64) } : e)) };
    expect(checkStatementReceipts(rewritten, l.entries, receipts).problems).toEqual([
      `receipt of seq ${missing.seq}: the statement's entry has hash ffffffffffffffff..., the receipt ` +
        `${missing.hash.slice(0, 16)}...`,
    ]);
  });

  it("names a sale's entry the member holds no receipt of: its node refused it or never received it", () => {
    // The coordinator paid node-a for sale-2 without its consent: node-a's node refused and did not keep the receipt.
    const s = memberStatement(l.entries, 'node-a');
    const unconsented = s.entries.find((e) => e.sale === 'sale-2')!;
    const kept = receipts.filter((r) => r.entry.seq !== unconsented.seq);
    const check = checkStatementReceipts(s, l.entries, kept);
    expect(check).toMatchObject({ ok: false, matched: kept.length });
    expect(check.problems).toEqual([
      `seq ${unconsented.seq} (payout of 200 USD for sale sale-2) is in the statement, and this member holds no ` +
        "receipt of it: its node did not keep it (a node refuses a sale's payout or refund it did not consent " +
        'to: look for a refusal at stage receipt in its audit log), or never received it',
    ]);
    // A job's own payout without a receipt is not a sale's: not named.
    const job = s.entries.find((e) => e.sale === '')!;
    expect(
      checkStatementReceipts(
        s,
        l.entries,
        receipts.filter((r) => r.entry.seq !== job.seq),
      ).ok,
    ).toBe(true);
  });
});
