// The recommend workflow through the CLI against a local federation: demo data --recommend writes the merchants'
// files, job submit reads the catalogue file into the signed spec, job result writes the recommend model file (the
// library's item factors on the same tables), and a merchant's model recommend scores its customers locally.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsvFile } from '@tessera/data';
import {
  alsAlgorithm,
  interactionsFrom,
  itemCatalogue,
  leaveLastOut,
  modelScorer,
  seededRandom,
  trainRecommender,
} from '@tessera/recommend';
import { createAnalystKeys, LocalFederation, saveAnalystKeys } from '@tessera/sdk';
import { tempDir } from '../../sdk/test/helpers.js';
import type { RecommendModelFile } from '../src/recommend/model-file.js';
import { runCli } from './in-process.js';

const K = 4;
const ROUNDS = 3;

describe('tessera demo data --recommend | job submit | job result | model recommend', () => {
  const tmp = tempDir();
  const at = (f: string) => join(tmp.dir, f);
  let fed: LocalFederation;
  let conn: string[];
  let files: string[];

  beforeAll(async () => {
    const data = await runCli([
      'demo',
      'data',
      '--recommend',
      '--out',
      at('fed'),
      '--merchants',
      '3',
      '--customers',
      '150',
      '--items',
      '40',
      '--seed',
      '3',
      '--json',
    ]);
    expect(data.code, data.stderr).toBe(0);
    files = (JSON.parse(data.stdout) as { files: string[] }).files;
    fed = await LocalFederation.start({
      dir: at('nodes'),
      shards: files.map((f) => readCsvFile(f)),
      dataset: 'interactions',
      runtime: 'inline',
    });
    const keys = at('alice-keys.json');
    saveAnalystKeys(keys, await createAnalystKeys());
    const added = await runCli([
      'coordinator',
      'analysts',
      'add',
      'alice',
      '--keys',
      keys,
      '--data-dir',
      join(at('nodes'), 'coordinator'),
    ]);
    expect(added.code, added.stderr).toBe(0);
    conn = ['--keys', keys, '--coordinator', fed.address];
  }, 60_000);
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('trains with a catalogue file, writes the model file, and a merchant scores its customers', async () => {
    const spec = at('fed/job.json');
    writeFileSync(
      spec,
      JSON.stringify({
        name: 'cli-recommend',
        kind: 'recommend',
        dataset: 'interactions',
        columns: { customer: 'customer_id', item: 'item_id', timestamp: 'timestamp' },
        catalogue: { file: 'catalogue.csv' },
        model: { algorithm: 'als', k: K, lambda: 0.1, alpha: 10 },
        rounds: ROUNDS,
        seed: 'cli-seed',
        minParticipants: 3,
        roundTimeoutSeconds: 60,
      }),
    );
    const submitted = await runCli(['job', 'submit', spec, '--watch', '--json', ...conn]);
    expect(submitted.code, submitted.stderr).toBe(0);
    const job = JSON.parse(submitted.stdout) as { id: string; status: string; spec: { catalogue: unknown } };
    expect(job.status).toBe('completed');
    const ids = readFileSync(at('fed/catalogue.csv'), 'utf8').trimEnd().split('\n').slice(1);
    expect(job.spec.catalogue).toEqual({ items: ids });

    const shown = await runCli(['job', 'get', job.id, ...conn]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/round\s+status\s+contributors\s+dropped\s+item change \(RMS\)\s+seconds/);
    expect(shown.stdout).toMatch(new RegExp(`\\n\\s*${ROUNDS}\\s+completed\\s+3\\s+0\\s+\\d`));
    expect(shown.stdout).toMatch(/held-out evaluation \(leave-last-out, \d+ customers\): HR@10 0\.\d{4}/);
    expect(shown.stdout).toContain(`tessera job result ${job.id} --out model.json`);

    const out = at('model.json');
    const result = await runCli(['job', 'result', job.id, '--out', out, ...conn]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`recommend model of job ${job.id} (als, k = 4, 40 items, round ${ROUNDS})`);
    expect(result.stdout).toMatch(/held-out evaluation \(leave-last-out, \d+ customers\): HR@10 0\.\d{4}/);
    const model = JSON.parse(readFileSync(out, 'utf8')) as RecommendModelFile;
    expect(model).toMatchObject({ format: 'tessera-recommend/1', algorithm: 'als', k: K, catalogue: ids });

    // the library on the same tables (leave-last-out training, as the job ran) gives the same item factors
    const catalogue = itemCatalogue(ids);
    const tables = files.map((f, m) => {
      const t = readCsvFile(f);
      const rows = t.rows.map(([customer, item, time]) => ({
        customer: customer!,
        item: item!,
        timestamp: Number(time),
      }));
      return interactionsFrom(rows, catalogue, { source: `merchant-${m}` });
    });
    const trained = trainRecommender(
      alsAlgorithm({ k: K, lambda: 0.1, alpha: 10 }),
      tables.map((t) => leaveLastOut(t).train),
      { rounds: ROUNDS, seed: 'cli-seed' },
    );
    model.factors.flat().forEach((x, j) => expect(x).toBeCloseTo(trained.items.factors[j]!, 4));

    // merchant 1 scores its own customer: the library's scorer on its whole table, seen items left out
    const merchant = tables[0]!;
    const customer = merchant.customerIds[2]!;
    const recommended = await runCli([
      'model',
      'recommend',
      '--model',
      out,
      '--data',
      files[0]!,
      '--customer',
      customer,
      '--json',
    ]);
    expect(recommended.code, recommended.stderr).toBe(0);
    const list = (JSON.parse(recommended.stdout) as { recommendations: { item: string }[] }).recommendations;
    const items = {
      k: K,
      count: ids.length,
      factors: Float64Array.from(model.factors.flat()),
      biases: Float64Array.from(model.biases),
    };
    const customers = alsAlgorithm({ k: K, lambda: 0.1, alpha: 10 }).localCustomerStep(
      items,
      merchant,
      undefined,
      seededRandom('unused'),
    );
    const scores = new Float64Array(ids.length);
    modelScorer(items, customers)(2, scores);
    const seen = new Set(merchant.items.subarray(merchant.offsets[2]!, merchant.offsets[3]!));
    const expected = [...scores.keys()]
      .filter((i) => !seen.has(i))
      .sort((a, b) => scores[b]! - scores[a]! || a - b)
      .slice(0, 10)
      .map((i) => ids[i]);
    expect(list.map((x) => x.item)).toEqual(expected);
  }, 120_000);
});
