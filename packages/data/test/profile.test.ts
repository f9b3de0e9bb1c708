import { describe, expect, test } from 'vitest';
import { parseCsv, profileTable, type RawTable } from '../src/index.js';
import { dataErrorOf } from './helpers/errors.js';

const customers = [
  'id,region,spend,visits,label',
  'c1,north,10.5,3,yes',
  'c2,south,20,1,no',
  'c3,north,-3e2,7,YES',
  'c4,east, 7 ,2,No',
].join('\n');

describe('profileTable', () => {
  test('infers numeric and categorical columns with sorted domains', () => {
    const schema = profileTable(parseCsv(customers, 'customers.csv'), 'label', { exclude: ['id'] });
    expect(schema).toEqual({
      label: 'label',
      rows: 4,
      columns: [
        { name: 'region', kind: 'categorical', categories: ['east', 'north', 'south'] },
        { name: 'spend', kind: 'numeric' },
        { name: 'visits', kind: 'numeric' },
      ],
    });
  });

  test('features selects and orders the columns', () => {
    const schema = profileTable(parseCsv(customers, 'customers.csv'), 'label', { features: ['visits', 'region'] });
    expect(schema.columns.map((c) => c.name)).toEqual(['visits', 'region']);
    expect(
      dataErrorOf(() => profileTable(parseCsv(customers, 'c.csv'), 'label', { features: ['age'] })).message,
    ).toMatch(/no feature column "age"; the columns are: id, region, spend, visits, label/);
  });

  test('a missing label column is named, with the columns there are', () => {
    const err = dataErrorOf(() => profileTable(parseCsv(customers, 'customers.csv'), 'churn'));
    expect(err.message).toBe(
      'customers.csv: there is no label column "churn"; the columns are: id, region, spend, visits, label. ' +
        'Check the spelling or choose one of these',
    );
  });

  test('a header-only table is an error', () => {
    const err = dataErrorOf(() => profileTable(parseCsv('a,label\n', 'h.csv'), 'label'));
    expect(err.message).toMatch(/^h\.csv: the table has a header but no data rows/);
  });

  test('text in a numeric column names file, 1-based line, column and value', () => {
    const t = parseCsv('a,b,label\n1,2,yes\n3,x,no\n5,6,no\n7,8,yes\n9,10,no\n', 'customers.csv');
    const err = dataErrorOf(() => profileTable(t, 'label'));
    expect(err.line).toBe(3);
    expect(err.column).toBe('b');
    expect(err.message).toBe(
      'customers.csv line 3, column "b": "x" is not a number (the column is numeric in 4 other rows); ' +
        'fix the value or list "b" under exclude',
    );
  });

  test('the line survives quoted line breaks before the bad row', () => {
    const t = parseCsv('note,b,label\n"two\nlines",1,yes\nok,2,no\nok,oops,no\n', 'q.csv');
    expect(dataErrorOf(() => profileTable(t, 'label', { exclude: ['note'] })).line).toBe(5);
  });

  test('an empty cell in a numeric column names line and column', () => {
    const t = parseCsv('a,label\n1,yes\n,no\n3,no\n', 'e.csv');
    const err = dataErrorOf(() => profileTable(t, 'label'));
    expect(err.message).toMatch(/^e\.csv line 3, column "a": the value is empty but the column is numeric; fill it in/);
  });

  test('accepted label spellings, and a bad label naming line and value', () => {
    const ok = parseCsv('x,label\n1,Y\n2,n\n3,TRUE\n4,false\n5,1.0\n6,0\n7,Positive\n8,negative\n', 'l.csv');
    expect(profileTable(ok, 'label').rows).toBe(8);

    const bad = parseCsv('x,label\n1,yes\n2,no\n3,maybe\n', 'l.csv');
    const err = dataErrorOf(() => profileTable(bad, 'label'));
    expect(err.line).toBe(4);
    expect(err.column).toBe('label');
    expect(err.message).toBe(
      'l.csv line 4, column "label": "maybe" is not a binary label; ' +
        'use yes/no, y/n, true/false, 1/0 or positive/negative (upper or lower case)',
    );
  });

  test('a text column with too many distinct values must be dropped or bucketed', () => {
    const lines = ['email,label', ...Array.from({ length: 40 }, (_, i) => `user${i}@example.com,${i % 2}`)];
    const t = parseCsv(lines.join('\n'), 'emails.csv');
    const err = dataErrorOf(() => profileTable(t, 'label'));
    expect(err.column).toBe('email');
    expect(err.message).toMatch(/40 distinct text values, more than the 32 allowed/);
    expect(err.message).toMatch(/list "email" under exclude\) or bucket/);
    expect(profileTable(t, 'label', { maxCategories: 40 }).columns[0].categories).toHaveLength(40);
    expect(dataErrorOf(() => profileTable(t, 'label', { maxCategories: 5 })).message).toMatch(
      /more than the 5 allowed/,
    );
  });

  test('a column mostly of text is categorical even if some values look numeric', () => {
    const t = parseCsv('size,label\nS,1\nM,0\nL,1\n42,0\n', 's.csv');
    expect(profileTable(t, 'label').columns[0]).toEqual({
      name: 'size',
      kind: 'categorical',
      categories: ['42', 'L', 'M', 'S'],
    });
  });

  test('an empty categorical cell is an error', () => {
    const t = parseCsv('region,label\nnorth,1\n,0\n', 'r.csv');
    expect(dataErrorOf(() => profileTable(t, 'label')).message).toMatch(
      /^r\.csv line 3, column "region": the value is empty/,
    );
  });

  test('excluding the label or everything else is an error', () => {
    const t: RawTable = parseCsv('id,label\n1,1\n', 'x.csv');
    expect(dataErrorOf(() => profileTable(t, 'label', { exclude: ['label'] })).message).toMatch(/listed under exclude/);
    expect(dataErrorOf(() => profileTable(t, 'label', { exclude: ['id'] })).message).toMatch(
      /no feature columns are left/,
    );
  });
});
