// `tessera query --valuation records` against a running coordinator and three nodes: the members' row counts come
// back with the report, and the job is then listed as a product split by them (no `--valuation equal` needed).
// `tessera job submit` of a query spec with `valuation: records` does the same.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { createAnalystKeys, LocalFederation, saveAnalystKeys } from '@tessera/sdk';
import { tempDir } from '@tessera/test-support';
import { runCli } from './in-process.js';

const REGIONS = ['north', 'south'];
// Three merchants of 30, 60 and 90 customers, in two regions: their row counts differ, so their shares do.
const SIZES = [30, 60, 90];
const shards: RawTable[] = SIZES.map((size, m) => ({
  source: `merchant-${m + 1}`,
  columns: ['customer_id', 'region'],
  rows: Array.from({ length: size }, (_, c) => [`m${m}c${c}`, REGIONS[c % 2]!]),
  lineOf: (i: number) => i + 2,
}));

interface Valuation {
  method: string;
  members: { participant: string; value: number }[];
  noiseStd: number;
  note: string;
}

describe('tessera query --valuation records with a coordinator', () => {
  const tmp = tempDir('tessera-query-valuation-cli-');
  let fed: LocalFederation;
  let conn: string[];
  const cli = async (args: string[]) => {
    const r = await runCli([...args, ...conn]);
    return { ...r, json: () => JSON.parse(r.stdout) };
  };
  const countOf = (id: string) => SIZES[fed.participants.findIndex((p) => p.id === id)];

  beforeAll(async () => {
    fed = await LocalFederation.start({ dir: join(tmp.dir, 'nodes'), shards, dataset: 'customers', runtime: 'inline' });
    const keys = join(tmp.dir, 'alice-keys.json');
    saveAnalystKeys(keys, await createAnalystKeys());
    const added = await runCli([
      'coordinator',
      'analysts',
      'add',
      'alice',
      '--keys',
      keys,
      '--data-dir',
      join(tmp.dir, 'nodes', 'coordinator'),
    ]);
    expect(added.code, added.stderr).toBe(0);
    conn = ['--keys', keys, '--coordinator', fed.address];
  }, 60_000);
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('refuses another method or --sealed, naming the flag, before anything is sent', async () => {
    const equal = await cli(['query', 'SELECT COUNT(*) FROM customers', '--valuation', 'equal']);
    expect(equal.code).toBe(1);
    expect(equal.stderr).toMatch(/--valuation must be records/);
    expect(equal.stderr).toMatch(/"equal"/);
    const sealed = await cli(['query', 'SELECT COUNT(*) FROM customers', '--valuation', 'records', '--sealed']);
    expect(sealed.code).toBe(1);
    expect(sealed.stderr).toMatch(/--valuation records is not available with --sealed/);
    expect((await cli(['job', 'list', '--json'])).json()).toEqual([]);
  });

  it("the members' exact counts come back, and the job sells by them without --valuation equal", async () => {
    const query = await cli([
      'query',
      'SELECT region, COUNT(*) FROM customers GROUP BY region',
      '--domain',
      'region=north|south',
      '--dp',
      'none',
      '--min-participants',
      '3',
      '--valuation',
      'records',
      '--json',
    ]);
    expect(query.code, query.stderr).toBe(0);
    const result = query.json() as { rows: Record<string, unknown>[]; valuation: Valuation };
    expect(result.valuation).toMatchObject({ method: 'records', noiseStd: 0, note: 'exact' });
    expect(result.valuation.members).toHaveLength(3);
    for (const m of result.valuation.members) expect(m.value).toBe(countOf(m.participant));
    // The report itself is unchanged by the count coordinates.
    expect(result.rows.map((r) => r['COUNT(*)'])).toEqual([90, 90]);

    const [job] = (await cli(['job', 'list', '--json'])).json() as { id: string; status: string }[];
    expect(job!.status).toBe('completed');
    const added = await cli([
      'products',
      'add',
      '--job',
      job!.id,
      '--name',
      'Regions by merchant',
      '--price',
      '600',
      '--currency',
      'EUR',
      '--json',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const product = added.json() as { id: string; valuation: string; methods: string[] };
    expect(product).toMatchObject({ valuation: 'job', methods: ['records'] });
    const sold = await cli(['products', 'sell', product.id, '--buyer', 'acme-bank', '--json']);
    expect(sold.code, sold.stderr).toBe(0);
    const entries = sold.json().entries as { participant: string; amount: number }[];
    // 600 split 30:60:90 exactly.
    expect(Object.fromEntries(entries.map((e) => [countOf(e.participant), e.amount]))).toEqual({
      30: 100,
      60: 200,
      90: 300,
    });
  });

  it('under distributed DP the counts come back noisy, with their noise, and the text output lists them', async () => {
    const query = await cli([
      'query',
      'SELECT COUNT(*) FROM customers',
      '--min-count',
      '0',
      '--min-participants',
      '3',
      '--valuation',
      'records',
      '--json',
    ]);
    expect(query.code, query.stderr).toBe(0);
    const { valuation } = query.json() as { valuation: Valuation };
    expect(valuation.noiseStd).toBeGreaterThan(0);
    expect(valuation.note).toMatch(/released jointly with the query at epsilon 1/);
    for (const m of valuation.members)
      expect(Math.abs(m.value - countOf(m.participant)!)).toBeLessThan(8 * valuation.noiseStd);

    const text = await cli(['query', 'SELECT COUNT(*) FROM customers', '--dp', 'none', '--valuation', 'records']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/valuation \(records, exact\):/);
    for (const p of fed.participants) expect(text.stdout).toMatch(new RegExp(`${p.id}\\s+${countOf(p.id)} rows`));
  });

  it('tessera job submit of a query spec with valuation: records gives the same valuation', async () => {
    const spec = join(tmp.dir, 'report.json');
    writeFileSync(
      spec,
      JSON.stringify({
        kind: 'query',
        sql: 'SELECT COUNT(*) FROM customers',
        privacy: { mode: 'none' },
        minParticipants: 3,
        valuation: 'records',
      }),
    );
    const submitted = await cli(['job', 'submit', spec, '--watch', '--json']);
    expect(submitted.code, submitted.stderr).toBe(0);
    const job = submitted.json() as { status: string; result: { valuation: Valuation } };
    expect(job.status).toBe('completed');
    expect(job.result.valuation.members).toHaveLength(3);
    for (const m of job.result.valuation.members) expect(m.value).toBe(countOf(m.participant));
  });
});
