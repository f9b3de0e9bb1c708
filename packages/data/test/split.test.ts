import { seededRandom } from '@tessera/crypto';
import { describe, expect, test } from 'vitest';
import { parseCsv, parseSplit, splitRows, trainTestSplit, type RawTable } from '../src/index.js';
import { dataErrorOf } from './helpers/errors.js';

const REGIONS = ['north', 'south', 'east', 'west', 'central'];

/** 1000 rows: region cycles through 5 values, label is 1 for 30% of rows. */
function sampleTable(): { t: RawTable; labels: Float64Array } {
  const lines = ['region,label'];
  const labels = new Float64Array(1000);
  for (let i = 0; i < 1000; i++) {
    labels[i] = i % 10 < 3 ? 1 : 0;
    lines.push(`${REGIONS[i % 5]},${labels[i]}`);
  }
  return { t: parseCsv(lines.join('\n'), 'sample.csv'), labels };
}

function expectPartition(parts: Uint32Array[], subset: Uint32Array): void {
  const all = parts.flatMap((p) => Array.from(p));
  expect(new Set(all).size).toBe(all.length);
  expect(all.sort((a, b) => a - b)).toEqual(Array.from(subset).sort((a, b) => a - b));
  for (const p of parts) expect(Array.from(p)).toEqual(Array.from(p).sort((a, b) => a - b));
}

function labelShare(part: Uint32Array, labels: Float64Array): number {
  return Array.from(part).reduce((s, r) => s + labels[r], 0) / part.length;
}

describe('trainTestSplit', () => {
  test('partitions 0..n-1, stratified by label when labels are given, deterministically', () => {
    const { labels } = sampleTable();
    const split = trainTestSplit(1000, 0.2, seededRandom('tts'), labels);
    expectPartition(
      [split.train, split.test],
      Uint32Array.from({ length: 1000 }, (_, i) => i),
    );
    expect(split.test.length).toBe(200);
    expect(labelShare(split.test, labels)).toBe(0.3);
    expect(labelShare(split.train, labels)).toBe(0.3);
    expect(trainTestSplit(1000, 0.2, seededRandom('tts'), labels)).toEqual(split);
    expect(trainTestSplit(1000, 0.2, seededRandom('other'), labels).test).not.toEqual(split.test);
  });

  test('rejects fractions outside (0, 1) and splits that leave a side empty', () => {
    expect(() => trainTestSplit(10, 1, seededRandom(1))).toThrow(/between 0 and 1/);
    expect(() => trainTestSplit(10, 0.01, seededRandom(1))).toThrow(/test set empty/);
    expect(() => trainTestSplit(10, 0.5, seededRandom(1), new Float64Array(3))).toThrow(/3 labels for 10 rows/);
  });

  test('splits a million rows (the in-memory path within a raised cell budget) without overflowing the stack', () => {
    const { train, test: held } = trainTestSplit(1_000_000, 0.2, seededRandom('large'));
    expect(train.length).toBe(800_000);
    expect(held.length).toBe(200_000);
    expect(new Set([...train, ...held]).size).toBe(1_000_000);
  });
});

describe('parseSplit', () => {
  test('accepts iid, dirichlet:<alpha> and by:<column>', () => {
    expect(parseSplit('iid')).toEqual({ kind: 'iid' });
    expect(parseSplit(' Dirichlet:0.5 ')).toEqual({ kind: 'dirichlet', alpha: 0.5 });
    expect(parseSplit('dirichlet:1e-1')).toEqual({ kind: 'dirichlet', alpha: 0.1 });
    expect(parseSplit('by:region')).toEqual({ kind: 'by', column: 'region' });
  });

  test('bad text says which forms are accepted', () => {
    for (const bad of ['random', 'iid:2', 'by:', 'dirichlet', '']) {
      expect(() => parseSplit(bad)).toThrow(/use iid, dirichlet:<alpha> \(for example dirichlet:0.5\) or by:<column>/);
    }
    expect(() => parseSplit('dirichlet:-1')).toThrow(/alpha must be a positive number/);
    expect(() => parseSplit('dirichlet:abc')).toThrow(/alpha must be a positive number/);
  });
});

describe('splitRows', () => {
  const { t, labels } = sampleTable();
  const subset = trainTestSplit(1000, 0.2, seededRandom('subset'), labels).train;

  test('iid: a shuffled partition into near-equal parts', () => {
    const parts = splitRows(t, subset, labels, 3, parseSplit('iid'), seededRandom('iid'));
    expectPartition(parts, subset);
    expect(parts.map((p) => p.length)).toEqual([267, 267, 266]);
    for (const p of parts) expect(Math.abs(labelShare(p, labels) - 0.3)).toBeLessThan(0.1);
    expect(splitRows(t, subset, labels, 3, { kind: 'iid' }, seededRandom('iid'))).toEqual(parts);
  });

  test('dirichlet: small alpha skews label shares, large alpha does not, every part keeps minRows', () => {
    const skewed = splitRows(t, subset, labels, 5, parseSplit('dirichlet:0.1'), seededRandom('d'), { minRows: 20 });
    expectPartition(skewed, subset);
    for (const p of skewed) expect(p.length).toBeGreaterThanOrEqual(20);
    const skewedShares = skewed.map((p) => labelShare(p, labels));
    expect(Math.max(...skewedShares) - Math.min(...skewedShares)).toBeGreaterThan(0.5);

    const even = splitRows(t, subset, labels, 5, parseSplit('dirichlet:1000'), seededRandom('d'));
    expectPartition(even, subset);
    for (const share of even.map((p) => labelShare(p, labels))) expect(Math.abs(share - 0.3)).toBeLessThan(0.1);
  });

  test('dirichlet is deterministic given the seed', () => {
    const spec = parseSplit('dirichlet:0.5');
    const a = splitRows(t, subset, labels, 4, spec, seededRandom('same'));
    expect(splitRows(t, subset, labels, 4, spec, seededRandom('same'))).toEqual(a);
    expect(splitRows(t, subset, labels, 4, spec, seededRandom('different'))).not.toEqual(a);
  });

  test('dirichlet repairs tiny parts and rejects impossible minimums', () => {
    const parts = splitRows(t, subset, labels, 10, parseSplit('dirichlet:0.01'), seededRandom('tiny'), { minRows: 70 });
    expectPartition(parts, subset);
    for (const p of parts) expect(p.length).toBeGreaterThanOrEqual(70);
    expect(() => splitRows(t, subset, labels, 10, parseSplit('dirichlet:1'), seededRandom(1), { minRows: 81 })).toThrow(
      /cannot give each of 10 parts at least 81 rows from 800 rows/,
    );
  });

  test('by:column gives one part per value, dealing extra values round-robin', () => {
    const five = splitRows(t, subset, labels, 5, parseSplit('by:region'), seededRandom(0));
    expectPartition(five, subset);
    // values sorted: central, east, north, south, west
    expect(five.map((p) => t.rows[p[0]][0])).toEqual(['central', 'east', 'north', 'south', 'west']);
    for (const p of five) expect(new Set(Array.from(p, (r) => t.rows[r][0])).size).toBe(1);

    const two = splitRows(t, subset, labels, 2, parseSplit('by:region'), seededRandom(0));
    expectPartition(two, subset);
    expect(new Set(Array.from(two[0], (r) => t.rows[r][0]))).toEqual(new Set(['central', 'north', 'west']));
    expect(new Set(Array.from(two[1], (r) => t.rows[r][0]))).toEqual(new Set(['east', 'south']));
  });

  test('by:column with fewer values than parts, or an unknown column, names the column', () => {
    const err = dataErrorOf(() => splitRows(t, subset, labels, 6, parseSplit('by:region'), seededRandom(0)));
    expect(err.column).toBe('region');
    expect(err.message).toMatch(
      /has 5 distinct values \(central, east, north, south, west\) for 6 parts; use at most 5 parts/,
    );
    expect(dataErrorOf(() => splitRows(t, subset, labels, 2, parseSplit('by:city'), seededRandom(0))).message).toMatch(
      /no split column "city"; the columns are: region, label/,
    );
  });

  test('rejects subsets with repeated or out-of-range rows', () => {
    expect(() => splitRows(t, Uint32Array.of(1, 1), labels, 1, { kind: 'iid' }, seededRandom(0))).toThrow(
      /appears twice/,
    );
    expect(() => splitRows(t, Uint32Array.of(1000), labels, 1, { kind: 'iid' }, seededRandom(0))).toThrow(
      /outside the table/,
    );
  });
});
