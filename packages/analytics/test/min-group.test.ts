import { describe, expect, it } from 'vitest';
import {
  decodeResult,
  evaluateLocally,
  parseQuery,
  planQuery,
  suppressSmallGroups,
  type QueryOptions,
} from '../src/index.js';
import { table } from './helpers.js';

const OPTS: QueryOptions = {
  bounds: { v: [0, 100] },
  domains: { g: ['a', 'b', 'c'], cat: ['p', 'q', 'r'] },
  bins: { w: [0, 1, 2, 3, 4] },
};
const rows = (spec: Array<[string, number]>) =>
  spec.flatMap(([g, n]) => Array.from({ length: n }, (_, i) => [g, String(i), 'p', String(i % 4)]));

describe("suppressSmallGroups (a participant's minimum group size for exact releases)", () => {
  it('zeroes the whole block of every group with fewer rows than the minimum, row count included', () => {
    const plan = planQuery(parseQuery('SELECT g, COUNT(*), SUM(v), AVG(v) FROM t GROUP BY g'), OPTS);
    const t = table(
      ['g', 'v', 'cat', 'w'],
      rows([
        ['a', 25],
        ['b', 3],
        ['c', 20],
      ]),
    );
    const raw = evaluateLocally(plan, t);
    const { vector, suppressedGroups } = suppressSmallGroups(plan, raw, 20);
    const width = plan.groups.slots.length;
    expect(suppressedGroups).toBe(1);
    expect(Array.from(vector.subarray(width, 2 * width)).every((x) => x === 0)).toBe(true);
    expect(Array.from(vector.subarray(0, width))).toEqual(Array.from(raw.subarray(0, width)));
    expect(Array.from(vector.subarray(2 * width))).toEqual(Array.from(raw.subarray(2 * width)));
    const result = decodeResult(plan, vector, 0);
    expect(result.rows.map((r) => [r.g, r['COUNT(*)']])).toEqual([
      ['a', 25],
      ['c', 20],
    ]);
    // Below the minimum of 1 or 0 nothing changes.
    expect(Array.from(suppressSmallGroups(plan, raw, 1).vector)).toEqual(Array.from(raw));
  });

  it('without GROUP BY, a single small group zeroes the whole vector, sections included', () => {
    const plan = planQuery(
      parseQuery("SELECT COUNT(*), SUM(v), HISTOGRAM(cat), QUANTILES(w) FROM t WHERE g = 'b'"),
      OPTS,
    );
    const raw = evaluateLocally(
      plan,
      table(
        ['g', 'v', 'cat', 'w'],
        rows([
          ['a', 30],
          ['b', 1],
        ]),
      ),
    );
    expect(raw[0]).toBe(1);
    const { vector } = suppressSmallGroups(plan, raw, 20);
    expect(vector.every((x) => x === 0)).toBe(true);
  });

  it('zeroes small histogram bins and quantile leaves, and rebuilds the tree from its leaves', () => {
    const plan = planQuery(parseQuery('SELECT COUNT(*), HISTOGRAM(cat), QUANTILES(w) FROM t'), OPTS);
    const data: string[][] = [];
    for (let i = 0; i < 30; i++) data.push(['a', '1', i < 27 ? 'p' : 'q', i < 2 ? '3.5' : '0.5']);
    const raw = evaluateLocally(plan, table(['g', 'v', 'cat', 'w'], data));
    const { vector, suppressedCells } = suppressSmallGroups(plan, raw, 5);
    const [hist, quant] = plan.sections;
    expect(Array.from(vector.subarray(hist.offset, hist.offset + hist.length))).toEqual([27, 0, 0]);
    // Tree over 4 leaves: leaf 0 holds 28 rows, leaf 3 two (suppressed); the root and inner nodes follow the leaves.
    const tree = Array.from(vector.subarray(quant.offset, quant.offset + quant.length));
    expect(tree).toEqual([28, 28, 0, 28, 0, 0, 0]);
    expect(suppressedCells).toBe(2);
    expect(vector[0]).toBe(30);
  });
});
