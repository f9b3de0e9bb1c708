import type { Condition, CustomerUnit, Literal, Query, QueryOptions, SelectItem } from '@tessera/analytics';
import { planQuery } from '@tessera/analytics';
import type { RawTable } from '@tessera/data';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateQuery, LocalEngine } from '../src/index.js';
import { difference, fixedRandom, oracle, registerTable, scratch } from './query-support.js';

// Random small tables and random queries: the engine's vector equals the JavaScript path's on each.

const MISSING = ['', 'NA', 'na', 'N/A', 'NULL', 'null', 'nan', 'NaN', ' ', ' NA '];
const NUMBERS = [
  '\t4\r',
  '\u20035',
  '1',
  '2',
  '-3',
  '0',
  '-0',
  '1e3',
  '.5',
  '+2',
  '5.',
  '2.25',
  ' 7 ',
  '\u00a09\u00a0',
  '100',
  '1E2',
];
const ODD_NUMBERS = ['1e999', '-1e999', '1e-400', '0.1', '3.14159', '-2.5e1'];
const NOT_NUMBERS = ['abc', '1_000', 'inf', 'Infinity', '+-1', '0x10', '1e', '.', '1.2.3', '١'];
const LABELS = [
  'a',
  'b',
  'c',
  ' a ',
  'b ',
  'A',
  'x y',
  '\u3000a',
  'a\t',
  '\ufeffb',
  'a\nb',
  '\u00a0NA',
  'é',
  ' c\u2028',
];
const CUSTOMERS = ['u1', 'u2', 'u3', ' u1', 'u4', ''];

const numberCell = (integers: boolean) =>
  integers
    ? fc.constantFrom(...MISSING, '1', '2', '-3', '0', '-0', '1e3', '+2', '5.', ' 7 ', '100', '1E2', 'abc', '1_000')
    : fc.constantFrom(...MISSING, ...NUMBERS, ...ODD_NUMBERS, ...NOT_NUMBERS);
const labelCell = fc.constantFrom(...LABELS, ...MISSING.slice(0, 3), '1', '2.0');

const COLUMNS = ['g', 'h', 'x', 'y', 'u'];
/** More bins than the engine bins in SQL (CASE_BINS): these are binned per distinct value. */
const FINE_BINS = Array.from({ length: 101 }, (_, i) => -5 + i * 0.25);
const tableOf = (integers: boolean) =>
  fc
    .array(fc.tuple(labelCell, labelCell, numberCell(integers), numberCell(integers), fc.constantFrom(...CUSTOMERS)), {
      minLength: 0,
      maxLength: 40,
    })
    .map((rows): RawTable => ({ source: 't.csv', columns: COLUMNS, rows, lineOf: (i) => i + 2 }));

const literal: fc.Arbitrary<Literal> = fc.oneof(
  fc.constantFrom(-3, -0.5, 0, 1, 2, 2.25, 7, 100, 1000, 1e300),
  fc.constantFrom('a', 'b', 'c', '', 'A', 'x y', '1', '2', 'NA', 'abc'),
);
const leaf: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({
    kind: fc.constant('compare' as const),
    column: fc.constantFrom(...COLUMNS),
    op: fc.constantFrom('=', '!=', '<', '<=', '>', '>=' as const),
    value: literal,
  }),
  fc.record({
    kind: fc.constant('in' as const),
    column: fc.constantFrom(...COLUMNS),
    values: fc.array(literal, { minLength: 1, maxLength: 3 }),
  }),
);
const condition: fc.Arbitrary<Condition> = fc.oneof(
  { weight: 3, arbitrary: leaf },
  fc.record({
    kind: fc.constantFrom('and' as const, 'or' as const),
    conditions: fc.array(leaf, { minLength: 2, maxLength: 3 }),
  }),
);
const bounds = fc.constantFrom<[number, number]>([0, 100], [-2, 3], [0.1, 2.5], [-1000, 1000], [1, 1], [0, 5000]);
const domain = fc.subarray(['a', 'b', 'c', 'A', 'x y', '', '1'], { minLength: 1 });
const unit: fc.Arbitrary<CustomerUnit | undefined> = fc.option(
  fc.record({
    unit: fc.constant('customer' as const),
    userColumn: fc.constant('u'),
    maxRowsPerUser: fc.integer({ min: 1, max: 3 }),
  }),
  { nil: undefined },
);

/** A GROUP BY query: 0 to 2 group columns with domains, and numeric aggregates over x and y. */
const groupQuery = fc
  .record({
    groupBy: fc.subarray(['g', 'h'], { maxLength: 2 }),
    aggregates: fc.subarray(['COUNT(*)', 'COUNT(x)', 'SUM(x)', 'AVG(x)', 'VARIANCE(y)', 'SUM(y)', 'COUNT(g)'], {
      minLength: 1,
    }),
    where: fc.option(condition, { nil: undefined }),
    gDomain: domain,
    hDomain: domain,
    xBounds: bounds,
    yBounds: bounds,
  })
  .map(({ groupBy, aggregates, where, gDomain, hDomain, xBounds, yBounds }) => {
    const items: SelectItem[] = groupBy.map((column) => ({ kind: 'column', column }));
    for (const a of aggregates) {
      const [fn, column] = a.slice(0, -1).split('(') as [string, string];
      items.push({ kind: 'aggregate', fn: fn as 'COUNT', ...(column === '*' ? {} : { column }) });
    }
    const query: Query = {
      sql: `${aggregates.join(', ')} BY ${groupBy.join(',')}`,
      items,
      table: 't',
      groupBy,
      ...(where ? { where } : {}),
    };
    const options: QueryOptions = { bounds: { x: xBounds, y: yBounds }, domains: { g: gDomain, h: hDomain } };
    return { query, options };
  });

/** A query of sections: histograms (bins or bounds), categories, quantiles and a top-k, without GROUP BY. */
const sectionQuery = fc
  .record({
    sections: fc.subarray(['HISTOGRAM(x)', 'HISTOGRAM(g)', 'QUANTILES(y)', 'TOP_K(h)', 'SUM(x)'], { minLength: 1 }),
    where: fc.option(condition, { nil: undefined }),
    bins: fc.option(fc.constantFrom([-1, 0, 2.25, 10, 1000], [0, 1], [-5, -0.5, 0.5, 2, 7, 100], FINE_BINS), {
      nil: undefined,
    }),
    xBounds: fc.constantFrom<[number, number]>([0, 100], [-2, 3], [0.1, 2.5], [-1000, 1000]),
    gDomain: domain,
  })
  .map(({ sections, where, bins, xBounds, gDomain }) => {
    const items: SelectItem[] = sections.map((s) => {
      const [fn, column] = s.slice(0, -1).split('(') as ['HISTOGRAM', string];
      return { kind: 'aggregate', fn, column, ...(fn === ('TOP_K' as string) ? { k: 3 } : {}) };
    });
    const query: Query = { sql: sections.join(', '), items, table: 't', groupBy: [], ...(where ? { where } : {}) };
    const options: QueryOptions = {
      bounds: { x: xBounds, y: [-2, 3] },
      domains: { g: gDomain },
      ...(bins ? { bins: { x: bins } } : {}),
      topK: { maxLength: 4, depth: 2, width: 16 },
    };
    return { query, options };
  });

describe('the engine equals the JavaScript path on random tables and queries', () => {
  const dir = scratch();
  let engine: LocalEngine;
  let n = 0;
  beforeAll(async () => {
    engine = await LocalEngine.open();
  });
  afterAll(async () => {
    await engine.close();
    dir.cleanup();
  });

  const check = async (
    t: RawTable,
    q: { query: Query; options: QueryOptions },
    u: CustomerUnit | undefined,
    exact: boolean,
  ) => {
    const plan = planQuery(q.query, q.options, u);
    const name = `t${n++}`;
    await registerTable(engine, dir.dir, name, t);
    const js = oracle(plan, t, fixedRandom(n));
    const out = await evaluateQuery(engine, name, plan, fixedRandom(n));
    const diff = difference(plan, out.vector, js.vector, exact);
    if (diff)
      throw new Error(`${diff}\nplan ${JSON.stringify(q)} unit ${JSON.stringify(u)}\nrows ${JSON.stringify(t.rows)}`);
    // Means (sum over n, per group) within 1e-9 of the JavaScript path's.
    const width = plan.groups.slots.length;
    for (const o of plan.outputs) {
      if (o.kind !== 'avg') continue;
      for (let g = 0; g < plan.groups.count; g++) {
        const mean = (v: Float64Array) => v[g * width + o.sum]! / v[g * width + o.n]!;
        const [a, b] = [mean(out.vector), mean(js.vector)];
        if (Number.isNaN(b)) expect(a).toBeNaN();
        else {
          // Relative to the mean, or to the bound when the terms cancel (as difference() does for sums).
          const [lo, hi] = plan.groups.slots[o.sum]!.bounds!;
          const scale = Math.max(Math.abs(b), Math.abs(lo), Math.abs(hi));
          expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * scale);
        }
      }
    }
    expect(out.cappedCustomers).toBe(js.capped.cappedCustomers);
    expect(out.unkeyedRows).toBe(js.capped.unkeyedRows);
  };

  it('GROUP BY queries with WHERE, missing and malformed cells, record and customer units', async () => {
    await fc.assert(
      fc.asyncProperty(tableOf(false), groupQuery, unit, (t, q, u) => check(t, q, u, false)),
      {
        numRuns: 50,
      },
    );
  });

  it('integer-valued data: every sum exact', async () => {
    await fc.assert(
      fc.asyncProperty(tableOf(true), groupQuery, unit, (t, q, u) => check(t, q, u, true)),
      {
        numRuns: 30,
      },
    );
  });

  it('histograms, categories, quantiles and top-k with WHERE', async () => {
    await fc.assert(
      fc.asyncProperty(tableOf(false), sectionQuery, unit, (t, q, u) => check(t, q, u, false)),
      {
        numRuns: 50,
      },
    );
  });
});
