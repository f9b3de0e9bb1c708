// `tessera demo data`: the synthetic orders file from the command line (CSV or Parquet, --json), while `tessera demo`
// itself, which has its own action and options, keeps working.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@tessera/test-support';
import { BIN, requireBuild, tessera } from './cli.js';
import { runCli } from './in-process.js';

const HEADER =
  'order_id,customer_id,merchant_id,product_id,category,region,ordered_at,quantity,unit_price,order_value,discount,' +
  'returned,channel';

describe('tessera demo data', () => {
  const tmp = tempDir('tessera-demo-data-');
  afterAll(() => tmp.cleanup());
  const at = (f: string) => join(tmp.dir, f);

  it('writes a CSV (format from the extension); --json prints {file, format, rows, bytes, seconds, seed}', async () => {
    const r = await runCli(['demo', 'data', '--orders', '3000', '--out', at('orders.csv'), '--seed', '9', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const bytes = readFileSync(at('orders.csv'));
    expect(out).toMatchObject({ file: at('orders.csv'), format: 'csv', rows: 3000, seed: 9, bytes: bytes.length });
    expect(out.seconds).toBeGreaterThan(0);
    const lines = bytes.toString('utf8').split('\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines).toHaveLength(3002);
    expect(r.stderr).toContain('writing 3000 synthetic orders');

    // the same seed again: the same bytes; --merchants changes the data
    await runCli(['demo', 'data', '--orders', '3000', '--out', at('again.csv'), '--seed', '9']);
    expect(readFileSync(at('again.csv')).equals(bytes)).toBe(true);
    await runCli(['demo', 'data', '--orders', '3000', '--out', at('three.csv'), '--seed', '9', '--merchants', '3']);
    const merchants = new Set(
      readFileSync(at('three.csv'), 'utf8')
        .split('\n')
        .slice(1, -1)
        .map((l) => l.split(',')[2]),
    );
    expect([...merchants].sort()).toEqual(['m1', 'm2', 'm3']);
  });

  it('writes Parquet for a .parquet file, and prints rows, bytes and seconds without --json', async () => {
    const r = await runCli(['demo', 'data', '--orders', '2000', '--out', at('orders.parquet')]);
    expect(r.code, r.stderr).toBe(0);
    const size = readFileSync(at('orders.parquet')).length;
    expect(readFileSync(at('orders.parquet')).subarray(0, 4).toString()).toBe('PAR1');
    expect(r.stdout).toMatch(
      new RegExp(`^wrote 2000 orders to .*orders\\.parquet: parquet, ${size} bytes .*, [\\d.]+ s; seed 42`),
    );
    const forced = await runCli(['demo', 'data', '--orders', '100', '--out', at('forced.txt'), '--format', 'parquet']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(at('forced.txt')).subarray(0, 4).toString()).toBe('PAR1');
  });

  it('refuses bad flags with the flag, the value and what to change', async () => {
    const zero = await runCli(['demo', 'data', '--orders', '0', '--out', at('x.csv')]);
    expect(zero.code).toBe(1);
    expect(zero.stderr).toContain('--orders must be a whole number of at least 1, got "0"');
    const format = await runCli(['demo', 'data', '--orders', '10', '--out', at('x.csv'), '--format', 'json']);
    expect(format.stderr).toContain('--format must be csv or parquet, got "json"');
    const dir = await runCli(['demo', 'data', '--orders', '10', '--out', join(tmp.dir, 'no', 'x.csv')]);
    expect(dir.code).toBe(1);
    expect(dir.stderr).toContain(`the directory ${join(tmp.dir, 'no')} does not exist; create it first`);
    expect(existsSync(at('x.csv'))).toBe(false);
    const missing = await runCli(['demo', 'data', '--out', at('x.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("required option '--orders <n>' not specified");
  });

  it('leaves tessera demo as it was: its own options, its own run, and data listed in its help', async () => {
    const r = await runCli([
      'demo',
      '--participants',
      '2',
      '--rounds',
      '1',
      '--inline',
      '--secure',
      'none',
      '--seed',
      '3',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const demo = JSON.parse(r.stdout);
    expect(demo).toMatchObject({ participants: 2, rounds: 1, seed: 3 });
    expect(demo.federated.auc).toBeGreaterThan(0.5);
    const help = await runCli(['demo', '--help']);
    expect(help.stdout).toContain('--participants <n>');
    expect(help.stdout).toMatch(/Commands:\n\s+data \[options\]/);
  });

  it('runs from the built tessera command', () => {
    requireBuild();
    expect(existsSync(BIN)).toBe(true);
    const r = tessera(['demo', 'data', '--orders', '500', '--out', at('built.parquet'), '--seed', '4', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'parquet', rows: 500, seed: 4 });
  });
});
