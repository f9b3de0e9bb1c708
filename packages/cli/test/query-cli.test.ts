import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@tessera/test-support';
import { EXAMPLES, requireBuild, tessera } from './cli.js';

/** COUNT and AVG(alcohol) per cultivar, straight from the CSV (the reference a query must match with DP off). */
function pooled(csv: string): Record<string, { count: number; mean: number }> {
  const [header, ...lines] = readFileSync(csv, 'utf8').trim().split(/\r?\n/);
  const h = header.split(',');
  const ia = h.indexOf('alcohol'),
    ic = h.indexOf('cultivar');
  const out: Record<string, { count: number; sum: number }> = {};
  for (const line of lines) {
    const c = line.split(',');
    const g = (out[c[ic]] ??= { count: 0, sum: 0 });
    g.count++;
    g.sum += Number(c[ia]);
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { count: v.count, mean: v.sum / v.count }]));
}

describe('tessera demo --query and --report (separate processes)', () => {
  const wine = join(EXAMPLES, 'data', 'wine.csv');

  it('a GROUP BY query with DP off equals the pooled answer; SUM without bounds is refused naming the column', () => {
    requireBuild();
    const r = tessera([
      'demo',
      '--query',
      'SELECT cultivar, COUNT(*), AVG(alcohol) FROM wine GROUP BY cultivar',
      '--data',
      wine,
      '--participants',
      '4',
      '--split',
      'iid',
      '--bounds',
      'alcohol=0:20',
      '--dp',
      'none',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { rows: Record<string, unknown>[]; privacy: { epsilon: number | null } };
    const want = pooled(wine);
    expect(out.rows).toHaveLength(Object.keys(want).length);
    for (const row of out.rows) {
      const w = want[String(row.cultivar)];
      expect(row['COUNT(*)']).toBe(w.count);
      expect(Math.abs((row['AVG(alcohol)'] as number) - w.mean) / w.mean).toBeLessThan(1e-9);
    }
    expect(out.privacy.epsilon).toBeNull();
    const bad = tessera([
      'demo',
      '--query',
      'SELECT SUM(alcohol) FROM wine',
      '--data',
      wine,
      '--participants',
      '2',
      '--dp',
      'none',
      '--json',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/alcohol/);
    expect(bad.stderr).toMatch(/bounds/i);
  });

  it('writes the market-insight report of the synthetic merchants as one self-contained page with charts', () => {
    const { dir, cleanup } = tempDir('tessera-report-cli-');
    try {
      const file = join(dir, 'market.html');
      const r = tessera(['demo', '--report', file, '--participants', '3', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const results = JSON.parse(r.stdout) as { privacy: { epsilon: number; unit?: string; calibration?: string } }[];
      expect(results).toHaveLength(3);
      expect(results.every((x) => x.privacy.epsilon === 1)).toBe(true);
      // The guarantee's unit and the calibration of the single release are stated.
      expect(results.every((x) => x.privacy.unit === 'record' && x.privacy.calibration === 'analytic-gaussian')).toBe(
        true,
      );
      const html = readFileSync(file, 'utf8');
      expect(html).toContain('The guarantee covers each single row (unit record)');
      for (const title of ['Category share by region', 'Basket size distribution', 'Repurchase by region'])
        expect(html).toContain(title);
      expect((html.match(/data-chart="/g) ?? []).length).toBeGreaterThanOrEqual(4);
      expect(html).not.toMatch(/https?:\/\//);
      // tessera report turns a saved result into the same kind of page
      const result = join(dir, 'one.json');
      writeFileSync(result, JSON.stringify(results[2]));
      const page = join(dir, 'one.html');
      const rep = tessera(['report', '--in', result, '--out', page, '--title', 'Repurchase']);
      expect(rep.code, rep.stderr).toBe(0);
      expect(readFileSync(page, 'utf8')).toContain('data-chart="bar"');
      expect(tessera(['report', '--out', page]).stderr).toMatch(/--job ID or --in result\.json/);
    } finally {
      cleanup();
    }
  });
});
