import { describe, expect, it } from 'vitest';
import { checkColumns, evaluateLocally, parseQuery, planQuery, QueryError, type QueryOptions } from '../src/index.js';
import { table } from './helpers.js';

const opts: QueryOptions = {
  bounds: { v: [-10, 40], w: [0, 1] },
  domains: { g: ['a', 'b', 'c'], h: ['x', 'y'], cat: ['p', 'q'] },
};
const plan = (sql: string, o: QueryOptions = opts) => planQuery(parseQuery(sql), o);

function planError(sql: string, o: QueryOptions = opts): QueryError {
  try {
    plan(sql, o);
  } catch (e) {
    expect(e).toBeInstanceOf(QueryError);
    return e as QueryError;
  }
  throw new Error('expected a QueryError');
}

describe('planQuery', () => {
  it('lays out one block per group: rows, then each distinct counter, with honest scales', () => {
    const p = plan('SELECT g, h, COUNT(*), COUNT(v), SUM(v), AVG(v), VARIANCE(v), AVG(w) FROM t GROUP BY g, h');
    expect(p.groups.count).toBe(6);
    expect(p.groups.slots.map((s) => `${s.kind}:${s.column ?? ''}`)).toEqual([
      'rows:',
      'nonnull:v',
      'sum:v',
      'n:v',
      'sq:v',
      'n:w',
      'sum:w',
    ]);
    expect(p.length).toBe(6 * 7);
    expect(Array.from(p.scale.subarray(0, 7))).toEqual([1, 1, 40, 1, 1600, 1, 1]);
    expect(Array.from(p.scale.subarray(35, 42))).toEqual([1, 1, 40, 1, 1600, 1, 1]);
    expect(p.sensitivity).toBeCloseTo(Math.sqrt(7), 12);
    expect(p.columns).toEqual(['g', 'h', 'v', 'w']);
    expect(p.table).toBe('t');
  });

  it('counts histogram bins, quantile-tree levels and sketch counters in the sensitivity', () => {
    const p = plan('SELECT COUNT(*), HISTOGRAM(v), HISTOGRAM(cat), QUANTILES(w), TOP_K(s, 3) FROM t WHERE k = 1', {
      ...opts,
      bins: { w: [0, 0.1, 0.2, 0.5, 1] },
      topK: { maxLength: 8 },
    });
    // rows (1) + HISTOGRAM(v): 32 default bins over the bounds + HISTOGRAM(cat): 2 categories + QUANTILES(w): 4 bins ->
    // 4 leaves, 3 levels, 7 nodes + sketch 8 * 4 * 256
    expect(p.sections.map((s) => [s.kind, s.length])).toEqual([
      ['histogram', 32],
      ['categories', 2],
      ['quantiles', 7],
      ['topk', 8 * 4 * 256],
    ]);
    expect(p.length).toBe(1 + 32 + 2 + 7 + 8 * 1024);
    expect(p.sensitivity).toBeCloseTo(Math.sqrt(1 + 1 + 1 + 3 + 8 * 4), 12);
    expect(Array.from(p.scale).every((x) => x === 1)).toBe(true);
    const h = p.sections[0];
    expect(h.kind === 'histogram' && h.edges[0] === -10 && h.edges[32] === 40 && h.edges[1] === -10 + 50 / 32).toBe(
      true,
    );
    expect(p.columns).toEqual(['k', 'v', 'cat', 'w', 's']);
  });

  it('normalised contributions of any single record stay within the scale and the sensitivity', () => {
    const p = plan('SELECT g, COUNT(*), VARIANCE(v), SUM(w), COUNT(v) FROM t GROUP BY g');
    for (const v of ['-1000', '-10', '0', '39.5', '1e9', 'NA', 'oops']) {
      const x = evaluateLocally(p, table(['g', 'v', 'w'], [['b', v, '7']]));
      let norm = 0;
      x.forEach((val, i) => {
        expect(Math.abs(val / p.scale[i])).toBeLessThanOrEqual(1);
        norm += (val / p.scale[i]) ** 2;
      });
      expect(Math.sqrt(norm)).toBeLessThanOrEqual(p.sensitivity + 1e-12);
    }
  });

  const errors: Array<[string, RegExp, QueryOptions?]> = [
    ['SELECT SUM(z) FROM t', /SUM\(z\) needs bounds for "z"/],
    ['SELECT AVG(z) FROM t', /AVG\(z\) needs bounds for "z"/],
    ['SELECT VARIANCE(z) FROM t', /VARIANCE\(z\) needs bounds/],
    ['SELECT z, COUNT(*) FROM t GROUP BY z', /GROUP BY "z" needs a declared domain/],
    ['SELECT COUNT(*) FROM t GROUP BY g, h, cat', /at most 2 columns/],
    ['SELECT HISTOGRAM(z) FROM t', /HISTOGRAM\(z\) needs bin edges or bounds/],
    ['SELECT QUANTILES(cat) FROM t', /QUANTILES\(cat\) needs bounds or bin edges/],
    ['SELECT g, HISTOGRAM(v) FROM t GROUP BY g', /cannot be combined with GROUP BY/],
    ['SELECT SUM(v) FROM t', /bounds of "v" must be two finite numbers/, { bounds: { v: [5, 1] }, domains: {} }],
    ['SELECT HISTOGRAM(v) FROM t', /strictly increasing/, { bounds: {}, domains: {}, bins: { v: [0, 2, 1] } }],
    ['SELECT COUNT(*), SUM(v) AS "COUNT(*)" FROM t', /two select items are named "COUNT\(\*\)"/],
    ['SELECT COUNT(*) FROM t', /minCount must be a non-negative number/, { ...opts, minCount: -1 }],
  ];
  for (const [sql, message, o] of errors) {
    it(`rejects ${sql}`, () => {
      expect(planError(sql, o).message).toMatch(message);
    });
  }

  it('rejects an unknown aggregate in a hand-built query', () => {
    expect(() =>
      planQuery(
        { sql: 'x', table: 't', groupBy: [], items: [{ kind: 'aggregate', fn: 'MEDIAN' as never, column: 'v' }] },
        opts,
      ),
    ).toThrow(/unknown aggregate MEDIAN/);
  });
});

describe('checkColumns', () => {
  it("names the unknown column and the table's columns", () => {
    const p = plan("SELECT g, SUM(v) FROM t WHERE Day >= '2026-01-01' GROUP BY g");
    const t = table(['g', 'v', 'day'], [], 'shop.csv');
    expect(() => checkColumns(p, t)).toThrow(QueryError);
    expect(() => checkColumns(p, t)).toThrow(
      /unknown column "Day" in table t \(shop.csv\); its columns are: g, v, day\. Did you mean "day"\?/,
    );
    expect(() => evaluateLocally(p, t)).toThrow(/unknown column "Day"/);
    expect(() => checkColumns(p, table(['g', 'v', 'Day'], []))).not.toThrow();
  });
});
