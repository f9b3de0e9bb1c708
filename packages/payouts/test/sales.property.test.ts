import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ledgerLine, reconcileLedger, verifyLedger } from '../src/index.js';
import { coordinator, TestLedger } from './sales-ledger.js';

// Property-based: any run of sales and refunds, split by splitSale and splitRefund and written as version 3
// entries, verifies and reconciles exactly, and no member ever gives back more than a sale paid it.

const ids = ['m-a', 'm-b', 'm-c', 'm-d', 'm-e'];
const value = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0, max: 1e9, noNaN: true }));
const step = fc.oneof(
  fc.record({
    sell: fc.constant(true),
    price: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 2 ** 40 })),
    currency: fc.constantFrom('EUR', 'USD'),
    refusing: fc.subarray(ids),
  }),
  fc.record({ sell: fc.constant(false), pick: fc.nat(), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

describe('sales and refunds (fast-check)', () => {
  it('always verify, reconcile exactly and never refund a member more than it was paid', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: ids.length, maxLength: ids.length }),
        fc.array(step, { minLength: 1, maxLength: 10 }),
        (values, steps) => {
          const members = ids.map((participant, i) => ({ participant, value: values[i]! }));
          const l = new TestLedger();
          const sold: { id: string; left: number }[] = [];
          steps.forEach((s, i) => {
            const at = new Date(Date.UTC(2026, 11, 1) + i * 3_600_000).toISOString();
            if (s.sell) {
              const consenting = members.filter((m) => !s.refusing.includes(m.participant) && m.value > 0);
              if (consenting.length === 0) return;
              l.sell(`sale-${i}`, 'prod-1', 'buyer', s.price, s.currency, members, at, new Set(s.refusing));
              sold.push({ id: `sale-${i}`, left: s.price });
            } else if (sold.length > 0) {
              const target = sold[s.pick % sold.length]!;
              const amount = Math.floor(target.left * s.fraction);
              if (amount < 1) return;
              l.refund(target.id, amount, at);
              target.left -= amount;
            }
          });
          expect(verifyLedger(l.entries.map(ledgerLine).join('\n'), coordinator.publicKey).ok).toBe(true);
          const r = reconcileLedger(l.entries);
          expect(r.problems).toEqual([]);
          expect(r.balanced).toBe(true);
          for (const s of r.sales) expect(s.price + s.buyerRefunded).toBe(sold.find((x) => x.id === s.sale)!.left);
        },
      ),
      { seed: 23, numRuns: 150 },
    );
  });
});
