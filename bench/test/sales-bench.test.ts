// The sales benchmark (node bench/dist/main.js sales) at its quick size: the market-insight report with and without
// valuation on a real LocalFederation, sales and refunds through the client with the exported ledger reconciled,
// the splits and the ledger tools over a signed synthetic ledger. Timings are never asserted.
// It imports the built part (bench/dist), as the recommend benchmark's test does.
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { appendEntries, GENESIS_HASH, reconcileLedger } from '@tessera/payouts';
import { memberReceipts, salesRecords } from '../dist/sales/ledger-scale.js';
import { percentile } from '../dist/sales/sale-cost.js';
import { renderSalesBench, runSalesBench, SALES_QUICK } from '../dist/sales/sales-bench.js';

describe('sales benchmark (bench workspace)', () => {
  it('builds a synthetic ledger that reconciles, with a receipt per entry of a member', () => {
    const o = { sales: 30, membersPerSale: 4, members: 8, refunds: 3, year: 2026, statementMonth: 6 };
    const { records, groupEnds } = salesRecords(o);
    // 30 x (1 sale + 4 payouts) + 3 x (4 member refunds + 1 buyer refund)
    expect(records).toHaveLength(30 * 5 + 3 * 5);
    expect(records.filter((r) => r.kind === 'sale')).toHaveLength(30);
    expect(records.filter((r) => r.kind === 'buyer-refund')).toHaveLength(3);
    expect(groupEnds).toHaveLength(33);
    expect(groupEnds.at(-1)).toBe(records.length);
    const keys = generateSigningKeyPair();
    const ledger = appendEntries({ seq: 0, hash: GENESIS_HASH }, records, keys.secretKey);
    const r = reconcileLedger(ledger);
    expect(r.problems).toEqual([]);
    expect(r.balanced).toBe(true);
    const receipts = memberReceipts(ledger, groupEnds, 'member-000', keys);
    expect(receipts.length).toBe(ledger.filter((e) => e.participant === 'member-000').length);
    for (const x of receipts) {
      // The head a receipt carries ends its sale's or refund's group: at or after its entry.
      expect(x.head!.seq).toBeGreaterThanOrEqual(x.entry.seq);
      expect(groupEnds).toContain(x.head!.seq);
    }
  });

  it('takes the nearest-rank percentile', () => {
    const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(xs, 90)).toBe(9);
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 100)).toBe(10);
    expect(percentile([], 90)).toBeNaN();
  });

  it('measures valuation, sales and the ledger tools at the quick sizes, everything reconciled', async () => {
    const r = await runSalesBench(() => {}, { TESSERA_BENCH_SALES_QUICK: '1' }, 'test');
    expect(r.quick).toBe(true);
    expect(r.command).toBe('TESSERA_BENCH_SALES_QUICK=1 test');
    expect(r.federation.merchants).toBe(SALES_QUICK.merchants);
    expect(r.valuation.queries).toHaveLength(3);
    // Each query ran once without and once with valuation under DP.
    expect(r.valuation.runs).toHaveLength(3 * 2 * SALES_QUICK.valuation.repetitions);
    for (const q of r.valuation.queries) {
      // The joint release adds the documented factor to the report's noise, and a little more: the fixed-point
      // rounding term grows with the vector's length (the count coordinates).
      expect(q.noiseRatio).toBeGreaterThanOrEqual(q.valuationNoiseFactor - 0.002);
      expect(q.noiseRatio).toBeLessThan(q.valuationNoiseFactor * 1.02);
      expect(q.valuationNoiseFactor).toBeGreaterThan(1);
      expect(q.countNoiseStd).toBeGreaterThan(0);
      expect(Object.keys(q.exactCounts)).toHaveLength(SALES_QUICK.merchants);
      // No WHERE and unit record: a member counts every one of its rows.
      expect(Object.values(q.exactCounts).sort((a, b) => a - b)).toEqual([...r.federation.rows].sort((a, b) => a - b));
      expect(q.relativeError.samples).toBe(SALES_QUICK.merchants);
    }
    expect(r.sales).toHaveLength(1);
    const s = r.sales[0]!;
    expect(s.members).toBe(SALES_QUICK.merchants);
    expect(s.saleSeconds).toHaveLength(SALES_QUICK.sales.sales);
    expect(s.refundSeconds).toHaveLength(SALES_QUICK.sales.refunds);
    expect(s.refusals).toBe(0);
    // Each sale: its event and a payout per member; each refund: a refund per member and the buyer's.
    expect(s.ledger.entries).toBe((SALES_QUICK.sales.sales + SALES_QUICK.sales.refunds) * (1 + s.members));
    expect(s.ledger).toMatchObject({ verified: true, balanced: true, problems: [] });
    expect(r.largeFederation).toBeNull();
    expect(r.splits.map((x) => x.members)).toEqual(SALES_QUICK.splitMembers);
    const l = r.ledger;
    const lo = SALES_QUICK.ledger;
    expect(l.entries).toBe(lo.sales * (1 + lo.membersPerSale) + lo.refunds * (1 + lo.membersPerSale));
    expect(l.verify.ok).toBe(true);
    expect(l.reconcile).toMatchObject({ balanced: true, sales: lo.sales, currencies: 1 });
    expect(l.statement.entries).toBeGreaterThan(0);
    // The year holds the month; member-000 is paid by every (members / membersPerSale)-th sale.
    expect(l.yearStatement.entries).toBeGreaterThan(l.statement.entries);
    expect(l.yearStatement.sales).toBe(lo.sales / (lo.members / lo.membersPerSale));
    expect(l.yearStatement.entries).toBe(l.receipts.receipts);
    expect(l.receipts.ok).toBe(true);
    expect(l.receipts.matched).toBe(l.statement.entries);
    expect(l.receipts.matched + l.receipts.outside).toBe(l.receipts.receipts);
    expect(r.pass).toBe(true);
    expect(renderSalesBench(r)).toContain('every member valued, every sale reconciled, the ledger tools agreeing: yes');
  }, 120_000);
});
