/**
 * Refunding (part of) a sale: new signed entries, never edits. The amount (at most what is left of the sale) is
 * taken back from the members in proportion to what each still holds of it (splitRefund, exact): one `buyer-refund`
 * event (minus the amount, to the buyer) and a negative `refund` entry per member giving something back, appended in
 * the transaction that stores the refund as `<sale>/refund/<n>`: a second refund racing for the same n fails on
 * that key instead of refunding twice. A refused refund writes nothing.
 */
import {
  PayoutInputError,
  splitRefund,
  type LedgerEntry,
  type PayoutRecord,
  type ProductView,
  type RefundView,
  type SaleView,
} from '@tessera/payouts';
import type { SaleRecord } from '../store/store.js';
import { jobsOf, sendReceipts } from './sale-settlement.js';
import { minorUnits, SalesError, textField } from './sales-error.js';
import type { SalesDeps } from './sales-deps.js';
import { memberEntries, ownSale, withRefunds } from './sale-views.js';

export interface RefundRequest {
  saleId: string;
  amount: number;
  reason: string;
}

/** What each member the sale paid still holds of it: its payout plus its (negative) refunds so far. */
export function remainingOf(sale: SaleView): { participant: string; remaining: number }[] {
  return sale.entries.map(({ participant, amount }) => ({
    participant,
    remaining:
      amount +
      sale.refunds.reduce(
        (a, r) => a + r.entries.filter((e) => e.participant === participant).reduce((b, e) => b + e.amount, 0),
        0,
      ),
  }));
}

/** Refunds `request.amount` of sale `request.saleId` of a product of analyst `seller`; returns the sale's view. */
export async function refundSale(deps: SalesDeps, seller: string, request: RefundRequest): Promise<SaleView> {
  const { sale, product: record } = await ownSale(deps.store, request.saleId, seller);
  const product = JSON.parse(record.json) as ProductView;
  const before = withRefunds(sale, await deps.store.listSales({ saleId: sale.id }));
  const amount = minorUnits('amount', request.amount, 1);
  const reason = textField('reason', request.reason, 1000, false);
  if (amount > before.net)
    throw new SalesError(
      'invalid-argument',
      'amount',
      `amount ${amount} is more than what is left of sale ${sale.id}: ${before.net} ${before.currency} minor units ` +
        `(price ${before.amount}, refunded ${before.amount - before.net} so far); refund at most ${before.net}`,
    );
  let split;
  try {
    split = splitRefund(amount, before.currency, remainingOf(before));
  } catch (e) {
    if (e instanceof PayoutInputError) throw new SalesError('invalid-argument', e.field, e.message);
    throw e;
  }
  const id = `${sale.id}/refund/${before.refunds.length + 1}`;
  const createdAt = Date.now();
  const timestamp = new Date(createdAt).toISOString();
  const common = {
    job: jobsOf(product),
    currency: before.currency,
    method: 'refund',
    timestamp,
    product: product.id,
    sale: sale.id,
  };
  // Members giving nothing back (a share rounded to 0) get no entry.
  const given = split.entries.filter((e) => e.amount > 0);
  const records: PayoutRecord[] = [
    { ...common, kind: 'buyer-refund', participant: before.buyer, amount: -amount, share: 1 },
    ...given.map(
      (e): PayoutRecord => ({
        ...common,
        kind: 'refund',
        participant: e.participant,
        amount: -e.amount,
        share: e.share,
      }),
    ),
  ];
  const view = (entries: readonly LedgerEntry[]): RefundView => ({
    id,
    amount,
    reason,
    createdAt: timestamp,
    entries: memberEntries(entries),
    seq: entries[0]!.seq,
  });
  let entries: LedgerEntry[];
  try {
    entries = await deps.ledger.append(
      records,
      (appended): SaleRecord => ({
        id,
        productId: product.id,
        kind: 'refund',
        saleId: sale.id,
        createdAt,
        json: JSON.stringify(view(appended)),
      }),
    );
  } catch (e) {
    if (await deps.store.getSale(id))
      throw new SalesError(
        'failed-precondition',
        'sale',
        `sale: another refund of sale ${sale.id} (${id}) was made at the same moment; nothing was written for ` +
          'this one: look at the sale (tessera products sales) and refund again if something is still owed',
      );
    throw e;
  }
  sendReceipts(deps, entries);
  return withRefunds(sale, await deps.store.listSales({ saleId: sale.id }));
}
