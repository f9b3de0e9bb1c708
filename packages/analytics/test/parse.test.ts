import { describe, expect, it } from 'vitest';
import { parseQuery, QueryError } from '../src/index.js';

function errorOf(sql: string): QueryError {
  try {
    parseQuery(sql);
  } catch (e) {
    expect(e).toBeInstanceOf(QueryError);
    return e as QueryError;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('parseQuery', () => {
  it('parses the issue example', () => {
    const q = parseQuery(
      "SELECT region, COUNT(*), AVG(order_value) FROM orders WHERE order_date >= '2026-01-01' GROUP BY region",
    );
    expect(q.table).toBe('orders');
    expect(q.groupBy).toEqual(['region']);
    expect(q.items).toEqual([
      { kind: 'column', column: 'region' },
      { kind: 'aggregate', fn: 'COUNT' },
      { kind: 'aggregate', fn: 'AVG', column: 'order_value' },
    ]);
    expect(q.where).toEqual({ kind: 'compare', column: 'order_date', op: '>=', value: '2026-01-01' });
  });

  it('accepts lower-case keywords, aliases, MEAN/VAR spellings, quoted names, IN, AND/OR and parentheses', () => {
    const q = parseQuery(
      `select "Order Value" , mean("Order Value") as m, var(x) AS "v x", count(y), sum(x), histogram(x), ` +
        `quantiles(x), top_k(sku, 5)
       from "my table" where (a = 1 or b <> 'it''s') and c in ('p', 'q', -2.5) and d < 1e3 group by "Order Value";`,
    );
    expect(q.table).toBe('my table');
    expect(q.groupBy).toEqual(['Order Value']);
    expect(q.items.map((i) => (i.kind === 'aggregate' ? [i.fn, i.column, i.alias, i.k] : [i.column]))).toEqual([
      ['Order Value'],
      ['AVG', 'Order Value', 'm', undefined],
      ['VARIANCE', 'x', 'v x', undefined],
      ['COUNT', 'y', undefined, undefined],
      ['SUM', 'x', undefined, undefined],
      ['HISTOGRAM', 'x', undefined, undefined],
      ['QUANTILES', 'x', undefined, undefined],
      ['TOP_K', 'sku', undefined, 5],
    ]);
    expect(q.where).toEqual({
      kind: 'and',
      conditions: [
        {
          kind: 'or',
          conditions: [
            { kind: 'compare', column: 'a', op: '=', value: 1 },
            { kind: 'compare', column: 'b', op: '!=', value: "it's" },
          ],
        },
        { kind: 'in', column: 'c', values: ['p', 'q', -2.5] },
        { kind: 'compare', column: 'd', op: '<', value: 1000 },
      ],
    });
  });

  it('keeps column names as written (case-sensitive)', () => {
    const q = parseQuery('SELECT Region, SUM(Value) FROM T GROUP BY Region');
    expect(q.groupBy).toEqual(['Region']);
    expect(q.items[1]).toMatchObject({ column: 'Value' });
  });

  it('AND binds tighter than OR', () => {
    const q = parseQuery('SELECT COUNT(*) FROM t WHERE a = 1 OR b = 2 AND c = 3');
    expect(q.where).toEqual({
      kind: 'or',
      conditions: [
        { kind: 'compare', column: 'a', op: '=', value: 1 },
        {
          kind: 'and',
          conditions: [
            { kind: 'compare', column: 'b', op: '=', value: 2 },
            { kind: 'compare', column: 'c', op: '=', value: 3 },
          ],
        },
      ],
    });
  });

  const bad: Array<[string, number, string, RegExp]> = [
    [
      'SELECT region, COUNT(*) FROM orders GROUPBY region',
      37,
      'GROUPBY',
      /expected WHERE, GROUP BY or the end of the query; the subset supports/,
    ],
    ['SELECT MEDIAN(x) FROM t', 8, 'MEDIAN', /unknown aggregate MEDIAN; the subset supports COUNT, SUM/],
    ['SELECT region, COUNT(*) FROM t', 8, 'region', /must appear in GROUP BY/],
    ['SELECT COUNT(*) FROM t WHERE a LIKE 3', 32, 'LIKE', /expected a comparison operator/],
    ['SELECT COUNT(*) FROM t WHERE a => 3', 33, '>', /expected a literal/],
    ['SELECT COUNT(*) FROM t WHERE a = "x"', 34, '"x"', /single quotes/],
    ["SELECT COUNT(*) FROM t WHERE a = 'x", 34, "'x", /unterminated string literal/],
    ['SELECT COUNT(*) FROM t ORDER BY a', 24, 'ORDER', /ORDER is not in the subset/],
    ['SELECT SUM(x FROM t', 14, 'FROM', /"\)" to close SUM\(/],
    ['SELECT TOP_K(sku) FROM t', 17, ')', /", k" in TOP_K/],
    ['SELECT TOP_K(sku, 0) FROM t', 19, '0', /whole number k/],
    ['SELECT COUNT(*) FROM', 21, '<end of query>', /expected a table name/],
    ['COUNT(*) FROM t', 1, 'COUNT', /expected SELECT/],
    ['SELECT region FROM t GROUP BY region', 8, 'region', /no aggregate/],
    ['SELECT COUNT(*) FROM t WHERE a = 1 GROUP BY a, a', 48, 'a', /not already in GROUP BY/],
    ['SELECT COUNT(*) FROM t WHERE a # 1', 32, '#', /unexpected character/],
    ['SELECT COUNT(DISTINCT a) FROM t', 14, 'DISTINCT', /DISTINCT is not in the subset/],
  ];
  for (const [sql, position, token, message] of bad) {
    it(`rejects ${sql}`, () => {
      const e = errorOf(sql);
      expect(e.position).toBe(position);
      expect(e.token).toBe(token);
      expect(e.message).toMatch(message);
      expect(e.message.startsWith(`SQL at ${position} (${JSON.stringify(token)}): `)).toBe(true);
      expect(sql.slice(position - 1).startsWith(token === '<end of query>' ? '' : token)).toBe(true);
    });
  }

  it('rejects an empty query', () => {
    expect(() => parseQuery('  ')).toThrow(/empty/);
  });
});
