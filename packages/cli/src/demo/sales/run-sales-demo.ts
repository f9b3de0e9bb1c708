import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseQuery } from '@tessera/analytics';
import { generateCommerce, parseSplit, selectRows, splitRows, type RawTable } from '@tessera/data';
import { seededRandom } from '@tessera/ml';
import { LocalFederation, runQuery, type ProductView, type SaleView } from '@tessera/sdk';
import { MARKET_INSIGHT } from '../run-query-demo.js';
import { UsageError } from '../../ui/errors.js';
import { exportReceipts, loadParticipantConfig } from '@tessera/participant';
import type { PayoutReceiptFile } from '@tessera/payouts';
import { memberBooks, type MemberBooks } from '../../sales/member-books.js';
import { readReceiptsDir } from '../../sales/receipts-dir.js';
import { reconcileReport, type ReconcileReport } from '../../sales/reconcile-report.js';
import { verifiedLedger } from '../../sales/verified-ledger.js';
import { policiesOf, type DemoSalesTerms } from './sales-demo-policies.js';

/** One sale the demo makes: to whom, of which class, at what price (minor units). */
export interface DemoSale {
  buyer: string;
  buyerClass: string;
  amount: number;
}

export interface SalesDemoOptions {
  participants: number;
  seed: number;
  epsilon: number;
  delta: number;
  runtime: 'worker' | 'inline';
  /** Each merchant's terms, in order (default: merchant-2 never sells to the insurer, the others are open). */
  terms?: readonly DemoSalesTerms[];
  sales?: readonly DemoSale[];
  /** The partial refund: of which sale (index into `sales`) and how much (default: 20000 of the second). */
  refund?: { sale: number; amount: number; reason: string };
  currency?: string;
  /** Write the exported ledger (JSON Lines) here. */
  ledgerOut?: string;
  /** Write each member's statement page (statement-<name>.html) and receipts (receipts-<name>/) here. */
  statementOut?: string;
  /** Keep the federation's files (coordinator database, the merchants' folders) in this directory. */
  keep?: string;
  status?: (line: string) => void;
  log?: (line: string) => void;
  /** Called with the running federation once the statements are made, before it stops (tests ask it more). */
  beforeStop?: (fed: LocalFederation, made: { product: ProductView; sales: SaleView[] }) => Promise<void>;
}

export interface SalesDemoResult {
  participants: number;
  product: ProductView;
  reports: {
    job: string;
    title: string;
    epsilon: number | null;
    valuation: { participant: string; value: number }[];
  }[];
  sales: SaleView[];
  refund: SaleView;
  names: Record<string, string>;
  statements: (MemberBooks & { name: string })[];
  reconcile: ReconcileReport;
  ledger: { entries: number; head: string; coordinatorPublicKey: string; file: string | null };
  timing: { totalSeconds: number };
}

export const DEMO_SALES: readonly DemoSale[] = [
  { buyer: 'acme-bank', buyerClass: 'bank', amount: 120_000 },
  { buyer: 'shopco', buyerClass: 'retail', amount: 80_000 },
  { buyer: 'safe-insure', buyerClass: 'insurance', amount: 50_000 },
];

/** Merchant 2 never sells to the insurer; the others are open nodes. */
export function defaultTerms(participants: number): DemoSalesTerms[] {
  return Array.from({ length: participants }, (_, i) =>
    i === 1 ? { kind: 'policy', allowed: true, excludeBuyers: ['safe-insure'] } : { kind: 'open' },
  );
}

/**
 * The receipts a member's node kept, written by the node's receipts export to `dir` and read back: waits (up to 15 s)
 * until the node holds one for each of its `expected` entries, since receipts reach the nodes after the sale returns.
 */
async function nodeReceipts(configPath: string, dir: string, expected: number): Promise<PayoutReceiptFile[]> {
  const config = loadParticipantConfig(configPath);
  const deadline = Date.now() + 15_000;
  for (;;) {
    let count = 0;
    try {
      count = exportReceipts(config, dir).receipts.length;
    } catch {
      // no ledger file yet: the node has kept nothing so far
    }
    if (count >= expected || Date.now() > deadline) return count ? readReceiptsDir(dir) : [];
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The synthetic merchants' customers, one shard per merchant, and the GROUP BY domains of the report. */
function merchantsData(participants: number, seed: number): { shards: RawTable[]; domains: Record<string, string[]> } {
  const table = generateCommerce({ merchants: participants, customersPerMerchant: 600, seed });
  const all = Uint32Array.from({ length: table.rows.length }, (_, i) => i);
  const assignment = splitRows(
    table,
    all,
    new Float64Array(table.rows.length),
    participants,
    parseSplit('by:merchant'),
    seededRandom(`tessera-query-demo/${seed}`),
  );
  const domains: Record<string, string[]> = {};
  for (const sql of MARKET_INSIGHT.queries)
    for (const column of parseQuery(sql).groupBy) {
      const c = table.columns.indexOf(column);
      if (c >= 0) domains[column] = [...new Set(table.rows.map((r) => r[c]!))].sort();
    }
  return { shards: assignment.map((rows) => selectRows(table, rows)), domains };
}

/**
 * The data-trust sales demo: the market-insight report (three queries) run under distributed DP with `valuation:
 * records` on the synthetic merchants, listed as one product, sold three times, one sale partly refunded; then every
 * member's statement (from the exported ledger, checked against its node's receipts) and the reconciliation.
 */
export async function runSalesDemo(o: SalesDemoOptions): Promise<SalesDemoResult> {
  const started = performance.now();
  const status = o.status ?? (() => undefined);
  if (!Number.isInteger(o.participants) || o.participants < 3)
    throw new UsageError(`--participants must be an integer of at least 3 with --sales, got ${o.participants}`);
  const terms = o.terms ?? defaultTerms(o.participants);
  const sales = o.sales ?? DEMO_SALES;
  const refundOf = o.refund ?? { sale: 1, amount: 20_000, reason: 'partial delivery' };
  const currency = o.currency ?? 'CNY';
  const { shards, domains } = merchantsData(o.participants, o.seed);
  const dir = o.keep ?? mkdtempSync(join(tmpdir(), 'tessera-sales-demo-'));
  if (o.keep) mkdirSync(dir, { recursive: true });
  const fed = await LocalFederation.start({
    dir,
    shards,
    dataset: 'customers',
    runtime: o.runtime,
    policies: policiesOf('customers', terms),
    ...(o.log ? { log: o.log } : {}),
  });
  try {
    const names = Object.fromEntries(fed.participants.map((p) => [p.id, p.name]));
    const reports: SalesDemoResult['reports'] = [];
    for (const [i, sql] of MARKET_INSIGHT.queries.entries()) {
      status(`report ${i + 1}/${MARKET_INSIGHT.queries.length}: ${MARKET_INSIGHT.titles[i]}`);
      const { job, result } = await runQuery(fed.analyst, {
        sql,
        bounds: MARKET_INSIGHT.bounds,
        domains,
        minParticipants: o.participants,
        roundTimeoutSeconds: 60,
        waitForParticipantsSeconds: 60,
        privacy: { mode: 'distributed', epsilon: o.epsilon, delta: o.delta },
        valuation: 'records',
      });
      reports.push({
        job: job.id,
        title: MARKET_INSIGHT.titles[i]!,
        epsilon: result.privacy.epsilon,
        valuation: result.valuation?.members ?? [],
      });
    }
    const product = await fed.analyst.addProduct({
      jobs: reports.map((r) => r.job),
      name: 'Market insight',
      price: sales[0]?.amount ?? 100_000,
      currency,
      description: MARKET_INSIGHT.titles.join('; '),
    });
    status(`product ${product.id}: ${product.members.length} members`);
    const sold: SaleView[] = [];
    for (const s of sales) {
      sold.push(
        await fed.analyst.sellProduct({
          product: product.id,
          buyer: s.buyer,
          buyerClass: s.buyerClass,
          amount: s.amount,
        }),
      );
      status(`sold to ${s.buyer} for ${s.amount} ${currency}: ${sold.at(-1)!.refusals.length} refusal(s)`);
    }
    const toRefund = sold[refundOf.sale];
    if (!toRefund) throw new UsageError(`the refund names sale ${refundOf.sale}, but only ${sold.length} were made`);
    const refund = await fed.analyst.refundSale({
      sale: toRefund.id,
      amount: refundOf.amount,
      reason: refundOf.reason,
    });
    sold[refundOf.sale] = refund;
    const ledger = await fed.analyst.exportLedger();
    const text = ledger.lines.map((l) => `${l}\n`).join('');
    if (o.ledgerOut) writeFileSync(o.ledgerOut, text);
    const verified = await verifiedLedger(text, ledger.coordinatorKey, "the coordinator's export", ledger.head);
    if (o.statementOut) mkdirSync(o.statementOut, { recursive: true });
    const statements: SalesDemoResult['statements'] = [];
    for (const p of fed.participants) {
      const own = verified.entries.filter(
        (e) => e.participant === p.id && (e.kind === 'payout' || e.kind === 'refund'),
      ).length;
      const receiptsDir = join(o.statementOut ?? dir, `receipts-${p.name}`);
      const files = own ? await nodeReceipts(p.configPath, receiptsDir, own) : [];
      const books = await memberBooks({
        ledger: verified,
        member: p.id,
        name: p.name,
        ...(own ? { receipts: { files, dir: receiptsDir } } : {}),
        ...(o.statementOut ? { out: join(o.statementOut, `statement-${p.name}.html`) } : {}),
      });
      statements.push({ ...books, name: p.name });
    }
    const reconcile = await reconcileReport(verified);
    await o.beforeStop?.(fed, { product, sales: sold });
    return {
      participants: o.participants,
      product: await fed.analyst.getProduct(product.id),
      reports,
      sales: sold,
      refund,
      names,
      statements,
      reconcile,
      ledger: {
        entries: ledger.lines.length,
        head: ledger.head,
        coordinatorPublicKey: ledger.coordinatorKey,
        file: o.ledgerOut ?? null,
      },
      timing: { totalSeconds: (performance.now() - started) / 1000 },
    };
  } finally {
    await fed.stop();
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}
