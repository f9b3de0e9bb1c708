import { describe, expect, it } from 'vitest';
import { ledgerLine, reconcileLedger, verifyLedger, type LedgerEntry, type PayoutRecord } from '../src/index.js';
import { coordinator, TestLedger } from './sales-ledger.js';

const members = [
  { participant: 'node-a', value: 0.5 },
  { participant: 'node-b', value: 0.3 },
  { participant: 'node-c', value: 0.2 },
];
const P = 'prod-00000000000000aa';

/** Two job payouts, three sales in two currencies (one with a refusing member) and two refunds of the first. */
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
    {
      job: 'job-t',
      participant: 'node-b',
      amount: 400,
      currency: 'EUR',
      method: 'shapley',
      share: 0.4,
      timestamp: '2026-12-01T08:00:00Z',
    },
  ]);
  l.sell('sale-1', P, 'acme-bank', 1009, 'EUR', members, '2026-12-01T10:00:00Z');
  l.sell('sale-2', P, 'beta-insurer', 997, 'USD', members, '2026-12-02T10:00:00Z', new Set(['node-b']));
  l.sell('sale-3', P, 'acme-bank', 1009, 'EUR', members, '2026-12-03T10:00:00Z');
  l.refund('sale-1', 101, '2026-12-04T09:00:00Z');
  l.refund('sale-1', 7, '2026-12-05T09:00:00Z');
  return l;
}

const withChange = (entries: LedgerEntry[], seq: number, change: Partial<LedgerEntry>) =>
  entries.map((e) => (e.seq === seq ? { ...e, ...change } : e));

describe('reconcileLedger', () => {
  it('balances a ledger of job payouts, sales and refunds exactly, per currency and per sale', () => {
    const l = market();
    expect(verifyLedger(l.entries.map(ledgerLine).join('\n'), coordinator.publicKey).ok).toBe(true);
    const r = reconcileLedger(l.entries);
    expect(r.problems).toEqual([]);
    expect(r.balanced).toBe(true);
    expect(r.entries).toBe(l.entries.length);
    expect(r.currencies).toEqual([
      {
        currency: 'EUR',
        sales: 2018,
        buyerRefunds: -108,
        salesNet: 1910,
        paid: 2018,
        refunded: -108,
        paidNet: 1910,
        difference: 0,
        balanced: true,
        jobPayouts: 1000,
      },
      {
        currency: 'USD',
        sales: 997,
        buyerRefunds: 0,
        salesNet: 997,
        paid: 997,
        refunded: 0,
        paidNet: 997,
        difference: 0,
        balanced: true,
        jobPayouts: 0,
      },
    ]);
    expect(r.sales.map((s) => [s.sale, s.buyer, s.currency, s.price, s.buyerRefunded, s.paid, s.refunded])).toEqual([
      ['sale-1', 'acme-bank', 'EUR', 1009, -108, 1009, -108],
      ['sale-2', 'beta-insurer', 'USD', 997, 0, 997, 0],
      ['sale-3', 'acme-bank', 'EUR', 1009, 0, 1009, 0],
    ]);
    expect(r.sales.every((s) => s.balanced && s.product === P)).toBe(true);
    // The refusing member got nothing of sale-2: a(0.5) and c(0.2) shared 997 as 712 and 285.
    const sale2 = l.entries.filter((e) => e.sale === 'sale-2' && e.kind === 'payout');
    expect(sale2.map((e) => [e.participant, e.amount])).toEqual([
      ['node-a', 712],
      ['node-c', 285],
    ]);
  });

  it('finds a payout missing from a sale, naming the sale, its seq and the currency', () => {
    const l = market();
    const dropped = l.entries.find((e) => e.sale === 'sale-3' && e.participant === 'node-b')!;
    const r = reconcileLedger(l.entries.filter((e) => e !== dropped));
    expect(r.balanced).toBe(false);
    const sale3 = r.sales.find((s) => s.sale === 'sale-3')!;
    expect(sale3).toMatchObject({ balanced: false, paid: 1009 - dropped.amount });
    expect(r.currencies[0]).toMatchObject({ currency: 'EUR', balanced: false, difference: dropped.amount });
    expect(r.problems).toEqual([
      `sale sale-3 (seq ${sale3.seq}): the buyer paid 1009 net but members were paid ` +
        `${1009 - dropped.amount} net EUR ` +
        `(difference ${dropped.amount})`,
      `EUR: sales net 1910 but payouts of sales net ${1910 - dropped.amount} (difference ${dropped.amount})`,
    ]);
  });

  it('finds an edited amount even where the chain is not checked', () => {
    const l = market();
    const payout = l.entries.find((e) => e.sale === 'sale-1' && e.kind === 'payout')!;
    const r = reconcileLedger(withChange(l.entries, payout.seq, { amount: payout.amount + 1 }));
    expect(r.balanced).toBe(false);
    expect(r.sales[0]).toMatchObject({ sale: 'sale-1', balanced: false, paid: 1010 });
    expect(r.problems[0]).toMatch(/^sale sale-1 \(seq 3\): .* \(difference -1\)$/);
  });

  it('finds buyer refunds above the price and a member refunded more than it was paid', () => {
    const l = market();
    const sale3 = l.entries.filter((e) => e.sale === 'sale-3');
    const common = {
      job: 'job-q+job-t',
      currency: 'EUR',
      timestamp: '2026-12-06T00:00:00Z',
      product: P,
      sale: 'sale-3',
    };
    const more: PayoutRecord[] = [
      { ...common, kind: 'buyer-refund', participant: 'acme-bank', amount: -1010, method: 'refund', share: 1 },
      // node-a takes back everything of the sale's payouts and one unit more
      { ...common, kind: 'refund', participant: 'node-a', amount: -1010, method: 'refund', share: 1 },
    ];
    const [refund, memberRefund] = l.append(more);
    const r = reconcileLedger(l.entries);
    expect(r.balanced).toBe(false);
    const paidA = sale3.find((e) => e.participant === 'node-a')!.amount;
    expect(r.problems).toEqual([
      `seq ${refund!.seq}: sale sale-3 has refunded 1010 to the buyer, more than its price 1009 (seq ${sale3[0]!.seq})`,
      `seq ${memberRefund!.seq}: member node-a has been refunded 1010 of sale sale-3, ` +
        `more than the ${paidA} it was paid`,
    ]);
    // Each total still balances: the problems are the only sign.
    expect(r.currencies[0]!.balanced).toBe(true);
  });

  it('finds a payout of an unknown sale, a sale in another currency or product, and a sale sold twice', () => {
    const l = market();
    const common = { job: 'job-q', timestamp: '2026-12-06T00:00:00Z', product: P, method: 'records' };
    const [ghost, wrongCurrency, wrongProduct, twice] = l.append([
      { ...common, kind: 'payout', participant: 'node-a', amount: 5, currency: 'EUR', share: 1, sale: 'sale-9' },
      { ...common, kind: 'payout', participant: 'node-c', amount: 5, currency: 'GBP', share: 1, sale: 'sale-2' },
      {
        ...common,
        kind: 'payout',
        participant: 'node-c',
        amount: 0,
        currency: 'USD',
        share: 0,
        sale: 'sale-2',
        product: 'prod-x',
      },
      { ...common, kind: 'sale', participant: 'acme-bank', amount: 5, currency: 'EUR', share: 1, sale: 'sale-1' },
    ]);
    const r = reconcileLedger(l.entries);
    expect(r.balanced).toBe(false);
    expect(r.problems).toEqual([
      `seq ${ghost!.seq}: payout of node-a references sale sale-9, which has no sale entry before it`,
      `seq ${wrongCurrency!.seq}: payout of node-c for sale sale-2 is in GBP, but the sale (seq 7) is in USD`,
      `seq ${wrongProduct!.seq}: payout of node-c for sale sale-2 names product prod-x, but the sale (seq 7) is of ` +
        `product ${P}`,
      `seq ${twice!.seq}: sale sale-1 is sold again (its sale entry is seq 3)`,
      // the ghost payout (+5 EUR paid) and the second sale (+5 EUR sold) cancel out in EUR; GBP does not balance
      'GBP: sales net 0 but payouts of sales net 5 (difference -5)',
    ]);
    expect(r.currencies.find((c) => c.currency === 'EUR')!.balanced).toBe(true);
  });

  it('is exact near 2^53 with prime prices, and refuses totals beyond the safe range', () => {
    const l = new TestLedger();
    const big = [
      { participant: 'p', value: 2 ** 53 - 1 },
      { participant: 'q', value: 2 ** 52 + 1 },
      { participant: 'r', value: 3 },
    ];
    l.sell('sale-big', P, 'whale', Number.MAX_SAFE_INTEGER - 7919, 'EUR', big, '2026-12-01T00:00:00Z');
    l.sell('sale-prime', P, 'minnow', 7919, 'EUR', big, '2026-12-01T00:00:00Z');
    l.refund('sale-prime', 7907, '2026-12-02T00:00:00Z');
    const r = reconcileLedger(l.entries);
    expect(r.problems).toEqual([]);
    expect(r.sales[0]).toMatchObject({ price: Number.MAX_SAFE_INTEGER - 7919, paid: Number.MAX_SAFE_INTEGER - 7919 });
    expect(r.currencies[0]).toMatchObject({
      sales: Number.MAX_SAFE_INTEGER,
      salesNet: Number.MAX_SAFE_INTEGER - 7907,
    });
    // The sum of the split is the price exactly, in BigInt too.
    const paid = l.entries.filter((e) => e.sale === 'sale-big' && e.kind === 'payout');
    expect(paid.reduce((a, e) => a + BigInt(e.amount), 0n)).toBe(BigInt(Number.MAX_SAFE_INTEGER - 7919));
    l.sell('sale-big-2', P, 'whale', 7908, 'EUR', big, '2026-12-03T00:00:00Z');
    expect(() => reconcileLedger(l.entries)).toThrow(
      `the EUR total of sales is ${BigInt(Number.MAX_SAFE_INTEGER) + 7908n} minor units, ` +
        'outside the safe integer range',
    );
  });
});
