// `tessera model recommend`: a merchant's customers scored locally against a recommend model's item factors, the
// same top 10 as the library's modelScorer, seen items left out, every customer's list as CSV, and bad input refused.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@tessera/test-support';
import {
  algorithmFromSpec,
  type Interactions,
  type ItemFactors,
  interactionsFrom,
  modelScorer,
  seededRandom,
  syntheticRecommendation,
  trainRecommender,
} from '@tessera/recommend';
import { recommendModelFile, saveRecommendModelFile } from '../src/recommend/model-file.js';
import { runCli } from './in-process.js';

const MODEL = { algorithm: 'als', k: 4, lambda: 0.1, alpha: 10 } as const;

/** The library's top `top` for customer c: modelScorer's scores, seen items out, ties to the lower index. */
function libraryTop(items: ItemFactors, data: Interactions, c: number, top: number) {
  const customers = algorithmFromSpec(MODEL).localCustomerStep(items, data, undefined, seededRandom('unused'));
  const scores = new Float64Array(items.count);
  modelScorer(items, customers)(c, scores);
  const seen = new Set(Array.from(data.items.subarray(data.offsets[c]!, data.offsets[c + 1]!)));
  return Array.from(scores, (score, i) => ({ i, score }))
    .filter(({ i }) => !seen.has(i))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, top)
    .map(({ i, score }) => ({ item: data.catalogue.ids[i]!, score }));
}

describe('tessera model recommend', () => {
  const tmp = tempDir('tessera-model-recommend-');
  afterAll(() => tmp.cleanup());
  const at = (f: string) => join(tmp.dir, f);
  const synthetic = syntheticRecommendation({ merchants: 3, customers: 240, items: 60 }, seededRandom('serve'));
  const merchant = synthetic.rows[0]!;
  let items: ItemFactors;
  let data: Interactions;

  beforeAll(() => {
    items = trainRecommender(algorithmFromSpec(MODEL), synthetic.tables, { rounds: 4, seed: 'serve' }).items;
    const file = recommendModelFile({
      job: { id: 'job-serve', name: 'serve', round: 4 },
      name: 'serve',
      model: MODEL,
      columns: { customer: 'customer_id', item: 'item_id', timestamp: 'timestamp' },
      catalogue: synthetic.catalogue.ids,
      items,
    });
    saveRecommendModelFile(at('model.json'), file);
    const lines = merchant.map((r) => `${r.customer},${r.item},${r.timestamp}`);
    writeFileSync(at('orders.csv'), `customer_id,item_id,timestamp\n${lines.join('\n')}\n`);
    data = interactionsFrom(merchant, synthetic.catalogue, { source: 'merchant' });
  });

  it("gives a customer the library's top 10 of the items it does not have yet", async () => {
    const c = 3;
    const customer = data.customerIds[c]!;
    const r = await runCli([
      'model',
      'recommend',
      '--model',
      at('model.json'),
      '--data',
      at('orders.csv'),
      '--customer',
      customer,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      customer: string;
      recommendations: { rank: number; item: string; score: number }[];
    };
    expect(out).toMatchObject({ customer, model: { job: 'job-serve', algorithm: 'als', k: 4 } });
    const expected = libraryTop(items, data, c, 10);
    expect(out.recommendations.map((x) => x.item)).toEqual(expected.map((x) => x.item));
    out.recommendations.forEach((x, i) => {
      expect(x.rank).toBe(i + 1);
      expect(x.score).toBeCloseTo(expected[i]!.score, 9);
    });
    const seen = new Set(merchant.filter((row) => row.customer === customer).map((row) => row.item));
    expect(seen.size).toBeGreaterThan(0);
    for (const x of out.recommendations) expect(seen.has(x.item)).toBe(false);

    const table = await runCli([
      'model',
      'recommend',
      '--model',
      at('model.json'),
      '--data',
      at('orders.csv'),
      '--customer',
      customer,
      '--top',
      '3',
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain(
      `top 3 items for customer "${customer}" (als, k = 4, job job-serve; computed locally)`,
    );
    expect(table.stdout).toMatch(new RegExp(`1\\s+${expected[0]!.item}\\s+${expected[0]!.score.toFixed(4)}`));
  });

  it("writes every customer's top N as CSV (customer_id, rank, item_id, score)", async () => {
    const r = await runCli([
      'model',
      'recommend',
      '--model',
      at('model.json'),
      '--data',
      at('orders.csv'),
      '--out',
      at('recs.csv'),
      '--top',
      '5',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    const lines = readFileSync(at('recs.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('customer_id,rank,item_id,score');
    expect(summary).toEqual({
      out: at('recs.csv'),
      customers: data.customerIds.length,
      rows: lines.length - 1,
      top: 5,
      read: merchant.length,
      skipped: 0,
    });
    expect(lines.length - 1).toBe(5 * data.customerIds.length);
    for (const c of [0, 7, data.customerIds.length - 1]) {
      const id = data.customerIds[c]!;
      const own = lines.filter((l) => l.startsWith(`${id},`)).map((l) => l.split(','));
      const expected = libraryTop(items, data, c, 5);
      expect(own.map((f) => f[1])).toEqual(['1', '2', '3', '4', '5']);
      expect(own.map((f) => f[2])).toEqual(expected.map((x) => x.item));
      own.forEach((f, i) => expect(Number(f[3])).toBeCloseTo(expected[i]!.score, 5));
    }
  });

  it('reads renamed columns by flag and skips items outside the catalogue, counting them on stderr', async () => {
    const lines = merchant.map((r) => `${r.item},${r.customer}`);
    lines.push('not-an-item,customer-x', 'also-not,customer-x');
    writeFileSync(at('renamed.csv'), `sku,buyer\n${lines.join('\n')}\n`);
    const customer = data.customerIds[0]!;
    const renamed = ['--data', at('renamed.csv'), '--customer-column', 'buyer', '--item-column', 'sku'];
    const run = (...args: string[]) => runCli(['model', 'recommend', '--model', at('model.json'), ...renamed, ...args]);

    // the model's timestamp column is not in this file: time does not change the scores, so it is not needed
    const skipped = await run('--customer', customer, '--json');
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stderr).toContain(
      `skipped 2 of ${merchant.length + 2} rows of ${at('renamed.csv')}: their item is not in the model's ` +
        'catalogue of 60 items (e.g. "not-an-item", "also-not")',
    );
    const recs = JSON.parse(skipped.stdout).recommendations.map((x: { item: string }) => x.item);
    expect(recs).toEqual(libraryTop(items, data, 0, 10).map((x) => x.item));

    // a timestamp column given by flag is read and checked: the row, the column and the value are named
    const bad = await run('--timestamp-column', 'buyer', '--customer', customer);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      `${at('renamed.csv')} row 1, column "buyer": "${merchant[0]!.customer}" is not a number or date; fix it`,
    );
    const absent = await run('--timestamp-column', 'when', '--customer', customer);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toContain(
      `there is no timestamp column "when"; the columns are: sku, buyer. Name the right one with --timestamp-column`,
    );

    // customer-x's only rows were outside the catalogue: it has nothing to be scored from
    const none = await run('--customer', 'customer-x');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(
      `customer "customer-x" has no interactions in ${at('renamed.csv')} (column "buyer", with an item in the ` +
        "model's catalogue)",
    );
  });

  it('weighs a count column (--count-column) as training does, and refuses an empty or zero count', async () => {
    const counted = merchant.map((r, i) => ({ ...r, count: 1 + (i % 3) }));
    const lines = counted.map((r) => `${r.customer},${r.item},${r.count}`);
    writeFileSync(at('counts.csv'), `customer_id,item_id,qty\n${lines.join('\n')}\n`);
    const weighted = interactionsFrom(counted, synthetic.catalogue, { source: 'counts' });
    const c = 4;
    const base = ['model', 'recommend', '--model', at('model.json'), '--count-column', 'qty', '--json'];
    const r = await runCli([...base, '--data', at('counts.csv'), '--customer', weighted.customerIds[c]!]);
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout).recommendations as { item: string; score: number }[];
    const expected = libraryTop(items, weighted, c, 10);
    expect(got.map((x) => x.item)).toEqual(expected.map((x) => x.item));
    got.forEach((x, i) => expect(x.score).toBeCloseTo(expected[i]!.score, 9));

    writeFileSync(
      at('zero.csv'),
      `customer_id,item_id,qty\n${lines[0]}\n${merchant[1]!.customer},${merchant[1]!.item},0\n`,
    );
    const zero = await runCli([...base, '--data', at('zero.csv'), '--customer', merchant[0]!.customer]);
    expect(zero.code).toBe(1);
    expect(zero.stderr).toContain(`${at('zero.csv')} row 2, column "qty": count 0 is not a positive number`);
    writeFileSync(at('blank.csv'), `customer_id,item_id,qty\n${merchant[1]!.customer},${merchant[1]!.item},\n`);
    const blank = await runCli([...base, '--data', at('blank.csv'), '--customer', merchant[1]!.customer]);
    expect(blank.code).toBe(1);
    expect(blank.stderr).toContain(`${at('blank.csv')} row 1, column "qty": "" is not a number; fix it`);
  });

  it('serves a BPR model too: seeded passes, so the same files give the same list, seen items left out', async () => {
    const bpr = trainRecommender(algorithmFromSpec({ algorithm: 'bpr', k: 4 }), synthetic.tables, {
      rounds: 5,
      seed: 'serve-bpr',
    }).items;
    saveRecommendModelFile(
      at('bpr.json'),
      recommendModelFile({
        job: { id: 'job-bpr', name: 'bpr', round: 5 },
        name: 'bpr',
        model: { algorithm: 'bpr', k: 4, lambda: 0.01, itemRate: 0.05 },
        columns: { customer: 'customer_id', item: 'item_id' },
        catalogue: synthetic.catalogue.ids,
        items: bpr,
      }),
    );
    const customer = data.customerIds[5]!;
    const args = ['model', 'recommend', '--model', at('bpr.json'), '--data', at('orders.csv'), '--customer', customer];
    const first = await runCli([...args, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const list = JSON.parse(first.stdout).recommendations as { item: string; score: number }[];
    expect(list).toHaveLength(10);
    const seen = new Set(merchant.filter((row) => row.customer === customer).map((row) => row.item));
    for (const x of list) expect(seen.has(x.item)).toBe(false);
    for (let i = 1; i < list.length; i++) expect(list[i]!.score).toBeLessThanOrEqual(list[i - 1]!.score);
    const again = await runCli([...args, '--json']);
    expect(JSON.parse(again.stdout).recommendations).toEqual(list);
  });

  it('refuses an unknown customer, a model file of another format and missing flags, naming the fix', async () => {
    const base = ['model', 'recommend', '--model', at('model.json'), '--data', at('orders.csv')];
    const unknown = await runCli([...base, '--customer', 'nobody-42']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      `error: customer "nobody-42" has no interactions in ${at('orders.csv')} (column "customer_id"); ` +
        'check the id, or give the file that holds its rows',
    );
    const neither = await runCli(base);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain("give --customer ID for one customer's top items, or --out FILE.csv");

    writeFileSync(at('train-model.json'), JSON.stringify({ format: 'tessera-model', version: 2, weights: [] }));
    const wrong = await runCli([
      'model',
      'recommend',
      '--model',
      at('train-model.json'),
      '--data',
      at('orders.csv'),
      '--customer',
      'customer-1',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(
      `${at('train-model.json')}: format is "tessera-model", expected "tessera-recommend/1"`,
    );
    const model = JSON.parse(readFileSync(at('model.json'), 'utf8'));
    writeFileSync(at('short.json'), JSON.stringify({ ...model, biases: model.biases.slice(2) }));
    const short = await runCli([
      'model',
      'recommend',
      '--model',
      at('short.json'),
      '--data',
      at('orders.csv'),
      '--out',
      at('x.csv'),
    ]);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain(`${at('short.json')}: biases must hold one number per catalogue item (60)`);
    const top = await runCli([...base, '--customer', 'c', '--top', '0']);
    expect(top.stderr).toContain('--top must be a whole number of at least 1, got "0"');
    const missing = await runCli([
      'model',
      'recommend',
      '--model',
      at('model.json'),
      '--data',
      at('none.csv'),
      '--out',
      at('y.csv'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(at('none.csv'));
  });

  it('lists recommend under tessera model, saying nothing leaves the machine', async () => {
    const help = await runCli(['model', 'recommend', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Nothing is sent anywhere');
    expect(help.stdout).toMatch(/Examples:\n\s+\$ tessera model recommend/);
    const group = await runCli(['model', '--help']);
    expect(group.stdout).toMatch(/^\s+recommend \[options\]/m);
  });
});
