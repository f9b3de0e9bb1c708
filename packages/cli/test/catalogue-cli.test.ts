// A private catalogue through the CLI: job submit of a catalogue spec, job get's item count, and job result --out
// writing the catalogue file a recommend spec's `catalogue: {file}` reads.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { createAnalystKeys, LocalFederation, saveAnalystKeys } from '@tessera/sdk';
import { tempDir } from '../../sdk/test/helpers.js';
import { catalogueCsv } from '../src/catalogue/catalogue-result.js';
import { readCatalogueFile } from '../src/recommend/catalogue-file.js';
import { runCli } from './in-process.js';

// 3 merchants of 120 customers, each customer with 2 of 3 popular items; one customer alone bought "rare-sku".
const POPULAR = ['tea', 'café crème', 'sku-3'];
const shards: RawTable[] = Array.from({ length: 3 }, (_, m) => {
  const rows: string[][] = [];
  for (let c = 0; c < 120; c++) rows.push([`m${m}c${c}`, POPULAR[c % 3]!], [`m${m}c${c}`, POPULAR[(c + 1) % 3]!]);
  if (m === 0) rows.push(['lonely', 'rare-sku']);
  return { source: `merchant-${m}`, columns: ['customer_id', 'item_id'], rows, lineOf: (i: number) => i + 2 };
});

describe('tessera job submit | job get | job result for a catalogue job', () => {
  const tmp = tempDir();
  const at = (f: string) => join(tmp.dir, f);
  let fed: LocalFederation;
  let conn: string[];

  beforeAll(async () => {
    fed = await LocalFederation.start({ dir: at('nodes'), shards, dataset: 'orders', runtime: 'inline' });
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

  it('finds the popular items, prints their count, and writes item_id then one id a line', async () => {
    const spec = at('catalogue.json');
    writeFileSync(
      spec,
      JSON.stringify({
        name: 'cli-catalogue',
        kind: 'catalogue',
        dataset: 'orders',
        maxItemsPerCustomer: 2,
        maxLength: 12,
        privacy: { epsilon: 8, maxCustomers: 1000 },
        minParticipants: 3,
        roundTimeoutSeconds: 60,
      }),
    );
    const submitted = await runCli(['job', 'submit', spec, '--watch', '--json', ...conn]);
    expect(submitted.code, submitted.stderr).toBe(0);
    const job = JSON.parse(submitted.stdout) as { id: string; status: string };
    expect(job.status).toBe('completed');

    const shown = await runCli(['job', 'get', job.id, ...conn]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/round\s+status\s+contributors\s+prefixes\s+threshold\s+completed\s+go on/);
    expect(shown.stdout).toMatch(/catalogue: 3 item\(s\) after \d+ round\(s\), epsilon [78]\.\d{3} at delta 0\.000001/);
    expect(shown.stdout).toContain(`tessera job result ${job.id} --out catalogue.csv`);

    const out = at('catalogue.csv');
    const result = await runCli(['job', 'result', job.id, '--out', out, ...conn]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`catalogue of job ${job.id}: 3 item(s) written to ${out}`);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('item_id');
    expect([...lines.slice(1)].sort()).toEqual([...POPULAR].sort());
    expect(readCatalogueFile(out).sort()).toEqual([...POPULAR].sort());
  });

  it('refuses a bad catalogue spec before sending it, naming the field', async () => {
    const spec = at('bad.json');
    writeFileSync(spec, JSON.stringify({ name: 'bad', kind: 'catalogue', dataset: 'orders', maxLength: 0 }));
    const r = await runCli(['job', 'submit', spec, ...conn]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/bad\.json: job spec: maxLength: must be at least 1, got 0/);
  });

  it('writes ids with commas or quotes as a quoted CSV the catalogue reader reads back', () => {
    const items = [
      { id: 'a,b', count: 30.2 },
      { id: 'say "hi"', count: 25 },
      { id: 'plain', count: 20 },
    ];
    const path = at('quoted.csv');
    writeFileSync(path, catalogueCsv(items));
    expect(readCatalogueFile(path)).toEqual(['a,b', 'say "hi"', 'plain']);
    expect(catalogueCsv(items.slice(2))).toBe('item_id\nplain\n');
  });
});
