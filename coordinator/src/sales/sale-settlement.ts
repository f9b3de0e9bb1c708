/**
 * Selling a product: the sale is checked (the caller's product, the amount, the currency, the buyer), the members
 * are asked (the SALE stage), the price is split exactly among those that consent, and the sale event and one payout
 * per consenting member are appended to the signed ledger (ledger format 3) in the transaction that stores the sale.
 * Each member paid gets its receipt. A refused sale writes nothing.
 */
import { randomId } from '@tessera/crypto';
import {
  PayoutInputError,
  splitSale,
  type LedgerEntry,
  type PayoutRecord,
  type ProductView,
  type SaleView,
} from '@tessera/payouts';
import type { SaleRecord } from '../store/store.js';
import { askConsent } from './sale-consent.js';
import { currencyCode, minorUnits, SalesError, textField } from './sales-error.js';
import type { SalesDeps } from './sales-deps.js';
import { memberEntries, ownProduct } from './sale-views.js';

export interface SaleRequest {
  productId: string;
  buyer: string;
  buyerClass: string;
  /** The price in minor units; the product's list price when `hasAmount` is false. */
  amount: number;
  hasAmount: boolean;
  /** Empty: the product's currency; else it must be the product's. */
  currency: string;
  note: string;
}

/** What the ledger names as a product's valuation method: `equal`, or its jobs' methods (records, shapley...). */
export const methodOf = (product: ProductView): string =>
  product.valuation === 'equal' ? 'equal' : product.methods.join('+');

/** The ledger's `job` of a product's entries: its jobs' ids joined with `+`. */
export const jobsOf = (product: ProductView): string => product.jobs.join('+');

/** The checked sale: its amount, currency, buyer and class, and note; or a SalesError naming the field. */
function checkedSale(product: ProductView, request: SaleRequest) {
  const amount = request.hasAmount ? minorUnits('amount', request.amount, 1) : product.price;
  if (amount <= 0)
    throw new SalesError(
      'invalid-argument',
      'amount',
      `amount: product ${product.id} has a list price of 0; give the sale's amount (more than 0 minor units)`,
    );
  const currency = request.currency ? currencyCode('currency', request.currency) : product.currency;
  if (currency !== product.currency)
    throw new SalesError(
      'invalid-argument',
      'currency',
      `currency ${currency} is not the currency of product ${product.id} (${product.currency}); sell it in ` +
        `${product.currency}`,
    );
  return {
    amount,
    currency,
    buyer: textField('buyer', request.buyer, 200, true),
    buyerClass: textField('buyer_class', request.buyerClass, 100, false),
    note: textField('note', request.note, 1000, false),
  };
}

/** Sells product `request.productId` of analyst `seller`; returns the sale's view. */
export async function sellProduct(deps: SalesDeps, seller: string, request: SaleRequest): Promise<SaleView> {
  const record = await ownProduct(deps.store, request.productId, seller);
  const product = JSON.parse(record.json) as ProductView;
  const sale = checkedSale(product, request);
  const id = randomId('sale-', 8);
  const members = product.members.map((m) => m.participant);
  const { consenting, refusals } = await askConsent(
    deps.registry,
    members,
    {
      saleId: id,
      productId: product.id,
      productName: product.name,
      jobs: product.jobs,
      buyer: sale.buyer,
      buyerClass: sale.buyerClass,
      amount: sale.amount,
      currency: sale.currency,
      seller,
    },
    deps.consentMs,
  );
  let split;
  try {
    split = splitSale(
      sale.amount,
      sale.currency,
      product.members.map((m) => ({ participant: m.participant, value: m.value })),
      new Set(members.filter((m) => !consenting.has(m))),
    );
  } catch (e) {
    if (!(e instanceof PayoutInputError)) throw e;
    const why = refusals.map((r) => `${r.participant} (${r.kind}): ${r.reason}`).join('; ');
    throw new SalesError('failed-precondition', e.field, why ? `${e.message}. Refusals: ${why}` : e.message);
  }
  const createdAt = Date.now();
  const timestamp = new Date(createdAt).toISOString();
  const common = { job: jobsOf(product), currency: sale.currency, method: methodOf(product), timestamp };
  const ids = { product: product.id, sale: id };
  const records: PayoutRecord[] = [
    { ...common, ...ids, kind: 'sale', participant: sale.buyer, amount: sale.amount, share: 1 },
    ...split.entries.map(
      (e): PayoutRecord => ({
        ...common,
        ...ids,
        kind: 'payout',
        participant: e.participant,
        amount: e.amount,
        share: e.share,
      }),
    ),
  ];
  const view = (entries: readonly LedgerEntry[]): SaleView => ({
    id,
    product: product.id,
    productName: product.name,
    jobs: product.jobs,
    buyer: sale.buyer,
    buyerClass: sale.buyerClass,
    amount: sale.amount,
    currency: sale.currency,
    note: sale.note,
    seller,
    createdAt: timestamp,
    entries: memberEntries(entries),
    refusals,
    refunds: [],
    net: sale.amount,
    seq: entries[0]!.seq,
    ledgerHead: entries.at(-1)!.hash,
    coordinatorPublicKey: deps.ledger.publicKeyHex,
  });
  let made: SaleView | undefined;
  const entries = await deps.ledger.append(records, (appended): SaleRecord => {
    made = view(appended);
    return { id, productId: product.id, kind: 'sale', saleId: id, createdAt, json: JSON.stringify(made) };
  });
  sendReceipts(deps, entries);
  return made ?? view(entries);
}

/** Each member's receipt of its entry (not the buyer's event, the first), with the head after the whole batch. */
export function sendReceipts(deps: SalesDeps, entries: readonly LedgerEntry[]): void {
  for (const [i, { participant, receipt }] of deps.ledger.receipts(entries).entries())
    if (i > 0)
      deps.registry
        .get(participant)
        ?.send({ receipt })
        .catch(() => undefined);
}
