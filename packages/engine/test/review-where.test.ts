import { planQuery, type Condition, type Query } from '@tessera/analytics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateQuery, LocalEngine } from '../src/index.js';
import { fixedRandom, oracle, registerTable, scratch } from './query-support.js';

// Review: WHERE as evaluate.ts compareLiteral reads it, on cells where DuckDB's defaults differ from JavaScript's.
// - Text compares by UTF-16 code units in JavaScript, by UTF-8 bytes in DuckDB: the two orders differ between a
//   character in U+E000..U+FFFF (fullwidth forms, the replacement character) and one above U+FFFF (emoji).
// - A number too large for a double is Infinity in JavaScript (numberValue('1e999')); DuckDB's cast gives NULL.

const CELLS = [
  'apple',
  'Ａpple',
  '😀 face',
  '\uFFFD',
  '\u{10FFFF}x',
  'zebra',
  '',
  '1e999',
  '-1e999',
  '5',
  '1e308',
  'x',
];
const TABLE = {
  source: 'w.csv',
  columns: ['id', 'text'],
  rows: CELLS.map((c, i) => [String(i), c]),
  lineOf: (i: number) => i + 2,
};
const count = (where: Condition): Query => ({
  sql: 'hand-built',
  items: [{ kind: 'aggregate', fn: 'HISTOGRAM', column: 'id' }],
  table: 'w',
  groupBy: [],
  where,
});
const bins = { id: Array.from({ length: CELLS.length + 1 }, (_, i) => i - 0.5) };

describe('WHERE compares as the JavaScript path does', () => {
  const dir = scratch();
  let engine: LocalEngine;
  beforeAll(async () => {
    engine = await LocalEngine.open();
    await registerTable(engine, dir.dir, 'w', TABLE);
  });
  afterAll(async () => {
    await engine.close();
    dir.cleanup();
  });

  const compare = (op: '<' | '<=' | '>' | '>=' | '=' | '!=', value: string | number): Condition => ({
    kind: 'compare',
    column: 'text',
    op,
    value,
  });
  const cases: [string, Condition][] = [];
  for (const op of ['<', '<=', '>', '>=', '=', '!='] as const) {
    for (const v of ['😀', 'Ａ', '\uFFFD', 'b', '\u{10FFFF}', '\uE000z'])
      cases.push([`text ${op} ${v}`, compare(op, v)]);
    for (const v of [5, 1e308, -1]) cases.push([`text ${op} ${v}`, compare(op, v)]);
  }
  it.each(cases)('%s', async (_, where) => {
    const plan = planQuery(count(where), { bounds: {}, domains: {}, bins });
    const engineVector = (await evaluateQuery(engine, 'w', plan, fixedRandom())).vector;
    expect([...engineVector]).toEqual([...oracle(plan, TABLE).vector]);
  });
});
