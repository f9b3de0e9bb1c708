// `tessera demo data --recommend`: the synthetic recommendation federation as files (one interactions CSV per
// merchant, the catalogue, a job spec, a README), seeded, with the planted structure of syntheticRecommendation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@tessera/test-support';
import { seededRandom, syntheticRecommendation } from '@tessera/recommend';
import { readJobSpec } from '../src/commands/job.js';
import { runCli } from './in-process.js';

describe('tessera demo data --recommend', () => {
  const tmp = tempDir('tessera-recommend-data-');
  afterAll(() => tmp.cleanup());
  const at = (f: string) => join(tmp.dir, f);
  const flags = ['--merchants', '3', '--customers', '150', '--items', '40', '--seed', '5'];

  it('writes a CSV per merchant, the catalogue; --json prints {dir, merchants, files, rows, items, seed}', async () => {
    const r = await runCli(['demo', 'data', '--recommend', '--out', at('fed'), ...flags, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const files = [1, 2, 3].map((m) => join(at('fed'), `merchant-${m}.csv`));
    expect(out).toMatchObject({ dir: at('fed'), merchants: 3, files, items: 40, customers: 150, seed: 5 });
    expect(out.readme).toBe(join(at('fed'), 'README.md'));
    // the files hold exactly the generator's rows (the same seed label as tessera demo --recommend)
    const truth = syntheticRecommendation(
      { merchants: 3, customers: 150, items: 40 },
      seededRandom('tessera-recommend-demo/5'),
    );
    let rows = 0;
    const customers = new Set<string>();
    files.forEach((file, m) => {
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      expect(lines[0]).toBe('customer_id,item_id,timestamp');
      expect(lines.slice(1)).toEqual(truth.rows[m]!.map((x) => `${x.customer},${x.item},${x.timestamp}`));
      rows += lines.length - 1;
      for (const l of lines.slice(1)) customers.add(l.split(',')[0]!);
    });
    expect(out.rows).toBe(rows);
    expect(customers.size).toBe(150);
    const catalogue = readFileSync(join(at('fed'), 'catalogue.csv'), 'utf8')
      .trimEnd()
      .split('\n');
    expect(catalogue).toEqual(['item_id', ...truth.catalogue.ids]);
    expect(readFileSync(out.readme, 'utf8')).toContain('Planted structure');

    // the spec it writes submits as is: its catalogue file becomes the list
    const spec = (await readJobSpec(out.spec)) as { catalogue: { items: string[] }; kind: string };
    expect(spec.kind).toBe('recommend');
    expect(spec.catalogue.items).toEqual(truth.catalogue.ids);
  });

  it('the same seed writes the same bytes; another seed other data; a line without --json', async () => {
    const again = await runCli(['demo', 'data', '--recommend', '--out', at('again'), ...flags]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      new RegExp(`^wrote \\d+ interactions of 150 customers with 3 merchants to ${at('again')}: merchant-1\\.csv`),
    );
    for (const f of ['merchant-1.csv', 'merchant-3.csv', 'catalogue.csv'])
      expect(readFileSync(join(at('again'), f)).equals(readFileSync(join(at('fed'), f)))).toBe(true);
    const other = await runCli(['demo', 'data', '--recommend', '--out', at('other'), ...flags.slice(0, -1), '6']);
    expect(other.code, other.stderr).toBe(0);
    expect(
      readFileSync(join(at('other'), 'merchant-1.csv')).equals(readFileSync(join(at('fed'), 'merchant-1.csv'))),
    ).toBe(false);
  });

  it('refuses flags that do not fit, naming the flag and the fix', async () => {
    const few = await runCli(['demo', 'data', '--recommend', '--out', at('few'), '--customers', '100']);
    expect(few.code).toBe(1);
    expect(few.stderr).toContain(
      '--customers 100 cannot give 10 merchants 40 customers each; give --customers 400 or more, or fewer --merchants',
    );
    const items = await runCli(['demo', 'data', '--orders', '10', '--out', at('x.csv'), '--items', '5']);
    expect(items.stderr).toContain('--items needs --recommend');
    const orders = await runCli(['demo', 'data', '--recommend', '--out', at('y'), '--orders', '10']);
    expect(orders.stderr).toContain('--orders is for order histories; --recommend writes interactions');
    const one = await runCli(['demo', 'data', '--recommend', '--out', at('z'), '--items', '1']);
    expect(one.stderr).toContain('--items must be a whole number of at least 2, got "1"');
  });
});
