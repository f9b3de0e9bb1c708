// The sales part's sale cost: a report listed as a product, then sales and refunds through the analyst client, each
// timed from the client (the coordinator's consent round to every member, the split, the ledger append with the
// sale's row in one transaction, and the receipts sent to the members), and the exported ledger checked.
import { parseLedgerLine, reconcileLedger, verifyLedger } from '@tessera/payouts';
import { fromHex } from '@tessera/crypto';
import type { LocalFederation } from '@tessera/sdk';
import { fixed, median, secondsSince } from '../stats.js';

export interface SaleCostOptions {
  sales: number;
  refunds: number;
  /** The list price, minor units. */
  price: number;
  currency: string;
}

export interface SaleCost {
  members: number;
  product: string;
  productSeconds: number;
  saleSeconds: number[];
  refundSeconds: number[];
  sale: { median: number; p90: number };
  refund: { median: number; p90: number };
  /** Members left out of any sale (open nodes consent: 0 expected). */
  refusals: number;
  ledger: { entries: number; verified: boolean; balanced: boolean; problems: string[] };
}

/** The nearest-rank percentile p (0 to 100) of xs. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const BUYERS = [
  { buyer: 'acme-bank', buyerClass: 'bank' },
  { buyer: 'shopco', buyerClass: 'retail' },
  { buyer: 'safe-insure', buyerClass: 'insurance' },
];

/** Lists `jobs` as a product, sells it `o.sales` times, refunds a tenth of each of the first `o.refunds` sales. */
export async function runSaleCost(
  fed: LocalFederation,
  jobs: readonly string[],
  o: SaleCostOptions,
  log: (line: string) => void,
): Promise<SaleCost> {
  let t = performance.now();
  const product = await fed.analyst.addProduct({ jobs, name: 'Market insight', price: o.price, currency: o.currency });
  const productSeconds = secondsSince(t);
  const saleSeconds: number[] = [];
  const sales = [];
  for (let i = 0; i < o.sales; i++) {
    t = performance.now();
    sales.push(
      await fed.analyst.sellProduct({ product: product.id, ...BUYERS[i % BUYERS.length]!, amount: o.price + i }),
    );
    saleSeconds.push(fixed(secondsSince(t), 4));
  }
  const refundSeconds: number[] = [];
  for (const s of sales.slice(0, o.refunds)) {
    t = performance.now();
    await fed.analyst.refundSale({ sale: s.id, amount: Math.floor(s.amount / 10), reason: 'benchmark' });
    refundSeconds.push(fixed(secondsSince(t), 4));
  }
  log(
    `sales: ${product.members.length} members: sale median ${median(saleSeconds).toFixed(3)} s, ` +
      `refund median ${median(refundSeconds).toFixed(3)} s`,
  );
  const exported = await fed.analyst.exportLedger();
  const text = exported.lines.map((l) => `${l}\n`).join('');
  const verdict = verifyLedger(text, fromHex(exported.coordinatorKey), { head: exported.head });
  const reconciliation = reconcileLedger(exported.lines.map((l, i) => parseLedgerLine(l, i + 1)));
  return {
    members: product.members.length,
    product: product.id,
    productSeconds: fixed(productSeconds, 4),
    saleSeconds,
    refundSeconds,
    sale: { median: fixed(median(saleSeconds), 4), p90: fixed(percentile(saleSeconds, 90), 4) },
    refund: { median: fixed(median(refundSeconds), 4), p90: fixed(percentile(refundSeconds, 90), 4) },
    refusals: sales.reduce((n, s) => n + s.refusals.length, 0),
    ledger: {
      entries: exported.lines.length,
      verified: verdict.ok,
      balanced: reconciliation.balanced,
      problems: reconciliation.problems,
    },
  };
}
