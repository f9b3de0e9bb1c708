// Profiling from column summaries gathered batch by batch gives profileTable's schemas and errors.
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  parseCsv,
  profileSummaries,
  profileTable,
  readCsvFile,
  summariseRows,
  type LabelTarget,
  type ProfileOptions,
  type RawTable,
  type SummarisedTable,
} from '../src/index.js';
import { dataErrorOf } from './helpers/errors.js';

/** The table's summaries gathered `batchRows` rows at a time, keeping at most `limit` distinct values a column. */
function batched(t: RawTable, limit = 1024, batchRows = 3): SummarisedTable {
  const summary = summariseRows(t.columns, limit);
  for (let first = 0; first < t.rows.length; first += batchRows) {
    summary.add(t.rows.slice(first, first + batchRows), first);
  }
  const byColumn = summary.summaries();
  return {
    source: t.source,
    columns: t.columns,
    rows: t.rows.length,
    lineOf: t.lineOf,
    ...(t.lineName ? { lineName: t.lineName } : {}),
    summary: (c) => byColumn.get(c)!,
  };
}

/** Both paths' outcome: the schema, or the DataError's message. */
function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

function same(t: RawTable, label: string, opts: ProfileOptions = {}): unknown {
  const whole = outcome(() => profileTable(t, label, opts));
  expect(outcome(() => profileSummaries(batched(t), label, opts))).toEqual(whole);
  return whole;
}

const example = (name: string) =>
  readCsvFile(fileURLToPath(new URL(`../../../examples/data/${name}`, import.meta.url)));

describe('profileSummaries over batched summaries', () => {
  test('the example data sets profile the same', () => {
    expect(same(example('breast_cancer.csv'), 'benign')).toHaveProperty('rows', 569);
    expect(same(example('customers.csv'), 'repurchase', { exclude: ['customer_id'] })).toHaveProperty('columns');
    const wine = example('wine.csv');
    const classes: LabelTarget = { task: 'multiclass', classes: ['0', '1', '2'] };
    expect(same(wine, 'cultivar', { target: classes })).toHaveProperty('rows', wine.rows.length);
    expect(same(example('diabetes.csv'), 'progression', { target: { task: 'regression' } })).toHaveProperty('rows');
  });

  const csv = (text: string) => parseCsv(text, 'p.csv');
  test.each([
    ['text in a numeric column', 'a,b,label\n1,2,yes\n3,x,no\n5,6,no\n7,8,yes\n', {}],
    ['an empty numeric cell', 'a,b,label\n1,2,yes\n3, ,no\n5,6,no\n7,8,yes\n', {}],
    ['an empty text cell', 'a,b,label\nu,2,yes\n,2,no\nv,6,no\n', {}],
    ['a bad binary label', 'a,label\n1,yes\n2,no\n3,maybe\n4,nope\n', {}],
    ['a regression label that is text', 'a,y\n1,2.5\n2,\n3,x\n', { target: { task: 'regression' } }],
    ['too many categories', 'a,label\nq,1\nw,0\ne,1\nr,0\n', { maxCategories: 3 }],
    ['a missing feature', 'a,label\n1,1\n', { features: ['b'] }],
    ['the label excluded', 'a,label\n1,1\n', { exclude: ['label'] }],
    ['no rows', 'a,label\n', {}],
  ] as const)('%s is the same error', (_, text, opts) => {
    expect(String(same(csv(text), text.startsWith('a,y') ? 'y' : 'label', opts as ProfileOptions))).toMatch(
      /^error: p\.csv/,
    );
  });

  test('a multiclass label fails at the first row holding a value outside the classes', () => {
    const t = csv('a,c\n1,b\n2,a\n3,z\n4, 1.0 \n5,y\n6,z\n');
    const err = same(t, 'c', { target: { task: 'multiclass', classes: ['a', 'b', '1'] } });
    expect(err).toBe(
      'error: p.csv line 4, column "c": "z" is not one of the job\'s classes (a, b, 1); ' +
        'fix the value or remove the row',
    );
  });

  test('summaries that kept only some distinct values say "more than"', () => {
    const t = csv(['a,label', ...Array.from({ length: 40 }, (_, i) => `v${i},1`)].join('\n'));
    expect(same(t, 'label')).toMatch(/the column has 40 distinct text values, more than the 32 allowed/);
    const capped = dataErrorOf(() => profileSummaries(batched(t, 33), 'label'));
    expect(capped.message).toMatch(/the column has more than 33 distinct text values, more than the 32 allowed/);
    const label = csv(['a,c', ...Array.from({ length: 40 }, (_, i) => `1,${i % 3 === 0 ? 'a' : `k${i}`}`)].join('\n'));
    const classes: LabelTarget = { task: 'multiclass', classes: ['a', 'k1', 'k2'] };
    expect(dataErrorOf(() => profileSummaries(batched(label, 4), 'c', { target: classes })).message).toMatch(
      /line 6, column "c": "k4" is not one of the job's classes/,
    );
    // the kept values are all classes but others were not kept: refused without a line
    expect(dataErrorOf(() => profileSummaries(batched(label, 2), 'c', { target: classes })).message).toBe(
      'p.csv column "c": the label has more than 2 distinct values, too many for a class label of 3 classes; ' +
        'fix the values or choose another label',
    );
  });
});
