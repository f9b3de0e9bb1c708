import { describe, expect, it } from 'vitest';
import { seededRandom, type Random } from '@tessera/ml';
import {
  addBoundedMoments,
  addMagnitudes,
  boundedMomentsNorms,
  decodeUpdateSum,
  encodeUpdate,
  fromRing,
  magnitudeNorms,
  MAGNITUDE_BUCKETS,
  releaseSensitivity,
  secretRecordRandomness,
  selectRecords,
  SensitivityError,
  type RecordRandomness,
} from '../src/index.js';

const seeded = (seed: string): RecordRandomness => ({
  key: (i) => seededRandom(`${seed}/key/${i}`).float(),
  rounding: (i) => seededRandom(`${seed}/round/${i}`),
  shared: () => seededRandom(`${seed}/shared`),
});

describe('releaseSensitivity', () => {
  it(
    'record FIT: replacement under the fixed-size selection, 2(level + sqrt(g)); ' +
      'the count coordinate is free up to sqrt(3)(level + sqrt(g))',
    () => {
      const one = 1000 + Math.sqrt(31);
      expect(
        releaseSensitivity({ kind: 'record-fit', level: 1000, gradientLength: 31, countWeight: 1000 }),
      ).toBeCloseTo(2 * one, 1);
      expect(releaseSensitivity({ kind: 'record-fit', level: 1000, gradientLength: 31, countWeight: 0 })).toBeCloseTo(
        2 * one,
        1,
      );
      // A count weight beyond sqrt(3) x one record's bound would make the added record the worst case.
      expect(
        releaseSensitivity({ kind: 'record-fit', level: 1000, gradientLength: 31, countWeight: 3 * one }),
      ).toBeCloseTo(Math.hypot(one, 3 * one), 1);
      // Never below the bound: the slack is upward and tiny.
      const d = releaseSensitivity({ kind: 'record-fit', level: 2 ** 20, gradientLength: 31, countWeight: 2 ** 20 });
      expect(d).toBeGreaterThanOrEqual(2 * (2 ** 20 + Math.sqrt(31)));
      expect(d / (2 * (2 ** 20 + Math.sqrt(31)))).toBeLessThan(1 + 1e-5);
    },
  );

  it('participant FIT: level + sqrt(length), the weight coordinate dropped', () => {
    const bound = 2 ** 19 - 1 + Math.sqrt(31);
    const d = releaseSensitivity({ kind: 'participant-fit', level: 2 ** 19 - 1, length: 31 });
    expect(d).toBeGreaterThanOrEqual(bound);
    expect(d / bound).toBeLessThan(1 + 1e-5);
  });

  it('statistics: unit record takes the larger of add and replace, unit participant the add bound', () => {
    const d = 30;
    const m = magnitudeNorms(d),
      b = boundedMomentsNorms(d);
    expect(m.replaceNorm).toBeCloseTo(Math.sqrt(2 * d), 12);
    expect(b.replaceNorm).toBeCloseTo(2 * Math.sqrt(d), 12);
    const len = d * MAGNITUDE_BUCKETS;
    expect(releaseSensitivity({ kind: 'statistics', unit: 'record', level: 100, length: len, ...m })).toBeCloseTo(
      100 * Math.sqrt(2 * d) + Math.sqrt(len),
      2,
    );
    expect(releaseSensitivity({ kind: 'statistics', unit: 'participant', level: 100, length: len, ...m })).toBeCloseTo(
      100 * Math.sqrt(d) + Math.sqrt(len),
      2,
    );
    expect(releaseSensitivity({ kind: 'statistics', unit: 'record', level: 100, length: 5, unitNorm: 1 })).toBeCloseTo(
      200 + Math.sqrt(5),
      2,
    );
  });

  it('refuses malformed input, naming the field', () => {
    expect(() => releaseSensitivity({ kind: 'participant-fit', level: Number.NaN, length: 3 })).toThrow(
      SensitivityError,
    );
    expect(() => releaseSensitivity({ kind: 'record-fit', level: 10, gradientLength: 2.5, countWeight: 1 })).toThrow(
      /gradientLength/,
    );
  });

  it('the statistics norms hold for the worst records: extreme magnitudes and moments at opposite bounds', () => {
    const d = 4;
    const bounds = Float64Array.from({ length: d }, () => 2);
    const rows = [
      Float64Array.of(1e9, -1e9, 0, 3e-9),
      Float64Array.of(-1e9, 1e9, 1e-30, -1e12),
      Float64Array.of(0.5, -0.25, 1.75, 2),
    ];
    const vec = (row: Float64Array, kind: 'm' | 'b') => {
      const v = new Float64Array(kind === 'm' ? d * MAGNITUDE_BUCKETS : 2 * d + 1);
      if (kind === 'm') addMagnitudes(v, row, 0, d);
      else addBoundedMoments(v, row, 0, bounds);
      return v;
    };
    const norm = (v: Float64Array) => Math.hypot(...v);
    const diff = (a: Float64Array, b: Float64Array) => a.map((x, i) => x - b[i]);
    for (const a of rows) {
      expect(norm(vec(a, 'm'))).toBeLessThanOrEqual(magnitudeNorms(d).unitNorm + 1e-12);
      expect(norm(vec(a, 'b'))).toBeLessThanOrEqual(boundedMomentsNorms(d).unitNorm + 1e-12);
      for (const b of rows) {
        expect(norm(diff(vec(a, 'm'), vec(b, 'm')))).toBeLessThanOrEqual(magnitudeNorms(d).replaceNorm + 1e-12);
        expect(norm(diff(vec(a, 'b'), vec(b, 'b')))).toBeLessThanOrEqual(boundedMomentsNorms(d).replaceNorm + 1e-12);
      }
    }
    // Opposite bounds reach the moments' replace bound exactly.
    expect(norm(diff(vec(Float64Array.of(2, 2, 2, 2), 'b'), vec(Float64Array.of(-5, -2, -9, -2), 'b')))).toBeCloseTo(
      boundedMomentsNorms(d).replaceNorm,
      12,
    );
  });
});

describe('record selection by secret keys', () => {
  it('uses every record up to maxRecords, else the smallest keys; adding a record swaps at most one', () => {
    const r = seeded('sel');
    expect(selectRecords(5, 5, r)).toEqual([0, 1, 2, 3, 4]);
    const picked = selectRecords(200, 50, r);
    expect(picked).toHaveLength(50);
    expect([...picked].sort((a, b) => a - b)).toEqual(picked);
    const keys = Array.from({ length: 200 }, (_, i) => r.key(i));
    const cut = [...keys].sort((a, b) => a - b)[49];
    expect(picked.every((i) => keys[i] <= cut)).toBe(true);
    // Coupled: the same keys for the 200 shared records, one more record appended.
    for (const n of [49, 50, 200]) {
      const before = new Set(selectRecords(n, 50, r));
      const after = selectRecords(n + 1, 50, r);
      const fresh = after.filter((i) => !before.has(i));
      const gone = [...before].filter((i) => !after.includes(i));
      expect(fresh.length).toBeLessThanOrEqual(1);
      if (fresh.length) expect(fresh).toEqual([n]);
      expect(gone.length).toBe(n >= 50 ? fresh.length : 0);
    }
  });

  it('in production draws fresh keys from the CSPRNG: two selections of the same rows differ', () => {
    const a = selectRecords(1000, 100, secretRecordRandomness());
    const b = selectRecords(1000, 100, secretRecordRandomness());
    expect(a).not.toEqual(b);
    expect(() => selectRecords(10, 0, secretRecordRandomness())).toThrow(/maxRecords/);
  });
});

describe('participant-level update encoding', () => {
  it('with uniform weights sends a zero weight coordinate and stays within level + sqrt(d) of the origin', () => {
    const codec = { bits: 12, clip: 1, modulus: 2 ** 32, uniformWeights: true };
    const level = 2 ** 11 - 1;
    const rng: Random = seededRandom('uniform');
    for (let t = 0; t < 50; t++) {
      const delta = Float64Array.from({ length: 9 }, () => rng.gaussian() * (t % 2 ? 10 : 0.1));
      const { words } = encodeUpdate(delta, 1, codec, rng);
      expect(words[9]).toBe(0);
      expect(Math.hypot(...Array.from(words, (w) => fromRing(w, 2 ** 32)))).toBeLessThanOrEqual(
        releaseSensitivity({ kind: 'participant-fit', level, length: 9 }),
      );
      expect(decodeUpdateSum(words, codec).totalWeight).toBe(0);
    }
    expect(() => encodeUpdate(Float64Array.of(1), 0.5, codec, rng)).toThrow(/weigh 1/);
  });
});
