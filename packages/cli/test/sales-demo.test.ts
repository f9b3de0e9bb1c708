// `tessera demo --sales` as users run it: the built binary, its JSON and its text, and the flags it refuses.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { verifyLedger } from '@tessera/payouts';
import { printSalesDemo } from '../src/demo/sales/print-sales-demo.js';
import { renderProduct, renderSale } from '../src/sales/render-sales.js';
import { requireBuild, tessera } from './cli.js';
import { runCli } from './in-process.js';

describe('tessera demo --sales', () => {
  it('prints the product, the sales with the refused buyer, statements and a balanced reconciliation', () => {
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), 'tessera-sales-demo-cli-'));
    const ledger = join(dir, 'ledger.jsonl');
    const out = join(dir, 'statements');
    const r = tessera(['demo', '--sales', '--inline', '--json', '--ledger-out', ledger, '--statement-out', out]);
    expect(r.code, r.stderr).toBe(0);
    const x = JSON.parse(r.stdout);
    expect(x.product).toMatchObject({
      name: 'Market insight',
      currency: 'CNY',
      valuation: 'job',
      methods: ['records'],
    });
    expect(x.product.members).toHaveLength(4);
    // What the valuation cost each report: no epsilon of its own, its noise raised by sqrt(r^2 + 1) / r.
    expect(x.product.valuationEpsilon).toBe(0);
    const factors = x.product.releases.map((r: { reportNoiseFactor: number }) => r.reportNoiseFactor);
    expect(factors.map((f: number) => f.toFixed(3))).toEqual(['1.414', '1.061', '1.414']);
    expect(renderProduct(x.product)).toMatch(
      new RegExp(
        '\\n {2}job-\\S+ \\(query, records\\): released jointly with the query at epsilon 1; ' +
          "noise std of a member's value [\\d.]+ rows; the report's own noise x1\\.414 for it",
      ),
    );
    expect(x.sales.map((s: { amount: number }) => s.amount)).toEqual([120000, 80000, 50000]);
    expect(x.sales[2].refusals).toEqual([
      expect.objectContaining({ participant: x.statements[1].member, kind: 'policy' }),
    ]);
    expect(x.refund.refunds[0]).toMatchObject({ amount: 20000, reason: 'partial delivery' });
    expect(x.reconcile).toMatchObject({ balanced: true, unbalancedSales: [] });
    for (const s of x.statements) expect(s.receipts).toMatchObject({ ok: true, matched: s.entries.length });
    const v = verifyLedger(readFileSync(ledger, 'utf8'), Buffer.from(x.ledger.coordinatorPublicKey, 'hex'), {
      head: x.ledger.head,
    });
    expect(v).toMatchObject({ ok: true, entries: x.ledger.entries, formatVersion: 3 });
    expect(readdirSync(out).filter((f) => f.endsWith('.html'))).toHaveLength(4);
    // The text form says where the statement pages are, what the valuation cost, and what the timing is.
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      printSalesDemo(x);
      const text = write.mock.calls.map((c) => String(c[0])).join('');
      expect(text).toContain(`statement pages (amounts over time): ${join(out, 'statement-merchant-1.html')}, `);
      expect(text).toMatch(/raising its noise x1\.414, x1\.061, x1\.414/);
      expect(text).toMatch(/\nthe demo took [\d.]+ s\n$/);
    } finally {
      write.mockRestore();
    }
    // The text form names the refused member and why.
    expect(renderSale(x.sales[2])).toMatch(/left out of this sale \(1\):\n {2}p-\S+ \(policy\): .*safe-insure/);
  }, 90_000);

  it('refuses flags that mean nothing with --sales, and --statement-out without it', async () => {
    const payout = await runCli(['demo', '--sales', '--payout-pool', '1000']);
    expect(payout.code).toBe(1);
    expect(payout.stderr).toMatch(/--payout-pool cannot be combined with --sales/);
    const few = await runCli(['demo', '--sales', '--participants', '2']);
    expect(few.code).toBe(1);
    expect(few.stderr).toMatch(/--participants must be an integer of at least 3 with --sales, got 2/);
    const alone = await runCli(['demo', '--statement-out', 'x']);
    expect(alone.code).toBe(1);
    expect(alone.stderr).toMatch(/--statement-out needs --sales/);
  });
});
