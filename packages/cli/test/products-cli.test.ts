// `tessera products` and `tessera payouts statement|reconcile` against a running coordinator, as an analyst runs them:
// a query listed with equal shares, sold, refunded, then the members' statements and the trust's reconciliation.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { createAnalystKeys, LocalFederation, saveAnalystKeys } from '@tessera/sdk';
import { tempDir } from '@tessera/test-support';
import { runCli } from './in-process.js';

const REGIONS = ['north', 'south'];
// Three merchants of 60 customers each, in two regions.
const shards: RawTable[] = Array.from({ length: 3 }, (_, m) => ({
  source: `merchant-${m + 1}`,
  columns: ['customer_id', 'region'],
  rows: Array.from({ length: 60 }, (_, c) => [`m${m}c${c}`, REGIONS[c % 2]!]),
  lineOf: (i: number) => i + 2,
}));

describe('tessera products and payouts statement|reconcile with a coordinator', () => {
  const tmp = tempDir('tessera-products-cli-');
  let fed: LocalFederation;
  let conn: string[];
  const cli = async (args: string[]) => {
    const r = await runCli([...args, ...conn]);
    return { ...r, json: () => JSON.parse(r.stdout) };
  };

  beforeAll(async () => {
    fed = await LocalFederation.start({ dir: join(tmp.dir, 'nodes'), shards, dataset: 'customers', runtime: 'inline' });
    const keys = join(tmp.dir, 'alice-keys.json');
    saveAnalystKeys(keys, await createAnalystKeys());
    const coordinatorDir = join(tmp.dir, 'nodes', 'coordinator');
    const added = await runCli([
      'coordinator',
      'analysts',
      'add',
      'alice',
      '--keys',
      keys,
      '--data-dir',
      coordinatorDir,
    ]);
    expect(added.code, added.stderr).toBe(0);
    conn = ['--keys', keys, '--coordinator', fed.address];
  }, 60_000);
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('lists a query as a product, sells it, refunds part, and the books balance', async () => {
    const query = await cli([
      'query',
      'SELECT region, COUNT(*) FROM customers GROUP BY region',
      '--domain',
      'region=north|south',
      '--dp',
      'none',
      '--min-participants',
      '3',
      '--json',
    ]);
    expect(query.code, query.stderr).toBe(0);
    const [listed] = (await cli(['job', 'list', '--json'])).json() as { id: string; status: string }[];
    expect(listed!.status).toBe('completed');
    const job = listed!.id;
    expect(job).toMatch(/^job-/);

    const added = await cli([
      'products',
      'add',
      '--job',
      job,
      '--name',
      'Regions',
      '--price',
      '1001',
      '--currency',
      'CNY',
      '--valuation',
      'equal',
      '--json',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const product = added.json();
    expect(product).toMatchObject({ name: 'Regions', price: 1001, currency: 'CNY', valuation: 'equal' });
    expect(product.members).toHaveLength(3);
    expect((await cli(['products', 'list'])).stdout).toMatch(new RegExp(`${product.id}\\s+Regions\\s+1001 CNY`));

    const sold = await cli(['products', 'sell', product.id, '--buyer', 'acme-bank', '--buyer-class', 'bank', '--json']);
    expect(sold.code, sold.stderr).toBe(0);
    const sale = sold.json();
    expect(sale).toMatchObject({ buyer: 'acme-bank', buyerClass: 'bank', amount: 1001, refusals: [] });
    expect(sale.entries.map((e: { amount: number }) => e.amount).sort()).toEqual([333, 334, 334]);

    const text = await cli(['products', 'sell', product.id, '--buyer', 'shopco', '--amount', '600']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/to shopco: 600 CNY/);
    expect(text.stdout).toMatch(/no member refused this sale/);
    // The text names the members, with their ids (--json keeps the ids alone).
    expect(text.stdout).toContain(`merchant-1 (${fed.participants[0]!.id})`);

    // The coordinator checks what the CLI cannot: what is left of the sale, the product's currency.
    const tooMuch = await cli(['products', 'refund', sale.id, '--amount', '1002']);
    expect(tooMuch.code).toBe(1);
    expect(tooMuch.stderr).toMatch(/amount/);
    const euro = await cli(['products', 'sell', product.id, '--buyer', 'x', '--currency', 'EUR']);
    expect(euro.code).toBe(1);
    expect(euro.stderr).toMatch(/currency/);
    const unknown = await cli(['products', 'show', 'prod-0000000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/prod-0000000000000000/);

    const refunded = await cli(['products', 'refund', sale.id, '--amount', '301', '--reason', 'late', '--json']);
    expect(refunded.code, refunded.stderr).toBe(0);
    const refund = refunded.json().refunds[0];
    expect(refund.amount).toBe(301);
    expect(refund.entries.reduce((t: number, e: { amount: number }) => t + e.amount, 0)).toBe(-301);

    const sales = (await cli(['products', 'sales', product.id, '--json'])).json();
    expect(sales.map((s: { amount: number; net: number }) => [s.amount, s.net])).toEqual([
      [1001, 700],
      [600, 600],
    ]);
    const shown = await cli(['products', 'show', product.id]);
    expect(shown.stdout).toMatch(/sales: 2, gross 1601, refunded 301, net 1300 CNY/);
    expect(shown.stdout).toMatch(new RegExp(`\\nmerchant-2 \\(${fed.participants[1]!.id}\\)\\s+0\\.3333\\s+33\\.33%`));
    expect(shown.stdout).toContain(
      `what each job's valuation released and cost:\n  ${job} (query, equal): equal shares: releases nothing\n`,
    );

    // A member's statement by its name, from the coordinator's ledger (verified first).
    const statement = await cli(['payouts', 'statement', '--member', 'merchant-1', '--json']);
    expect(statement.code, statement.stderr).toBe(0);
    const s = statement.json();
    expect(s.member).toBe(fed.participants[0]!.id);
    expect(s.name).toBe('merchant-1');
    expect(s.entries.filter((e: { kind: string }) => e.kind === 'refund')).toHaveLength(1);
    const [total] = s.totals;
    expect(total.net).toBe(total.paid + total.refunded);
    const reconcile = await cli(['payouts', 'reconcile', '--json']);
    expect(reconcile.code, reconcile.stderr).toBe(0);
    expect(reconcile.json().currencies[0]).toMatchObject({
      currency: 'CNY',
      sales: 1601,
      buyerRefunds: -301,
      paid: 1601,
      refunded: -301,
      difference: 0,
      balanced: true,
    });
    // Trusting another key than the coordinator's is refused before anything is read.
    const wrongKey = await cli(['payouts', 'reconcile', '--key', 'ab'.repeat(32)]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/not the --key .* you trust/);
  });
});
