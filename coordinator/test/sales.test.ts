// Data-trust sales through a real coordinator and real participant nodes: products, the SALE consent stage, exact
// splits in the signed ledger (format 3), refunds as negative entries, and refused inputs that write nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv } from '@tessera/data';
import { ParticipantNode, type ParticipantConfig } from '@tessera/participant';
import {
  parseLedgerLine,
  reconcileLedger,
  verifyLedger,
  type JobValuation,
  type ProductView,
  type SaleView,
} from '@tessera/payouts';
import type { AnalystClient, CoordinatorError } from '@tessera/sdk';
import { Coordinator } from '../src/index.js';
import { refundSale } from '../src/sales/refund.js';
import type { SalesError } from '../src/sales/sales-error.js';
import type { JobRecord } from '../src/store/store.js';
import { BREAST_CANCER, connectAnalystTo, enrolIdentity, shards, type Identity } from './grpc-helpers.js';
import { tempDir } from './helpers.js';

const DATASET = 'patients';

/** The members' consent policies: c never sells to a bank, d never sells at all (no grants: it runs no job). */
const POLICIES: Record<string, string> = {
  c: 'grants: []\nsales:\n  allowed: true\n  buyers: ["*"]\n  excludeBuyers: ["class:bank"]\n',
  d: 'grants: []\nsales:\n  allowed: false\n',
};

/** The error a call rejects with (a CoordinatorError: the gRPC status name and the coordinator's message). */
async function refusal(call: Promise<unknown>): Promise<CoordinatorError> {
  try {
    await call;
  } catch (e) {
    return e as CoordinatorError;
  }
  throw new Error('expected the coordinator to refuse the call');
}

describe('data-trust sales: products, consent, exact splits, refunds (real coordinator and nodes)', () => {
  const tmp = tempDir();
  let coord: Coordinator;
  let analyst: AnalystClient;
  let other: AnalystClient;
  const nodes = new Map<string, ParticipantNode>();
  const who = new Map<string, Identity>();
  const id = (name: string) => who.get(name)!.id;
  /** The report every sale below is of: its members' (exact) row counts, as a query with valuation records keeps. */
  const ROWS: Record<string, number> = { a: 120, b: 45, c: 80, d: 30, e: 10 };
  let report: ProductView;
  const sales: SaleView[] = [];

  /** A finished job stored as its runner leaves it (a report query with its valuation), owned by `owner`. */
  const storedJob = async (jobId: string, patch: Partial<JobRecord>, context: object) => {
    const now = Date.now();
    await coord.store.createJob({
      id: jobId,
      name: jobId,
      specJson: JSON.stringify({ kind: 'query', sql: 'SELECT region, COUNT(*) AS n FROM customers GROUP BY region' }),
      status: 'completed',
      roundsCompleted: 1,
      roundsTotal: 1,
      createdAt: now,
      updatedAt: now,
      error: '',
      contextJson: JSON.stringify(context),
      owner: 'analyst',
      ...patch,
    });
  };
  const recordsOf = (names: string[]): JobValuation => ({
    method: 'records',
    members: names.map((n) => ({ participant: id(n), value: ROWS[n]! })),
    epsilon: 0,
    delta: null,
    noiseStd: 0,
    note: 'exact',
  });
  const head = () => coord.store.ledgerHead();

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    analyst = await connectAnalystTo(coord);
    other = await connectAnalystTo(coord, 'other');
    const data = shards(BREAST_CANCER, 2);
    for (const name of ['a', 'b', 'c', 'd', 'e']) who.set(name, await enrolIdentity(coord, name));
    // a and b train (the patients data set); c and d only answer sales; e is enrolled but never connects.
    for (const [i, name] of ['a', 'b', 'c', 'd'].entries()) {
      const path = join(tmp.dir, `${name}.csv`);
      writeFileSync(path, toCsv(data[i % 2]!));
      let policy: string | undefined;
      if (POLICIES[name]) {
        policy = join(tmp.dir, `${name}-policy.yaml`);
        writeFileSync(policy, POLICIES[name]);
      }
      const config: ParticipantConfig = {
        name,
        coordinator: coord.address,
        participantId: id(name),
        identityKey: '(in memory)',
        datasets: { [i < 2 ? DATASET : 'elsewhere']: { type: 'csv', path, exclude: [], secure: 'none' } },
        ledger: join(tmp.dir, `${name}-ledger.sqlite`),
        ...(policy ? { policy } : {}),
      };
      const node = new ParticipantNode({
        config,
        identity: who.get(name)!.keys,
        security: who.get(name)!.clientSecurity,
        minBackoffMs: 100,
        maxBackoffMs: 400,
      });
      const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
      node.start();
      await ready;
      nodes.set(name, node);
    }
    await storedJob(
      'job-report',
      {},
      { contributors: ['a', 'b', 'c', 'd', 'e'].map(id), valuation: recordsOf(['a', 'b', 'c', 'd', 'e']) },
    );
    report = await analyst.addProduct({ jobs: ['job-report'], name: 'Market insight', price: 90_000, currency: 'CNY' });
  });
  afterAll(async () => {
    await Promise.all([...nodes.values()].map((n) => n.stop()));
    analyst?.close();
    other?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  /** Checks a sale's split: exact, among the consenting members only, each within a unit of its quota. */
  const expectSplit = (sale: SaleView, consenting: string[]) => {
    expect(sale.entries.map((e) => e.participant).sort()).toEqual(consenting.map(id).sort());
    expect(sale.entries.reduce((a, e) => a + e.amount, 0)).toBe(sale.amount);
    const total = consenting.reduce((a, n) => a + ROWS[n]!, 0);
    for (const n of consenting) {
      const entry = sale.entries.find((e) => e.participant === id(n))!;
      expect(Math.abs(entry.amount - (sale.amount * ROWS[n]!) / total)).toBeLessThan(1);
      expect(Number.isSafeInteger(entry.amount)).toBe(true);
    }
  };

  it('lists a report as a product: members weighted by their row counts, shares summing to 1', async () => {
    expect(report.id).toMatch(/^prod-[0-9a-f]{16}$/);
    expect(report).toMatchObject({ jobs: ['job-report'], kinds: ['query'], price: 90_000, currency: 'CNY' });
    expect(report.valuation).toBe('job');
    expect(report.methods).toEqual(['records']);
    expect(report.owner).toBe('analyst');
    const total = Object.values(ROWS).reduce((a, b) => a + b, 0);
    for (const [n, rows] of Object.entries(ROWS))
      expect(report.members.find((m) => m.participant === id(n))!.share).toBeCloseTo(rows / total, 12);
    expect((await analyst.getProduct(report.id)).sales).toEqual({ count: 0, gross: 0, refunded: 0, net: 0 });
    expect((await analyst.listProducts()).map((p) => p.id)).toContain(report.id);
  });

  it('sells it three times: each split is exact among the consenting members, refusals listed with why', async () => {
    const bank = await analyst.sellProduct({
      product: report.id,
      buyer: 'First Bank',
      buyerClass: 'bank',
      amount: 120_000,
      note: 'quarterly licence',
    });
    // c excludes banks, d sells to no one (policy); e is not connected (unavailable).
    expectSplit(bank, ['a', 'b']);
    // Refusals come in the order of the product's members (by participant id).
    const refused: [string, string][] = [
      [id('c'), 'policy'],
      [id('d'), 'policy'],
      [id('e'), 'unavailable'],
    ];
    expect(bank.refusals.map((r) => [r.participant, r.kind])).toEqual(refused.sort((x, y) => (x[0] < y[0] ? -1 : 1)));
    expect(bank.refusals.find((r) => r.participant === id('c'))!.reason).toContain('excludeBuyers');
    expect(bank.refusals.find((r) => r.participant === id('d'))!.reason).toContain('allowed');
    sales.push(bank);
    // A retailer at the list price: c consents this time.
    const retail = await analyst.sellProduct({ product: report.id, buyer: 'Retail Co', buyerClass: 'retailer' });
    expect(retail.amount).toBe(90_000);
    expectSplit(retail, ['a', 'b', 'c']);
    sales.push(retail);
    const insurer = await analyst.sellProduct({
      product: report.id,
      buyer: 'Insurer',
      amount: 50_001,
      currency: 'CNY',
    });
    expectSplit(insurer, ['a', 'b', 'c']);
    sales.push(insurer);
    for (const s of sales) {
      expect(s.id).toMatch(/^sale-[0-9a-f]{16}$/);
      expect(s.net).toBe(s.amount);
      expect(s.seller).toBe('analyst');
      // The sale event comes first, then one payout per consenting member.
      expect(s.entries.map((e) => e.seq)).toEqual(s.entries.map((_, i) => s.seq + 1 + i));
    }
    const listed = await analyst.listSales(report.id);
    expect(listed.map((s) => s.id)).toEqual(sales.map((s) => s.id));
    expect((await analyst.getProduct(report.id)).sales).toEqual({
      count: 3,
      gross: 260_001,
      refunded: 0,
      net: 260_001,
    });
    // Every member that was asked wrote the sale to its audit log, consenting or not.
    for (const n of ['a', 'b', 'c', 'd']) {
      const audited = nodes
        .get(n)!
        .ledger.auditLog()
        .map((e) => JSON.stringify(e));
      for (const s of sales) expect(audited.some((line) => line.includes(s.id))).toBe(true);
    }
  });

  it('refunds part of a sale as negative entries split by what members hold; never above what is left', async () => {
    const sale = sales[0]!;
    const before = await head();
    const over = await refusal(analyst.refundSale({ sale: sale.id, amount: sale.amount + 1 }));
    expect(over.code).toBe('INVALID_ARGUMENT');
    expect(over.message).toMatch(/^amount /);
    expect(await head()).toEqual(before);
    const first = await analyst.refundSale({ sale: sale.id, amount: 30_000, reason: 'late delivery' });
    expect(first.refunds).toHaveLength(1);
    const refund = first.refunds[0]!;
    expect(refund.id).toBe(`${sale.id}/refund/1`);
    expect(refund.entries.every((e) => e.amount < 0)).toBe(true);
    expect(refund.entries.reduce((a, e) => a + e.amount, 0)).toBe(-30_000);
    for (const e of refund.entries) {
      const paid = sale.entries.find((p) => p.participant === e.participant)!.amount;
      expect(Math.abs(-e.amount - (30_000 * paid) / sale.amount)).toBeLessThan(1);
    }
    expect(first.net).toBe(90_000);
    // More than the 90000 left is refused, and nothing is written.
    const afterFirst = await head();
    const tooMuch = await refusal(analyst.refundSale({ sale: sale.id, amount: 90_001 }));
    expect(tooMuch.code).toBe('INVALID_ARGUMENT');
    expect(tooMuch.message).toContain('90000');
    expect(await head()).toEqual(afterFirst);
    // The rest: every member gives back exactly what it still held, and the sale nets to 0.
    const rest = await analyst.refundSale({ sale: sale.id, amount: 90_000 });
    expect(rest.net).toBe(0);
    for (const p of sale.entries) {
      const back = rest.refunds.flatMap((r) => r.entries).filter((e) => e.participant === p.participant);
      expect(back.reduce((a, e) => a + e.amount, 0)).toBe(-p.amount);
    }
    const none = await refusal(analyst.refundSale({ sale: sale.id, amount: 1 }));
    expect(none.code).toBe('INVALID_ARGUMENT');
    expect((await analyst.getProduct(report.id)).sales).toMatchObject({ refunded: 120_000, net: 140_001 });
  });

  it('two refunds racing for one sale never take back more than it had: one of them is refused', async () => {
    const sale = sales[1]!;
    const before = await head();
    const results = await Promise.allSettled([
      analyst.refundSale({ sale: sale.id, amount: 50_000 }),
      analyst.refundSale({ sale: sale.id, amount: 50_000 }),
    ]);
    const done = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as CoordinatorError] : []));
    expect(done).toHaveLength(1);
    // Made one after the other the second asks for more than is left; made together, the second's id is taken.
    expect(['INVALID_ARGUMENT', 'FAILED_PRECONDITION']).toContain(refused[0]!.code);
    const after = (await analyst.listSales(report.id)).find((s) => s.id === sale.id)!;
    expect(after.refunds.map((r) => r.id)).toEqual([`${sale.id}/refund/1`]);
    expect(after.net).toBe(40_000);
    // The buyer-refund event and the members' refund entries of one refund only.
    expect((await head()).seq).toBe(before.seq + 1 + after.refunds[0]!.entries.length);
    // Made at the same moment (each read the sale before the other wrote): both take id <sale>/refund/1, and the
    // store refuses the second with its entries.
    const deps = { store: coord.store, registry: coord.registry, ledger: coord.ledger };
    const insurer = sales[2]!;
    const racing = await Promise.allSettled([
      refundSale(deps, 'analyst', { saleId: insurer.id, amount: 10, reason: '' }),
      refundSale(deps, 'analyst', { saleId: insurer.id, amount: 10, reason: '' }),
    ]);
    expect(racing.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = racing.find((r) => r.status === 'rejected')!.reason as SalesError;
    expect([lost.code, lost.field]).toEqual(['failed-precondition', 'sale']);
    expect(lost.message).toContain('at the same moment');
    const raced = (await analyst.listSales(report.id)).find((s) => s.id === insurer.id)!;
    expect(raced.refunds.map((r) => [r.id, r.amount])).toEqual([[`${insurer.id}/refund/1`, 10]]);
    expect(raced.net).toBe(insurer.amount - 10);
  });

  it('refuses bad input naming the field, and writes nothing to the ledger or the tables', async () => {
    const before = await head();
    const salesBefore = (await coord.store.listSales()).length;
    const productsBefore = (await coord.store.listProducts()).length;
    const add = (patch: object) =>
      refusal(analyst.addProduct({ jobs: ['job-report'], name: 'X', price: 100, currency: 'CNY', ...patch }));
    const cases: [Promise<CoordinatorError>, string, RegExp][] = [
      [refusal(analyst.sellProduct({ product: 'prod-0000000000000000', buyer: 'B' })), 'NOT_FOUND', /^product/],
      [add({ price: -5 }), 'INVALID_ARGUMENT', /^price must be a whole number of minor units .*got -5$/],
      [add({ price: 12.5 }), 'INVALID_ARGUMENT', /^price must be a whole number .*got 12\.5$/],
      [add({ currency: 'cny' }), 'INVALID_ARGUMENT', /^currency/],
      [add({ name: '' }), 'INVALID_ARGUMENT', /^name/],
      [add({ name: 'n'.repeat(201) }), 'INVALID_ARGUMENT', /^name/],
      [add({ jobs: ['job-missing'] }), 'NOT_FOUND', /^jobs/],
      [add({ valuation: 'shapley' }), 'INVALID_ARGUMENT', /^valuation/],
      [
        refusal(analyst.sellProduct({ product: report.id, buyer: 'B', currency: 'EUR' })),
        'INVALID_ARGUMENT',
        /^currency EUR is not the currency of product/,
      ],
      [refusal(analyst.sellProduct({ product: report.id, buyer: 'B', amount: -1 })), 'INVALID_ARGUMENT', /^amount/],
      [refusal(analyst.sellProduct({ product: report.id, buyer: 'B', amount: 0.5 })), 'INVALID_ARGUMENT', /^amount/],
      [refusal(analyst.sellProduct({ product: report.id, buyer: '  ' })), 'INVALID_ARGUMENT', /^buyer/],
      [refusal(analyst.refundSale({ sale: 'sale-nope', amount: 1 })), 'NOT_FOUND', /^sale/],
      [refusal(analyst.refundSale({ sale: sales[1]!.id, amount: 2.5 })), 'INVALID_ARGUMENT', /^amount/],
      // Another analyst's product, sale and job are as unknown to it as missing ones.
      [refusal(other.sellProduct({ product: report.id, buyer: 'B' })), 'NOT_FOUND', /^product/],
      [refusal(other.getProduct(report.id)), 'NOT_FOUND', /^product/],
      [refusal(other.refundSale({ sale: sales[1]!.id, amount: 1 })), 'NOT_FOUND', /^sale/],
      [refusal(other.listSales(report.id)), 'NOT_FOUND', /^product/],
      [
        refusal(other.addProduct({ jobs: ['job-report'], name: 'Mine', price: 1, currency: 'CNY' })),
        'NOT_FOUND',
        /^jobs/,
      ],
    ];
    for (const [call, code, message] of cases) {
      const e = await call;
      expect([e.code, e.message]).toEqual([code, expect.stringMatching(message)]);
    }
    expect(await other.listProducts()).toEqual([]);
    expect(await other.listSales()).toEqual([]);
    expect(await head()).toEqual(before);
    expect((await coord.store.listSales()).length).toBe(salesBefore);
    expect((await coord.store.listProducts()).length).toBe(productsBefore);
  });

  it('refuses jobs that cannot be sold: unfinished, of another kind, without a valuation unless equal', async () => {
    // (A stored job left running would be resumed by the coordinator: a failed one is as unfinished.)
    await storedJob('job-failed', { status: 'failed' }, { contributors: [id('a')] });
    await storedJob('job-score', { specJson: JSON.stringify({ kind: 'score' }) }, { contributors: [id('a')] });
    await storedJob('job-plain', {}, { contributors: [id('a'), id('b')] });
    const add = (jobs: string[], valuation?: 'equal') =>
      analyst.addProduct({ jobs, name: 'P', price: 10, currency: 'CNY', ...(valuation ? { valuation } : {}) });
    for (const [jobs, text] of [
      [['job-failed'], 'is failed'],
      [['job-score'], 'score job'],
      [['job-plain'], 'no valuation'],
      [['job-report', 'job-report'], 'twice'],
    ] as const) {
      const e = await refusal(add([...jobs]));
      expect(e.message).toMatch(/^jobs/);
      expect(e.message).toContain(text);
    }
    const equal = await add(['job-plain'], 'equal');
    expect(equal.members.map((m) => [m.participant, m.share])).toEqual([id('a'), id('b')].sort().map((p) => [p, 0.5]));
  });

  it('refuses a sale no member consents to, writing nothing', async () => {
    await storedJob('job-unwilling', {}, { valuation: recordsOf(['d', 'e']) });
    const unwilling = await analyst.addProduct({ jobs: ['job-unwilling'], name: 'Nobody', price: 10, currency: 'CNY' });
    const before = await head();
    const e = await refusal(analyst.sellProduct({ product: unwilling.id, buyer: 'Anyone' }));
    expect(e.code).toBe('FAILED_PRECONDITION');
    expect(e.message).toContain(id('d'));
    expect(await head()).toEqual(before);
    expect(await analyst.listSales(unwilling.id)).toEqual([]);
  });

  it("sells a real report (a query with valuation records): split by its members' row counts, or equally", async () => {
    const submitted = await analyst.submit({
      kind: 'query',
      sql: `SELECT COUNT(*) AS n FROM ${DATASET}`,
      minParticipants: 2,
      roundTimeoutSeconds: 20,
      waitForParticipantsSeconds: 10,
      privacy: { mode: 'none' },
      valuation: 'records',
    });
    const job = await analyst.watch(submitted.id);
    expect(job.status, job.error).toBe('completed');
    const rows = shards(BREAST_CANCER, 2).map((t) => t.rows.length);
    const product = await analyst.addProduct({
      jobs: [job.id],
      name: 'Patient count',
      price: 100_001,
      currency: 'CNY',
    });
    expect(product.kinds).toEqual(['query']);
    expect(product.methods).toEqual(['records']);
    // What the valuation released and cost: exact counts, no epsilon, no report noise to grow.
    expect(product.releases).toEqual([
      { job: job.id, method: 'records', epsilon: 0, delta: null, noiseStd: 0, note: 'exact' },
    ]);
    const values = Object.fromEntries(product.members.map((m) => [m.participant, m.jobs[0]!.value]));
    expect(values).toEqual({ [id('a')]: rows[0], [id('b')]: rows[1] });
    const sale = await analyst.sellProduct({ product: product.id, buyer: 'Lab', buyerClass: 'research' });
    expect(sale.entries.reduce((a, e) => a + e.amount, 0)).toBe(100_001);
    for (const [i, n] of ['a', 'b'].entries()) {
      const paid = sale.entries.find((e) => e.participant === id(n))!.amount;
      expect(Math.abs(paid - (100_001 * rows[i]!) / (rows[0]! + rows[1]!))).toBeLessThan(1);
    }
    sales.push(sale);
    const equal = await analyst.addProduct({
      jobs: [job.id],
      name: 'Patient count, equal shares',
      price: 100_001,
      currency: 'CNY',
      valuation: 'equal',
    });
    const even = await analyst.sellProduct({ product: equal.id, buyer: 'Lab' });
    expect(even.entries.map((e) => e.amount).sort()).toEqual([50_000, 50_001]);
    sales.push(even);
  });

  it('sells a trained model without a payout in equal shares among the members that trained it', async () => {
    const submitted = await analyst.submit({
      dataset: DATASET,
      label: 'benign',
      rounds: 2,
      minParticipants: 2,
      roundTimeoutSeconds: 20,
      waitForParticipantsSeconds: 10,
      secure: { mode: 'none' },
    });
    const job = await analyst.watch(submitted.id);
    expect(job.status, job.error).toBe('completed');
    const e = await refusal(analyst.addProduct({ jobs: [job.id], name: 'Model', price: 10, currency: 'CNY' }));
    expect(e.message).toContain('no valuation');
    const product = await analyst.addProduct({
      jobs: [job.id],
      name: 'Risk model, equal shares',
      price: 10_001,
      currency: 'CNY',
      valuation: 'equal',
    });
    expect(product.kinds).toEqual(['train']);
    expect(product.members.map((m) => m.participant).sort()).toEqual([id('a'), id('b')].sort());
    const sale = await analyst.sellProduct({ product: product.id, buyer: 'Lab' });
    expect(sale.entries.map((x) => x.amount).sort()).toEqual([5_000, 5_001]);
    sales.push(sale);
  });

  it('the ledger verifies, reconciles exactly, and each member kept a receipt of each of its entries', async () => {
    const exported = await analyst.exportLedger();
    const verdict = verifyLedger(exported.lines.join('\n'), Buffer.from(exported.coordinatorKey, 'hex'), {
      head: exported.head,
    });
    expect(verdict.ok, JSON.stringify(verdict)).toBe(true);
    const entries = exported.lines.map((l, i) => parseLedgerLine(l, i + 1));
    expect(entries.every((e) => e.version === 3)).toBe(true);
    const r = reconcileLedger(entries);
    expect(r.problems).toEqual([]);
    expect(r.balanced).toBe(true);
    const cny = r.currencies.find((c) => c.currency === 'CNY')!;
    expect(cny.sales).toBe(260_001 + 2 * 100_001 + 10_001);
    expect(cny.buyerRefunds).toBe(-170_010);
    expect(cny.difference).toBe(0);
    // Each sale's entries are in the ledger as its view says.
    for (const s of sales) {
      const event = entries.find((e) => e.seq === s.seq)!;
      expect(event).toMatchObject({
        kind: 'sale',
        sale: s.id,
        product: s.product,
        participant: s.buyer,
        amount: s.amount,
      });
      for (const p of s.entries)
        expect(entries.find((e) => e.seq === p.seq)).toMatchObject({ kind: 'payout', sale: s.id, amount: p.amount });
    }
    // Receipts arrive asynchronously: a's node keeps one per entry of its own (payouts and refunds).
    const mine = entries.filter((e) => e.participant === id('a')).map((e) => e.hash);
    await expect
      .poll(
        () =>
          nodes
            .get('a')!
            .ledger.receipts()
            .filter((line) => mine.some((h) => line.includes(h))).length,
        {
          timeout: 10_000,
        },
      )
      .toBe(mine.length);
  });
});
