import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { encodeTable, agreeSchema, profileTable, readCsvFile } from '../src/index.js';

const examples = (name: string) => fileURLToPath(new URL(`../../../examples/data/${name}`, import.meta.url));

test('breast_cancer.csv profiles with label benign: 569 rows, 30 numeric features', () => {
  const t = readCsvFile(examples('breast_cancer.csv'));
  const schema = profileTable(t, 'benign');
  expect(schema.rows).toBe(569);
  expect(schema.columns).toHaveLength(30);
  expect(schema.columns.every((c) => c.kind === 'numeric')).toBe(true);
  const enc = encodeTable(t, agreeSchema([schema]));
  expect(enc.d).toBe(30);
  expect(enc.y.reduce((a, b) => a + b, 0)).toBe(357);
});

test('wine.csv has a three-class target, which a binary label rejects with the line', () => {
  const t = readCsvFile(examples('wine.csv'));
  expect(t.rows).toHaveLength(178);
  expect(() => profileTable(t, 'cultivar')).toThrow(/wine\.csv line \d+, column "cultivar": "2" is not a binary label/);
});
