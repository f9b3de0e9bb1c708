import { describe, expect, test } from 'vitest';
import { agreeSchema, encodeTable, featureNames, parseCsv, profileTable, type LocalSchema } from '../src/index.js';
import { dataErrorOf } from './helpers/errors.js';

const shopA = parseCsv('age,region,channel,bought\n30,north,web,yes\n41,south,app,no\n', 'a.csv');
const shopB = parseCsv('region,age,bought\nwest,25,no\nnorth,52,yes\n', 'b.csv');

describe('agreeSchema', () => {
  test('keeps features present everywhere, in the first order, with united sorted domains', () => {
    const agreed = agreeSchema([profileTable(shopA, 'bought'), profileTable(shopB, 'bought')]);
    expect(agreed).toEqual({
      label: 'bought',
      features: [
        { name: 'age', kind: 'numeric' },
        { name: 'region', kind: 'categorical', categories: ['north', 'south', 'west'] },
      ],
    });
    expect(featureNames(agreed)).toEqual(['age', 'region=north', 'region=south', 'region=west']);
  });

  test('a column numeric at one participant and categorical at another is an error naming it', () => {
    const p1: LocalSchema = { label: 'y', rows: 5, columns: [{ name: 'zip', kind: 'numeric' }] };
    const p2: LocalSchema = {
      label: 'y',
      rows: 5,
      columns: [{ name: 'zip', kind: 'categorical', categories: ['A1'] }],
    };
    const err = dataErrorOf(() => agreeSchema([p1, p2]));
    expect(err.column).toBe('zip');
    expect(err.message).toMatch(
      /column "zip": the column is numeric at participant 1 but categorical at participant 2/,
    );
  });

  test('different labels or no common feature are errors', () => {
    const p1: LocalSchema = { label: 'y', rows: 5, columns: [{ name: 'a', kind: 'numeric' }] };
    const p2: LocalSchema = { label: 'z', rows: 5, columns: [{ name: 'a', kind: 'numeric' }] };
    const p3: LocalSchema = { label: 'y', rows: 5, columns: [{ name: 'b', kind: 'numeric' }] };
    expect(dataErrorOf(() => agreeSchema([p1, p2])).message).toMatch(/participant 2 uses "z"/);
    expect(dataErrorOf(() => agreeSchema([p1, p3])).message).toMatch(
      /no feature column is present at every participant/,
    );
  });
});

describe('encodeTable', () => {
  const agreed = agreeSchema([profileTable(shopA, 'bought'), profileTable(shopB, 'bought')]);

  test('one-hot encodes categories in domain order and keeps numbers', () => {
    const enc = encodeTable(shopB, agreed);
    expect(enc.n).toBe(2);
    expect(enc.d).toBe(4);
    expect(enc.featureNames).toEqual(['age', 'region=north', 'region=south', 'region=west']);
    expect(Array.from(enc.x)).toEqual([25, 0, 0, 1, 52, 1, 0, 0]);
    expect(Array.from(enc.y)).toEqual([0, 1]);
  });

  test('an unseen category names line, column and the agreed categories', () => {
    const shopC = parseCsv('age,region,bought\n33,north,no\n44,atlantis,yes\n', 'c.csv');
    const err = dataErrorOf(() => encodeTable(shopC, agreed));
    expect(err.line).toBe(3);
    expect(err.message).toBe(
      'c.csv line 3, column "region": "atlantis" is not one of the agreed categories (north, south, west); ' +
        'change it to one of them, or remove the row',
    );
  });

  test('missing agreed columns and bad numbers are errors', () => {
    expect(dataErrorOf(() => encodeTable(parseCsv('age,bought\n1,yes\n', 'm.csv'), agreed)).message).toMatch(
      /no feature column "region"/,
    );
    const bad = parseCsv('age,region,bought\nold,north,no\n', 'n.csv');
    expect(dataErrorOf(() => encodeTable(bad, agreed)).message).toMatch(
      /^n\.csv line 2, column "age": "old" is not a number/,
    );
  });
});
