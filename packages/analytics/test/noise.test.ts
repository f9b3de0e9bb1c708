import { seededRandom } from '@tessera/crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeResult,
  evaluateLocally,
  murmur3,
  parseQuery,
  planQuery,
  runPooled,
  type QueryOptions,
} from '../src/index.js';
import { orders, REGIONS } from './helpers.js';

const data = orders(20000, 'noise');
const opts: QueryOptions = { bounds: { order_value: [0, 5000], basket: [0, 20] }, domains: { region: REGIONS } };
const sql =
  'SELECT region, COUNT(*) AS n, SUM(order_value), AVG(order_value) AS mean, VARIANCE(order_value) AS var, ' +
  'AVG(basket) FROM orders GROUP BY region';
const plan = planQuery(parseQuery(sql), opts);
const exact = evaluateLocally(plan, data);
const truth = runPooled(plan, [data]);
const names = ['n', 'SUM(order_value)', 'mean', 'var', 'AVG(basket)'];
// Gaussian mechanism style: the same normalised noise on every coordinate, i.e. sigma_i = z * scale[i] in raw units.
const z = 3;
const sigma = Array.from(plan.scale, (s) => z * s);

describe('with noise', () => {
  it('reports the delta-method standard deviation of each aggregate', () => {
    const rng = seededRandom('delta');
    const noisy = exact.map((x, i) => x + sigma[i] * rng.gaussian());
    const r = decodeResult(plan, noisy, sigma);
    const width = plan.groups.slots.length;
    const slot = (kind: string, col?: string) =>
      plan.groups.slots.findIndex((s) => s.kind === kind && s.column === col);
    r.rows.forEach((row, g) => {
      const at = (i: number) => noisy[g * width + i];
      const sd = (i: number) => sigma[g * width + i];
      const [n, s, q] = [slot('n', 'order_value'), slot('sum', 'order_value'), slot('sq', 'order_value')];
      const N = at(n),
        S = at(s),
        Q = at(q);
      expect(row.region).toBe(REGIONS[g]);
      expect(row.stddev.n).toBe(sd(0));
      expect(row.stddev['SUM(order_value)']).toBe(sd(s));
      expect(row.mean).toBeCloseTo(S / N, 9);
      expect(row.stddev.mean).toBeCloseTo(Math.sqrt(sd(s) ** 2 / N ** 2 + (S ** 2 * sd(n) ** 2) / N ** 4), 9);
      const dQ = 1 / N,
        dS = (-2 * S) / N ** 2,
        dN = -Q / N ** 2 + (2 * S ** 2) / N ** 3;
      expect(row.var).toBeCloseTo(Q / N - (S / N) ** 2, 6);
      expect(
        (row.stddev.var as number) / Math.sqrt(dQ ** 2 * sd(q) ** 2 + dS ** 2 * sd(s) ** 2 + dN ** 2 * sd(n) ** 2),
      ).toBeCloseTo(1, 12);
      for (const name of names) {
        const v = row[name] as number;
        expect(row.ci95[name][0]).toBeCloseTo(v - 1.96 * row.stddev[name], 9);
        expect(row.ci95[name][1]).toBeCloseTo(v + 1.96 * row.stddev[name], 9);
      }
    });
    // a single number applies to every coordinate
    const same = decodeResult(plan, noisy, 7);
    expect(same.rows[0].stddev.n).toBe(7);
    expect(same.rows[0].stddev['SUM(order_value)']).toBe(7);
  });

  it('errors have the stated standard deviation and the 95% intervals cover about 95% of the time', () => {
    const rng = seededRandom('coverage');
    const reps = 1000;
    const covered: Record<string, number> = {};
    const zsq: Record<string, number> = {};
    for (const name of names) {
      covered[name] = 0;
      zsq[name] = 0;
    }
    for (let rep = 0; rep < reps; rep++) {
      const noisy = exact.map((x, i) => x + sigma[i] * rng.gaussian());
      const r = decodeResult(plan, noisy, sigma);
      expect(r.rows.length).toBe(REGIONS.length);
      r.rows.forEach((row, g) => {
        for (const name of names) {
          const t = truth.rows[g][name] as number;
          const [lo, hi] = row.ci95[name];
          if (lo <= t && t <= hi) covered[name]++;
          zsq[name] += (((row[name] as number) - t) / row.stddev[name]) ** 2;
        }
      });
    }
    const samples = reps * REGIONS.length;
    for (const name of names) {
      const coverage = covered[name] / samples;
      const zStd = Math.sqrt(zsq[name] / samples);
      // binomial sampling error of the coverage is about 0.0034; chi-square sampling error of zStd about 0.011
      expect(coverage, `${name} coverage`).toBeGreaterThan(0.935);
      expect(coverage, `${name} coverage`).toBeLessThan(0.965);
      expect(zStd, `${name} error / stated stddev`).toBeGreaterThan(0.95);
      expect(zStd, `${name} error / stated stddev`).toBeLessThan(1.05);
    }
  });

  it('suppresses groups under minCount and reports how many', () => {
    const p = planQuery(parseQuery('SELECT region, COUNT(*), AVG(order_value) FROM orders GROUP BY region'), {
      ...opts,
      domains: { region: [...REGIONS, 'nowhere', 'tiny'] },
      minCount: 100,
    });
    const t = {
      ...data,
      rows: [...data.rows, ...Array.from({ length: 20 }, () => ['tiny', 'books', '2026-01-01', '10', '1'])],
    };
    const exactP = evaluateLocally(p, t);
    const rng = seededRandom('suppress');
    const r = decodeResult(
      p,
      exactP.map((x, i) => x + 2 * p.scale[i] * rng.gaussian()),
      Array.from(p.scale, (s) => 2 * s),
    );
    expect(r.rows.map((x) => x.region)).toEqual(REGIONS);
    expect(r.suppressed).toBe(2);
    // without noise and without minCount, the empty group is left out (as SQL would) and nothing is suppressed
    const p0 = planQuery(p.query, { ...opts, domains: { region: [...REGIONS, 'nowhere', 'tiny'] } });
    const r0 = runPooled(p0, [t]);
    expect(r0.rows.map((x) => x.region)).toEqual([...REGIONS, 'tiny']);
    expect(r0.suppressed).toBe(0);
  });

  it('checks its inputs', () => {
    expect(() => decodeResult(plan, new Float64Array(3), 0)).toThrow(/3 entries/);
    expect(() => decodeResult(plan, exact, [1, 2])).toThrow(/noiseStd has 2 entries/);
  });
});

describe('murmur3 (sketch hash)', () => {
  it('matches the reference implementation', () => {
    const enc = new TextEncoder();
    expect(murmur3(new Uint8Array(0), 0)).toBe(0);
    expect(murmur3(enc.encode('hello'), 0)).toBe(613153351);
    expect(murmur3(enc.encode('The quick brown fox jumps over the lazy dog'), 0)).toBe(0x2e4ff723);
  });
});
