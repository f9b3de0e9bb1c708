// Issue 23's must-show, end to end on a local federation: the market-insight report sold three times, a refund,
// members' consent, statements against the nodes' receipts, reconciliation, and refused inputs writing nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoordinatorError, type LocalFederation, type ProductView, type SaleView } from '@tessera/sdk';
import { tempDir } from '@tessera/test-support';
import { runSalesDemo, type SalesDemoResult } from '../src/demo/sales/run-sales-demo.js';
import { runCli } from './in-process.js';

const tmp = tempDir('tessera-sales-e2e-');
const ledgerFile = join(tmp.dir, 'ledger.jsonl');
const statements = join(tmp.dir, 'statements');
// merchant-2 never sells to the insurer; merchant-4 forbids every sale; the others are open nodes.
const terms = [
  { kind: 'open' as const },
  { kind: 'policy' as const, allowed: true, excludeBuyers: ['safe-insure'] },
  { kind: 'open' as const },
  { kind: 'policy' as const, allowed: false },
  { kind: 'open' as const },
];

let result: SalesDemoResult;
const ids: string[] = [];
const receiptDirs = new Map<string, { dir: string; count: number }>();
/** What the coordinator answered to bad inputs, and the ledger head before and after each. */
const refused: { what: string; error: unknown; before: string; after: string }[] = [];

/** Each member's share of a sale, computed here from the reports' released counts (not the coordinator's view). */
function expectedShares(r: SalesDemoResult, consenting: readonly string[]): Map<string, number> {
  const value = new Map<string, number>();
  for (const report of r.reports) {
    const positive = report.valuation.reduce((t, m) => t + Math.max(0, m.value), 0);
    for (const m of report.valuation)
      value.set(m.participant, (value.get(m.participant) ?? 0) + Math.max(0, m.value) / positive / r.reports.length);
  }
  const total = consenting.reduce((t, p) => t + (value.get(p) ?? 0), 0);
  return new Map(consenting.map((p) => [p, (value.get(p) ?? 0) / total]));
}

async function refusedInput(fed: LocalFederation, what: string, call: () => Promise<unknown>): Promise<void> {
  const before = (await fed.analyst.exportLedger()).head;
  let error: unknown;
  try {
    await call();
  } catch (e) {
    error = e;
  }
  refused.push({ what, error, before, after: (await fed.analyst.exportLedger()).head });
}

async function badInputs(fed: LocalFederation, made: { product: ProductView; sales: SaleView[] }): Promise<void> {
  const jobs = made.product.jobs;
  const add =
    (price: number, currency = 'CNY') =>
    () =>
      fed.analyst.addProduct({ jobs, name: 'Bad', price, currency });
  await refusedInput(fed, 'unknown product', () => fed.analyst.sellProduct({ product: 'prod-0000', buyer: 'x' }));
  await refusedInput(fed, 'negative price', add(-5));
  await refusedInput(fed, 'fractional price', add(12.5));
  await refusedInput(fed, 'fractional sale amount', () =>
    fed.analyst.sellProduct({ product: made.product.id, buyer: 'x', amount: 99.5 }),
  );
  await refusedInput(fed, 'currency mismatch', () =>
    fed.analyst.sellProduct({ product: made.product.id, buyer: 'x', currency: 'EUR' }),
  );
  const first = made.sales[0]!;
  await refusedInput(fed, 'refund above the sale', () =>
    fed.analyst.refundSale({ sale: first.id, amount: first.amount + 1 }),
  );
  await refusedInput(fed, 'refund of an unknown sale', () => fed.analyst.refundSale({ sale: 'sale-0000', amount: 1 }));
  // The receipts each node kept, written by the node's own export (tessera participant receipts).
  for (const p of fed.participants) {
    ids.push(p.id);
    const dir = join(tmp.dir, `receipts-${p.name}`);
    const r = await runCli(['participant', 'receipts', '--config', p.configPath, '--out', dir, '--json']);
    receiptDirs.set(p.id, {
      dir,
      count: r.code === 0 ? (JSON.parse(r.stdout) as { receipts: [] }).receipts.length : -1,
    });
  }
}

beforeAll(async () => {
  result = await runSalesDemo({
    participants: 5,
    seed: 11,
    epsilon: 1,
    delta: 1e-6,
    runtime: 'inline',
    terms,
    ledgerOut: ledgerFile,
    statementOut: statements,
    beforeStop: badInputs,
  });
}, 120_000);

afterAll(() => tmp.cleanup());

describe('data-trust sales end to end (the market-insight report, three sales, a refund)', () => {
  it('splits each sale among the consenting members by their noisy counts, exactly to the price', () => {
    expect(result.reports).toHaveLength(3);
    for (const report of result.reports) {
      expect(report.epsilon).toBe(1);
      expect(report.valuation.map((m) => m.participant).sort()).toEqual([...ids].sort());
      // noisy row counts of 600 customers per merchant, summed over the groups: near the rows each one used
      for (const m of report.valuation) expect(m.value).toBeGreaterThan(100);
    }
    expect(result.sales.map((s) => [s.buyer, s.amount])).toEqual([
      ['acme-bank', 120_000],
      ['shopco', 80_000],
      ['safe-insure', 50_000],
    ]);
    for (const s of result.sales) {
      const paid = s.entries.map((e) => e.participant);
      const shares = expectedShares(result, paid);
      expect(s.entries.reduce((t, e) => t + e.amount, 0)).toBe(s.amount);
      for (const e of s.entries) {
        expect(Number.isInteger(e.amount)).toBe(true);
        expect(Math.abs(e.amount - s.amount * shares.get(e.participant)!)).toBeLessThanOrEqual(1);
      }
      // every member is either paid or refused, never both
      expect([...paid, ...s.refusals.map((r) => r.participant)].sort()).toEqual([...ids].sort());
    }
  });

  it('leaves out the member whose policy excludes the buyer, and the member that forbids sales, naming why', () => {
    const [m2, m4] = [ids[1]!, ids[3]!];
    for (const s of result.sales) {
      expect(s.entries.map((e) => e.participant)).not.toContain(m4);
      expect(s.refusals.find((r) => r.participant === m4)).toMatchObject({
        kind: 'policy',
        reason: expect.stringMatching(/sales\.allowed/),
      });
    }
    const [bank, shop, insurer] = result.sales;
    expect(bank!.entries.map((e) => e.participant)).toContain(m2);
    expect(shop!.entries.map((e) => e.participant)).toContain(m2);
    expect(insurer!.entries.map((e) => e.participant)).not.toContain(m2);
    expect(insurer!.refusals.find((r) => r.participant === m2)).toMatchObject({
      kind: 'policy',
      reason: expect.stringMatching(/safe-insure.*excludeBuyers/),
    });
    expect(bank!.refusals.map((r) => r.participant)).toEqual([m4]);
  });

  it('writes a refund as negative entries that add up to it; statements and reconcile stay exact', () => {
    const refund = result.refund.refunds[0]!;
    expect(result.refund.id).toBe(result.sales[1]!.id);
    expect(refund.amount).toBe(20_000);
    expect(refund.entries.every((e) => e.amount < 0)).toBe(true);
    expect(refund.entries.reduce((t, e) => t + e.amount, 0)).toBe(-20_000);
    expect(result.refund.net).toBe(60_000);
    const nets = result.statements.reduce((t, s) => t + (s.totals[0]?.net ?? 0), 0);
    expect(nets).toBe(120_000 + 80_000 + 50_000 - 20_000);
    for (const s of result.statements) for (const t of s.totals) expect(t.net).toBe(t.paid + t.refunded);
    expect(result.statements[3]!.entries).toEqual([]);
    expect(result.reconcile).toMatchObject({ balanced: true, problems: [], unbalancedSales: [] });
    expect(result.reconcile.currencies).toEqual([
      expect.objectContaining({ currency: 'CNY', sales: 250_000, buyerRefunds: -20_000, paid: 250_000 }),
    ]);
    expect(result.reconcile.currencies[0]).toMatchObject({ refunded: -20_000, difference: 0, balanced: true });
  });

  it("the exported ledger verifies; each member's statement matches the receipts its node wrote", async () => {
    const key = result.ledger.coordinatorPublicKey;
    const verify = await runCli(['ledger', 'verify', ledgerFile, '--key', key, '--head', result.ledger.head, '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, entries: result.ledger.entries, formatVersion: 3 });
    const reconcile = await runCli(['payouts', 'reconcile', '--ledger', ledgerFile, '--key', key]);
    expect(reconcile.code, reconcile.stdout).toBe(0);
    expect(reconcile.stdout).toMatch(/^balanced: 3 sale\(s\)/m);
    for (const [i, id] of ids.entries()) {
      const inDemo = result.statements[i]!;
      if (i === 3) {
        expect(receiptDirs.get(id)!.count).toBe(0); // paid nothing, so it keeps no receipt
        continue;
      }
      const args = ['payouts', 'statement', '--member', id, '--ledger', ledgerFile, '--key', key];
      expect(receiptDirs.get(id)!.count).toBe(inDemo.entries.length);
      const r = await runCli([...args, '--receipts', receiptDirs.get(id)!.dir, '--json']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const s = JSON.parse(r.stdout);
      expect(s.receipts).toMatchObject({ ok: true, problems: [] });
      expect(s.receipts.matched).toBe(s.entries.length);
      expect(s.totals).toEqual(inDemo.totals);
      expect(inDemo.receipts).toMatchObject({ ok: true, matched: inDemo.entries.length });
      const paidInSales = result.sales.flatMap((x) => x.entries).filter((e) => e.participant === id);
      expect(s.totals[0].paid).toBe(paidInSales.reduce((t, e) => t + e.amount, 0));
    }
    // the statement pages the demo wrote
    const page = readFileSync(join(statements, 'statement-merchant-1.html'), 'utf8');
    expect(page).toMatch(/data-chart="amounts-over-time"/);
    expect(page).toMatch(/class="ok">Receipts: 4 receipt\(s\) match/);
  });

  it('refuses bad input naming the field, and the ledger head does not move', () => {
    const named: Record<string, [string, RegExp]> = {
      'unknown product': ['NOT_FOUND', /product/],
      'negative price': ['INVALID_ARGUMENT', /price/],
      'fractional price': ['INVALID_ARGUMENT', /price/],
      'fractional sale amount': ['INVALID_ARGUMENT', /amount/],
      'currency mismatch': ['INVALID_ARGUMENT', /currency/],
      'refund above the sale': ['INVALID_ARGUMENT', /amount/],
      'refund of an unknown sale': ['NOT_FOUND', /sale/],
    };
    expect(refused.map((r) => r.what)).toEqual(Object.keys(named));
    for (const r of refused) {
      const [code, field] = named[r.what]!;
      expect(r.error, r.what).toBeInstanceOf(CoordinatorError);
      expect((r.error as CoordinatorError).code, r.what).toBe(code);
      expect((r.error as CoordinatorError).message, r.what).toMatch(field);
      expect(r.after, r.what).toBe(r.before);
    }
  });
});
