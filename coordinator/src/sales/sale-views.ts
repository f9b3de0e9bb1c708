/**
 * The views of stored products and sales as of now: a sale's row keeps the sale as it was made, its refunds are rows
 * of their own, and a product's sales totals are summed from its sales; these put them together.
 */
import type { LedgerEntry, ProductView, RefundView, SaleEntry, SaleView } from '@tessera/payouts';
import type { ProductRecord, SaleRecord, SalesFilter, Store } from '../store/store.js';
import { SalesError } from './sales-error.js';

/** The members' entries of an event just appended (`entries[0]` is the sale or buyer-refund event itself). */
export function memberEntries(entries: readonly LedgerEntry[]): SaleEntry[] {
  return entries.slice(1).map((e) => ({
    participant: e.participant,
    amount: e.amount,
    share: e.share,
    seq: e.seq,
    hash: e.hash,
  }));
}

/** A sale with its refunds (rows of kind refund with its id as their sale), in the order they were made. */
export function withRefunds(sale: SaleRecord, rows: readonly SaleRecord[]): SaleView {
  const view = JSON.parse(sale.json) as SaleView;
  const refunds = rows
    .filter((r) => r.kind === 'refund' && r.saleId === sale.id)
    .map((r) => JSON.parse(r.json) as RefundView);
  return { ...view, refunds, net: view.amount - refunds.reduce((a, r) => a + r.amount, 0) };
}

/** Sales (kind sale) among `rows`, each with its refunds among them. */
export function salesAmong(rows: readonly SaleRecord[]): SaleView[] {
  return rows.filter((r) => r.kind === 'sale').map((s) => withRefunds(s, rows));
}

/** The sales matching `filter`, each with its refunds. */
export async function listSaleViews(store: Store, filter: SalesFilter): Promise<SaleView[]> {
  return salesAmong(await store.listSales(filter));
}

/** A product's view with its sales so far: their count, gross, refunded and net, in minor units. */
export async function productView(store: Store, product: ProductRecord): Promise<ProductView> {
  const view = JSON.parse(product.json) as ProductView;
  const sales = await listSaleViews(store, { productId: product.id });
  const gross = sales.reduce((a, s) => a + s.amount, 0);
  const net = sales.reduce((a, s) => a + s.net, 0);
  return { ...view, sales: { count: sales.length, gross, refunded: gross - net, net } };
}

/** The caller's product `id`, or a SalesError on `field`: another analyst's product is as unknown as a missing one. */
export async function ownProduct(store: Store, id: string, owner: string, field = 'product'): Promise<ProductRecord> {
  const product = id ? await store.getProduct(id) : undefined;
  if (!product || product.owner !== owner)
    throw new SalesError(
      'not-found',
      field,
      `${field}: no product "${id}" of analyst ${owner} (tessera products list shows yours)`,
    );
  return product;
}

/** The caller's sale `id` (a sale, not a refund) and its product, or a SalesError on `sale`. */
export async function ownSale(
  store: Store,
  id: string,
  owner: string,
): Promise<{ sale: SaleRecord; product: ProductRecord }> {
  const sale = id ? await store.getSale(id) : undefined;
  const product = sale?.kind === 'sale' ? await store.getProduct(sale.productId) : undefined;
  if (!sale || !product || product.owner !== owner)
    throw new SalesError(
      'not-found',
      'sale',
      `sale: no sale "${id}" of a product of analyst ${owner} (tessera products sales lists yours)`,
    );
  return { sale, product };
}
