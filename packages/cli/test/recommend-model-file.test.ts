// The recommend model file: written from a recommend job's result (spec + item model vector), read back exactly, and
// refused field by field when it is not one.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@tessera/test-support';
import { initItemFactors, itemModelVector, seededRandom } from '@tessera/recommend';
import type { AnalystClient, JobView } from '@tessera/sdk';
import { recommendModelFileFromJob } from '../src/recommend/job-model.js';
import {
  checkRecommendModelFile,
  itemsOfModelFile,
  loadRecommendModelFile,
  RECOMMEND_MODEL_FORMAT,
  recommendModelFile,
  saveRecommendModelFile,
} from '../src/recommend/model-file.js';
import { saveRecommendResult } from '../src/recommend/recommend-result.js';
import { runCli } from './in-process.js';

/** What `run` writes to stdout until it settles. */
async function stdoutOf(run: () => Promise<void>): Promise<string> {
  let text = '';
  const write = process.stdout.write;
  process.stdout.write = ((c: string | Uint8Array) => {
    text += String(c);
    return true;
  }) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = write;
  }
  return text;
}

const CATALOGUE = ['sku-a', 'sku-b', 'sku-c', 'sku-d', 'sku-e'];

function spec(algorithm: 'als' | 'bpr') {
  return {
    name: 'basket',
    kind: 'recommend',
    dataset: 'orders',
    columns: { customer: 'cid', item: 'sku', timestamp: 'at' },
    catalogue: { items: CATALOGUE },
    model: { algorithm, k: 3 },
    submission: { nonce: '0123456789abcdef0123', at: '2026-01-01T00:00:00.000Z' },
  };
}

describe('recommend model file', () => {
  const tmp = tempDir('tessera-recommend-model-');
  afterAll(() => tmp.cleanup());
  const items = initItemFactors(CATALOGUE.length, 3, seededRandom('model-file/items'));
  items.biases.set([0.5, -0.25, 0, 1.5, -2]);

  it('round-trips: the factors, biases, catalogue order and fields come back exactly', () => {
    const file = recommendModelFile({
      job: { id: 'job-1', name: 'basket', round: 10 },
      name: 'basket',
      model: { algorithm: 'als', k: 3, lambda: 0.1, alpha: 10 },
      columns: { customer: 'cid', item: 'sku' },
      catalogue: CATALOGUE,
      items,
      metrics: { hr10: 0.5, ndcg10: 0.3, coverage: 0.4, customers: 120 },
    });
    const path = join(tmp.dir, 'model.json');
    saveRecommendModelFile(path, file);
    const back = loadRecommendModelFile(path);
    expect(back).toEqual(file);
    expect(back.format).toBe(RECOMMEND_MODEL_FORMAT);
    expect(back.factors[1]).toEqual(Array.from(items.factors.subarray(3, 6)));
    const again = itemsOfModelFile(back);
    expect(Array.from(again.factors)).toEqual(Array.from(items.factors));
    expect(Array.from(again.biases)).toEqual([0.5, -0.25, 0, 1.5, -2]);
    expect(back.itemRate).toBeUndefined();
  });

  it('is made from a job: the signed spec and the item model vector (BPR optimiser state dropped)', () => {
    const vector = itemModelVector({ ...items, accumulator: new Float64Array(CATALOGUE.length * 4).fill(9) }, true);
    expect(vector.length).toBe(2 * CATALOGUE.length * 4);
    const file = recommendModelFileFromJob({
      job: {
        id: 'job-2',
        name: 'basket',
        spec: spec('bpr'),
        result: { recommend: { hr10: 0.25, ndcg10: 0.125, coverage: 0.5, customers: 40 } },
      },
      round: 100,
      weights: vector,
    });
    expect(file).toMatchObject({
      format: 'tessera-recommend/1',
      job: { id: 'job-2', name: 'basket', round: 100 },
      algorithm: 'bpr',
      k: 3,
      lambda: 0.01,
      itemRate: 0.05,
      columns: { customer: 'cid', item: 'sku', timestamp: 'at' },
      catalogue: CATALOGUE,
      metrics: { hr10: 0.25, ndcg10: 0.125, coverage: 0.5, customers: 40 },
    });
    expect(file.alpha).toBeUndefined();
    expect(file.biases).toEqual([0.5, -0.25, 0, 1.5, -2]);
    expect(file.factors.flat()).toEqual(Array.from(items.factors));
    expect(() =>
      recommendModelFileFromJob({
        job: { id: 'job-3', name: 'b', spec: spec('als') },
        round: 1,
        weights: vector.slice(1),
      }),
    ).toThrow(/job job-3's item model does not fit its spec: an item model for 5 items with k = 3 has 20 values/);
  });

  it('job result for a recommend job writes the file and prints the held-out metrics', async () => {
    const job = {
      id: 'job-4',
      name: 'basket',
      status: 'completed',
      error: '',
      spec: spec('als'),
      result: { recommend: { hr10: 0.5, ndcg10: 0.25, coverage: 0.75, customers: 8 } },
    } as unknown as JobView;
    const analyst = {
      result: async (id: string) => {
        expect(id).toBe('job-4');
        return { round: 10, weights: itemModelVector(items) };
      },
    } as unknown as AnalystClient;
    const out = join(tmp.dir, 'job-4.json');
    const printed = await stdoutOf(() => saveRecommendResult(analyst, job, { out }));
    const file = loadRecommendModelFile(out);
    expect(file.job).toEqual({ id: 'job-4', name: 'basket', round: 10 });
    expect(file.alpha).toBe(10);
    expect(file.factors.flat()).toEqual(Array.from(items.factors));
    expect(printed).toContain(`recommend model of job job-4 (als, k = 3, 5 items, round 10) written to ${out}`);
    expect(printed).toContain('HR@10 0.5000, NDCG@10 0.2500, coverage 0.7500');
    expect(printed).toContain(`tessera model recommend --model ${out} --data FILE --customer ID`);
  });

  it('refuses another file, naming the field and its value', async () => {
    const path = join(tmp.dir, 'm.json');
    const good = recommendModelFile({
      job: { id: 'j', name: 'n', round: 1 },
      name: 'n',
      model: { algorithm: 'als', k: 3, lambda: 0.1, alpha: 10 },
      columns: { customer: 'c', item: 'i' },
      catalogue: CATALOGUE,
      items,
    });
    const refused = (m: unknown) => () => checkRecommendModelFile(m, path);
    expect(refused({ format: 'tessera-model', version: 2 })).toThrow(
      `${path}: format is "tessera-model", expected "tessera-recommend/1": this is a train job's model file, ` +
        'which "tessera model score" uses',
    );
    expect(refused([1, 2])).toThrow(/not a recommend model file/);
    expect(refused({ ...good, k: 0 })).toThrow(`${path}: k must be a positive integer, got 0`);
    expect(refused({ ...good, algorithm: 'svd' })).toThrow(`algorithm must be "als" or "bpr", got "svd"`);
    const factors = good.factors.map((r) => [...r]);
    factors[2]![1] = Number.NaN;
    expect(refused(JSON.parse(JSON.stringify({ ...good, factors })))).toThrow(`factors[2][1] is null, not a number`);
    expect(refused({ ...good, factors: good.factors.slice(1) })).toThrow(
      'factors must hold one list of k numbers per catalogue item (5), got 4 lists',
    );
    expect(refused({ ...good, catalogue: ['a', 'a', 'b', 'c', 'd'] })).toThrow('catalogue[1] "a" is listed twice');
    expect(refused({ ...good, columns: { item: 'i' } })).toThrow('columns.customer must name a column, got missing');
    // tessera model score, given a recommend model file, says which command takes it
    saveRecommendModelFile(path, good);
    const score = await runCli(['model', 'score', '--model', path, '--data', path]);
    expect(score.code).toBe(1);
    expect(score.stderr).toContain("a recommend job's model scores customers with tessera model recommend");
    writeFileSync(path, '{not json');
    expect(() => loadRecommendModelFile(path)).toThrow(`${path}: not a JSON model file`);
    expect(() => loadRecommendModelFile(join(tmp.dir, 'none.json'))).toThrow(/none\.json: file not found/);
  });
});
