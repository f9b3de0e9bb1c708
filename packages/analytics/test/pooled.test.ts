import { seededRandom } from '@tessera/crypto';
import { describe, expect, it } from 'vitest';
import { decodeResult, evaluateLocally, parseQuery, planQuery, runPooled, type QueryOptions } from '../src/index.js';
import { CATEGORIES, orders, REGIONS, split } from './helpers.js';

// An independent, straightforward implementation of the same queries: filter with a hand-written predicate,
// group with a Map, two-pass population variance.
type Row = Record<string, string>;
function num(cell: string): number | undefined {
  const t = cell.trim();
  if (t === '' || /^(na|n\/a|null|nan)$/i.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}
const clampTo = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

interface Agg {
  fn: 'COUNT*' | 'COUNT' | 'SUM' | 'AVG' | 'VAR';
  col?: string;
  name: string;
}
function reference(
  rows: Row[],
  where: (r: Row) => boolean,
  groupBy: string[],
  aggs: Agg[],
  bounds: Record<string, [number, number]>,
) {
  const groups = new Map<string, Row[]>();
  for (const r of rows.filter(where)) {
    const key = JSON.stringify(groupBy.map((g) => r[g]));
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  if (groupBy.length === 0 && groups.size === 0) groups.set('[]', []);
  const out = new Map<string, Record<string, number | null>>();
  for (const [key, rs] of groups) {
    const res: Record<string, number | null> = {};
    for (const a of aggs) {
      if (a.fn === 'COUNT*') {
        res[a.name] = rs.length;
        continue;
      }
      if (a.fn === 'COUNT') {
        res[a.name] = rs.filter((r) => !/^(|na|n\/a|null|nan)$/i.test(r[a.col!].trim())).length;
        continue;
      }
      const [lo, hi] = bounds[a.col!];
      const vals = rs
        .map((r) => num(r[a.col!]))
        .filter((v): v is number => v !== undefined)
        .map((v) => clampTo(v, lo, hi));
      let s = 0;
      for (const v of vals) s += v;
      if (a.fn === 'SUM') res[a.name] = s;
      else if (vals.length === 0) res[a.name] = null;
      else if (a.fn === 'AVG') res[a.name] = s / vals.length;
      else {
        const mean = s / vals.length;
        let ss = 0;
        for (const v of vals) ss += (v - mean) ** 2;
        res[a.name] = ss / vals.length;
      }
    }
    out.set(key, res);
  }
  return out;
}

function close(actual: unknown, expected: number | null, rel: number, what: string) {
  if (expected === null) {
    expect(actual, what).toBeNull();
    return;
  }
  expect(typeof actual, what).toBe('number');
  const a = actual as number;
  if (rel === 0) expect(a, what).toBe(expected);
  else
    expect(Math.abs(a - expected), `${what}: ${a} vs ${expected}`).toBeLessThanOrEqual(
      rel * Math.max(1, Math.abs(expected)),
    );
}

const data = orders(6000, 'pooled');
const asRows: Row[] = data.rows.map((r) => Object.fromEntries(data.columns.map((c, i) => [c, r[i]])));
const options: QueryOptions = {
  bounds: { order_value: [0, 5000], basket: [0, 20] },
  domains: { region: REGIONS, category: ['books', 'toys', 'food', 'tools'] },
};

const cases: Array<{ sql: string; where: (r: Row) => boolean; groupBy: string[]; aggs: Agg[] }> = [
  {
    sql:
      'SELECT region, COUNT(*), COUNT(order_value), SUM(order_value), AVG(order_value), VARIANCE(order_value) ' +
      "AS var_value FROM orders WHERE order_date >= '2026-03-01' GROUP BY region",
    where: (r) => r.order_date >= '2026-03-01',
    groupBy: ['region'],
    aggs: [
      { fn: 'COUNT*', name: 'COUNT(*)' },
      { fn: 'COUNT', col: 'order_value', name: 'COUNT(order_value)' },
      { fn: 'SUM', col: 'order_value', name: 'SUM(order_value)' },
      { fn: 'AVG', col: 'order_value', name: 'AVG(order_value)' },
      { fn: 'VAR', col: 'order_value', name: 'var_value' },
    ],
  },
  {
    // category 'garden' and 'other' are outside the declared domain: those rows are not counted; 'tools' is filtered
    // out by IN.
    sql:
      'SELECT region, category, COUNT(*) AS n, SUM(basket), AVG(basket), VAR(order_value) ' +
      "FROM orders WHERE category IN ('books', 'toys', 'food', 'garden') AND basket > 2 GROUP BY region, category",
    where: (r) => ['books', 'toys', 'food'].includes(r.category) && Number(r.basket) > 2,
    groupBy: ['region', 'category'],
    aggs: [
      { fn: 'COUNT*', name: 'n' },
      { fn: 'SUM', col: 'basket', name: 'SUM(basket)' },
      { fn: 'AVG', col: 'basket', name: 'AVG(basket)' },
      { fn: 'VAR', col: 'order_value', name: 'VARIANCE(order_value)' },
    ],
  },
  {
    sql:
      'SELECT COUNT(*), MEAN(order_value), VAR(basket), SUM(order_value) ' +
      "FROM orders WHERE region = 'north' OR basket >= 10",
    where: (r) => r.region === 'north' || Number(r.basket) >= 10,
    groupBy: [],
    aggs: [
      { fn: 'COUNT*', name: 'COUNT(*)' },
      { fn: 'AVG', col: 'order_value', name: 'AVG(order_value)' },
      { fn: 'VAR', col: 'basket', name: 'VARIANCE(basket)' },
      { fn: 'SUM', col: 'order_value', name: 'SUM(order_value)' },
    ],
  },
  {
    sql: "SELECT COUNT(*), SUM(order_value), AVG(order_value) FROM orders WHERE order_date < '2000-01-01'",
    where: () => false,
    groupBy: [],
    aggs: [
      { fn: 'COUNT*', name: 'COUNT(*)' },
      { fn: 'SUM', col: 'order_value', name: 'SUM(order_value)' },
      { fn: 'AVG', col: 'order_value', name: 'AVG(order_value)' },
    ],
  },
  {
    sql:
      'SELECT category, COUNT(*), SUM(basket) ' +
      'FROM orders WHERE basket != 3 AND order_value <= 100.5 GROUP BY category',
    where: (r) =>
      options.domains.category.includes(r.category) &&
      Number(r.basket) !== 3 &&
      num(r.order_value) !== undefined &&
      num(r.order_value)! <= 100.5,
    groupBy: ['category'],
    aggs: [
      { fn: 'COUNT*', name: 'COUNT(*)' },
      { fn: 'SUM', col: 'basket', name: 'SUM(basket)' },
    ],
  },
];

describe('with DP off, the federated result equals the pooled computation', () => {
  const rng = seededRandom('pooled-splits');
  const splits = {
    'one participant': [data],
    'IID, 5 participants': split(data, 5, 'iid', rng),
    'non-IID by region, 4 participants': split(data, 4, 'by-region', rng),
    'non-IID skewed sizes, 7 participants': split(data, 7, 'uneven', rng),
  };
  for (const c of cases) {
    const plan = planQuery(parseQuery(c.sql), options);
    const expected = reference(asRows, c.where, c.groupBy, c.aggs, options.bounds);
    for (const [label, parts] of Object.entries(splits)) {
      it(`${c.sql.slice(0, 60)}... (${label})`, () => {
        const sum = new Float64Array(plan.length);
        for (const p of parts) {
          const v = evaluateLocally(plan, p);
          for (let i = 0; i < v.length; i++) sum[i] += v[i];
        }
        const result = decodeResult(plan, sum, 0);
        expect(result.query).toBe(c.sql);
        expect(result.suppressed).toBe(0);
        expect(result.rows.length).toBe(expected.size);
        for (const row of result.rows) {
          const key = JSON.stringify(c.groupBy.map((g) => row[g]));
          const want = expected.get(key);
          expect(want, key).toBeDefined();
          for (const a of c.aggs) {
            const integral = a.fn === 'COUNT*' || a.fn === 'COUNT' || (a.fn === 'SUM' && a.col === 'basket');
            const rel = integral ? 0 : a.fn === 'SUM' ? 1e-12 : 1e-9;
            close(row[a.name], want![a.name], rel, `${key} ${a.name}`);
            if (row[a.name] !== null) {
              expect(row.stddev[a.name]).toBe(0);
              expect(row.ci95[a.name]).toEqual([row[a.name], row[a.name]]);
            }
          }
        }
        expect(runPooled(plan, parts)).toEqual(result);
      });
    }
  }

  it('orders groups by the declared domains and reports every non-empty group', () => {
    const plan = planQuery(
      parseQuery('SELECT category, region, COUNT(*) FROM orders GROUP BY region, category'),
      options,
    );
    const r = runPooled(plan, [data]);
    expect(r.rows.map((x) => `${x.region}/${x.category}`)).toEqual(
      REGIONS.flatMap((reg) => options.domains.category.map((c) => `${reg}/${c}`)),
    );
    expect(Object.keys(r.rows[0]).slice(0, 3)).toEqual(['category', 'region', 'COUNT(*)']);
    expect(CATEGORIES).toContain('garden');
  });
});
