/** Reconciling a ledger's sales exactly: what buyers paid against what members were paid, per currency and sale. */
import type { LedgerEntry, LedgerKind } from './ledger-types.js';

/**
 * One currency's totals (minor units, summed exactly as in the ledger: refunds are negative). Sales and their payouts
 * balance when salesNet (sales + buyerRefunds) equals paidNet (paid + refunded); jobPayouts (a job's own payouts,
 * sale '') are paid from the job's pool and reported apart.
 */
export interface CurrencyReconciliation {
  currency: string;
  /** Sum of the `sale` entries (prices). */
  sales: number;
  /** Sum of the `buyer-refund` entries (<= 0). */
  buyerRefunds: number;
  salesNet: number;
  /** Sum of the `payout` entries of sales (sale set). */
  paid: number;
  /** Sum of the `refund` entries (<= 0). */
  refunded: number;
  paidNet: number;
  /** salesNet - paidNet: 0 when balanced. */
  difference: number;
  balanced: boolean;
  /** Sum of jobs' own payouts (sale ''), not part of any sale. */
  jobPayouts: number;
}

/** One sale's totals, in its currency, as in the ledger (refunds negative). */
export interface SaleReconciliation {
  sale: string;
  product: string;
  /** The `sale` entry's participant. */
  buyer: string;
  currency: string;
  /** The ledger seq of the sale entry. */
  seq: number;
  /** The sale entry's amount. */
  price: number;
  /** Sum of the sale's `buyer-refund` entries (<= 0; never below -price). */
  buyerRefunded: number;
  /** Sum of the sale's `payout` entries. */
  paid: number;
  /** Sum of the sale's `refund` entries (<= 0). */
  refunded: number;
  /** price + buyerRefunded === paid + refunded. */
  balanced: boolean;
}

/** The result of reconcileLedger: balanced when every currency and sale balances and nothing else is wrong. */
export interface Reconciliation {
  balanced: boolean;
  entries: number;
  currencies: CurrencyReconciliation[];
  sales: SaleReconciliation[];
  /** What is wrong, each naming the sale ids and seqs. */
  problems: string[];
}

interface SaleSums {
  sale: string;
  product: string;
  buyer: string;
  currency: string;
  seq: number;
  price: bigint;
  buyerRefunded: bigint;
  paid: bigint;
  refunded: bigint;
  /** Per member: what this sale paid it and took back from it. */
  members: Map<string, { paid: bigint; refunded: bigint }>;
}

const ZERO = { sales: 0n, buyerRefunds: 0n, paid: 0n, refunded: 0n, jobPayouts: 0n };

/** A BigInt total as a number; throws a RangeError naming the total if it leaves the safe integer range. */
function safe(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(-Number.MAX_SAFE_INTEGER))
    throw new RangeError(
      `${what} is ${value} minor units, outside the safe integer range (±${Number.MAX_SAFE_INTEGER}); ` +
        'reconcile a shorter slice of the ledger',
    );
  return Number(value);
}

/**
 * Reconciles a ledger's entries (in ledger order, as verified by verifyLedger) exactly, in BigInt: per currency the
 * sales and buyer refunds against the payouts and refunds of sales, per sale the same, and the problems: an entry
 * referencing a sale with no `sale` entry before it, a sale id sold twice, an entry in another currency or product
 * than its sale's, buyer refunds above the price, a member refunded more than the sale paid it, and every imbalance.
 * Entries of versions 1 and 2 are jobs' own payouts.
 */
export function reconcileLedger(entries: readonly LedgerEntry[]): Reconciliation {
  const problems: string[] = [];
  const byCurrency = new Map<string, typeof ZERO>();
  const sales = new Map<string, SaleSums>();
  for (const e of entries) {
    const kind: LedgerKind = e.kind ?? 'payout';
    const saleId = e.sale ?? '';
    const totals = byCurrency.get(e.currency) ?? { ...ZERO };
    byCurrency.set(e.currency, totals);
    const amount = BigInt(e.amount);
    if (kind === 'payout' && saleId === '') {
      totals.jobPayouts += amount;
      continue;
    }
    if (kind === 'sale') totals.sales += amount;
    else if (kind === 'buyer-refund') totals.buyerRefunds += amount;
    else if (kind === 'payout') totals.paid += amount;
    else totals.refunded += amount;
    const at = `seq ${e.seq}`;
    if (kind === 'sale') {
      if (sales.has(saleId)) {
        problems.push(`${at}: sale ${saleId} is sold again (its sale entry is seq ${sales.get(saleId)!.seq})`);
        continue;
      }
      sales.set(saleId, {
        sale: saleId,
        product: e.product ?? '',
        buyer: e.participant,
        currency: e.currency,
        seq: e.seq,
        price: amount,
        buyerRefunded: 0n,
        paid: 0n,
        refunded: 0n,
        members: new Map(),
      });
      continue;
    }
    const s = sales.get(saleId);
    if (!s) {
      problems.push(`${at}: ${kind} of ${e.participant} references sale ${saleId}, which has no sale entry before it`);
      continue;
    }
    if (e.currency !== s.currency) {
      problems.push(
        `${at}: ${kind} of ${e.participant} for sale ${saleId} is in ${e.currency}, ` +
          `but the sale (seq ${s.seq}) is in ${s.currency}`,
      );
      continue;
    }
    if ((e.product ?? '') !== s.product)
      problems.push(
        `${at}: ${kind} of ${e.participant} for sale ${saleId} names product ${e.product}, ` +
          `but the sale (seq ${s.seq}) is of product ${s.product}`,
      );
    if (kind === 'buyer-refund') {
      s.buyerRefunded += amount;
      if (-s.buyerRefunded > s.price)
        problems.push(
          `${at}: sale ${saleId} has refunded ${-s.buyerRefunded} to the buyer, more than its price ${s.price}` +
            ` (seq ${s.seq})`,
        );
      continue;
    }
    const m = s.members.get(e.participant) ?? { paid: 0n, refunded: 0n };
    s.members.set(e.participant, m);
    if (kind === 'payout') {
      s.paid += amount;
      m.paid += amount;
    } else {
      s.refunded += amount;
      m.refunded += amount;
      if (-m.refunded > m.paid)
        problems.push(
          `${at}: member ${e.participant} has been refunded ${-m.refunded} of sale ${saleId}, ` +
            `more than the ${m.paid} it was paid`,
        );
    }
  }
  const saleRows: SaleReconciliation[] = [...sales.values()].map((s) => {
    const balanced = s.price + s.buyerRefunded === s.paid + s.refunded;
    if (!balanced)
      problems.push(
        `sale ${s.sale} (seq ${s.seq}): the buyer paid ${s.price + s.buyerRefunded} net but members were paid ` +
          `${s.paid + s.refunded} net ${s.currency} (difference ${s.price + s.buyerRefunded - s.paid - s.refunded})`,
      );
    const what = `sale ${s.sale}'s`;
    return {
      sale: s.sale,
      product: s.product,
      buyer: s.buyer,
      currency: s.currency,
      seq: s.seq,
      price: safe(s.price, `${what} price`),
      buyerRefunded: safe(s.buyerRefunded, `${what} buyer refunds`),
      paid: safe(s.paid, `${what} payouts`),
      refunded: safe(s.refunded, `${what} refunds`),
      balanced,
    };
  });
  const currencies: CurrencyReconciliation[] = [...byCurrency.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, t]) => {
      const salesNet = t.sales + t.buyerRefunds;
      const paidNet = t.paid + t.refunded;
      const difference = salesNet - paidNet;
      if (difference !== 0n)
        problems.push(
          `${currency}: sales net ${salesNet} but payouts of sales net ${paidNet} (difference ${difference})`,
        );
      const what = (total: string) => `the ${currency} total of ${total}`;
      return {
        currency,
        sales: safe(t.sales, what('sales')),
        buyerRefunds: safe(t.buyerRefunds, what('buyer refunds')),
        salesNet: safe(salesNet, what('sales net')),
        paid: safe(t.paid, what('payouts of sales')),
        refunded: safe(t.refunded, what('refunds')),
        paidNet: safe(paidNet, what('payouts net')),
        difference: safe(difference, what('difference')),
        balanced: difference === 0n,
        jobPayouts: safe(t.jobPayouts, what("jobs' own payouts")),
      };
    });
  return {
    balanced: problems.length === 0,
    entries: entries.length,
    currencies,
    sales: saleRows,
    problems,
  };
}
