import { describe, expect, it } from 'vitest';
import { seededRandom } from '@tessera/ml';
import {
  checkUpdateCodec,
  clipL2,
  decodeUpdateSum,
  decodeWideSum,
  encodeUpdate,
  encodeWide,
  fromRing,
  QuantisationError,
  stochasticRound,
  toRing,
  DEFAULT_WIDE,
} from '../src/index.js';

const addRing = (a: Uint32Array, b: Uint32Array) => {
  for (let i = 0; i < a.length; i++) a[i] = (a[i] + b[i]) >>> 0;
};

describe('quantisation for secure aggregation', () => {
  it('stochastic rounding is unbiased', () => {
    const rng = seededRandom('sr');
    let s = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) s += stochasticRound(2.3, rng);
    expect(Math.abs(s / n - 2.3)).toBeLessThan(0.005);
    expect(stochasticRound(-1, rng)).toBe(-1);
  });

  it('clips to the L2 bound and leaves short vectors alone', () => {
    const long = clipL2(Float64Array.from([3, 4]), 1);
    expect(long.norm).toBe(5);
    expect(Math.hypot(...long.clipped)).toBeCloseTo(1, 12);
    expect([...clipL2(Float64Array.from([0.3, 0.4]), 1).clipped]).toEqual([0.3, 0.4]);
  });

  it('ring mapping is centred', () => {
    const m = 2 ** 32;
    for (const v of [0, 1, -1, 2 ** 31 - 1, -(2 ** 31)]) expect(fromRing(toRing(v, m), m)).toBe(v);
  });

  it('the ring sum of encoded updates decodes to the sum of the (rounded) weighted deltas', () => {
    const codec = { bits: 20, clip: 2, modulus: 2 ** 32 };
    const rng = seededRandom('enc');
    const d = 50,
      n = 40;
    const sum = new Uint32Array(d + 1);
    const exact = new Float64Array(d);
    let totalWeight = 0;
    for (let p = 0; p < n; p++) {
      const delta = Float64Array.from({ length: d }, () => rng.gaussian() * 0.1);
      const w = 0.2 + 0.8 * rng.float();
      const { clipped } = clipL2(delta, codec.clip);
      clipped.forEach((v, i) => {
        exact[i] += w * v;
      });
      totalWeight += w;
      addRing(sum, encodeUpdate(delta, w, codec, rng).words);
    }
    const decoded = decodeUpdateSum(sum, codec);
    const step = codec.clip / (2 ** 19 - 1);
    decoded.weightedSum.forEach((v, i) => expect(Math.abs(v - exact[i])).toBeLessThan(n * step));
    expect(Math.abs(decoded.totalWeight - totalWeight)).toBeLessThan(n / (2 ** 19 - 1));
  });

  it('refuses a setting whose sum could wrap, naming the knob', () => {
    expect(() => checkUpdateCodec({ bits: 24, clip: 1, modulus: 2 ** 32 }, 500)).toThrow(QuantisationError);
    expect(() => checkUpdateCodec({ bits: 24, clip: 1, modulus: 2 ** 32 }, 500)).toThrow(
      /lower secure\.bits to \d+ or fewer/,
    );
    expect(() => checkUpdateCodec({ bits: 20, clip: 1, modulus: 2 ** 32 }, 500)).not.toThrow();
  });

  it('wide statistics sum exactly, with negative and large values', () => {
    const rows = [
      [3, -1.5, 1e9, 12345.678],
      [7, 2.25, 3e9, -0.5],
      [1, 0, 1e11, 1e-3],
    ];
    const sum = new Uint32Array(rows[0].length * 4);
    for (const r of rows) addRing(sum, encodeWide(r, DEFAULT_WIDE));
    const got = decodeWideSum(sum, rows.length, DEFAULT_WIDE);
    const want = rows[0].map((_, i) => rows.reduce((s, r) => s + Math.round(r[i] * 65536) / 65536, 0));
    expect([...got]).toEqual(want);
  });
});

describe('evaluation reports for secure aggregation', () => {
  it('sums to example-weighted means, skipping undefined AUC', async () => {
    const { encodeEvaluation, decodeEvaluationSum } = await import('../src/index.js');
    const sum = new Uint32Array(28);
    // Binary metric sums: [n, Σ log loss, correct, nAuc, nAuc·auc].
    const reports = [
      { sums: [10, 10 * 0.5, 8, 10, 10 * 0.9], trainExamples: 40, trainLoss: 0.6 },
      { sums: [30, 30 * 0.3, 27, 0, 0], trainExamples: 120, trainLoss: 0.4 },
    ];
    for (const r of reports) addRing(sum, encodeEvaluation(r, DEFAULT_WIDE));
    const m = decodeEvaluationSum(sum, 2, DEFAULT_WIDE);
    expect(m.loss).toBeCloseTo((10 * 0.5 + 30 * 0.3) / 40, 4);
    expect(m.accuracy).toBeCloseTo((8 + 27) / 40, 4);
    expect(m.auc).toBeCloseTo(0.9, 4);
    expect(m.train_loss).toBeCloseTo((40 * 0.6 + 120 * 0.4) / 160, 4);
    expect(m.evaluated_examples).toBe(40);
  });

  it('decodes multiclass and regression sums to the metrics of the pooled rows', async () => {
    const { encodeEvaluation, decodeEvaluationSum, evaluationValues, WIDE_DIGITS } = await import('../src/index.js');
    const { evaluateModel, metricSums, softmaxModel, linearModel, seededRandom } = await import('@tessera/ml');
    const rng = seededRandom('evaluation-codec');
    const rows = (n: number, label: (i: number) => number) => {
      const x = Float64Array.from({ length: n * 2 }, () => rng.gaussian());
      return { x, y: Float64Array.from({ length: n }, (_, i) => label(i)), n, d: 2 };
    };
    for (const [model, label] of [
      [softmaxModel({ features: 2, classes: 3, l2: 0 }), (i: number) => i % 3],
      [linearModel({ features: 2, l2: 0 }), (i: number) => (i % 7) - 3],
    ] as const) {
      const params = Float64Array.from({ length: model.size }, () => rng.gaussian());
      const shape = { task: model.task, outputs: model.outputs };
      const a = rows(13, label);
      const b = rows(20, label);
      const sum = new Uint32Array(evaluationValues(shape) * WIDE_DIGITS);
      for (const part of [a, b])
        addRing(
          sum,
          encodeEvaluation(
            { sums: metricSums(model, params, part), trainExamples: 0, trainLoss: 0 },
            DEFAULT_WIDE,
            shape,
          ),
        );
      const decoded = decodeEvaluationSum(sum, 2, DEFAULT_WIDE, shape);
      const pooled = evaluateModel(model, params, {
        x: Float64Array.from([...a.x, ...b.x]),
        y: Float64Array.from([...a.y, ...b.y]),
        n: 33,
        d: 2,
      });
      for (const key of Object.keys(pooled).filter((k) => k !== 'n'))
        expect(decoded[key], `${model.kind} ${key}`).toBeCloseTo(pooled[key]!, 3);
      expect(decoded.evaluated_examples).toBe(33);
    }
  });
});

describe('record-level encoding (DP-FedSGD)', () => {
  it(
    'sums clipped, scaled records with a count, decodes back, ' +
      'and one record moves the sum by at most the sensitivity',
    async () => {
      const { addClippedRecord, decodeRecordSum, recordSumToRing, largestRecordLevel } = await import(
        '../src/quantise/index.js'
      );
      const { releaseSensitivity } = await import('../src/privacy/release-sensitivity.js');
      const { seededRandom } = await import('@tessera/ml');
      const rng = seededRandom('records');
      const codec = { clip: 2, level: 1000, modulus: 2 ** 32 };
      const records = Array.from({ length: 50 }, (_, i) =>
        Float64Array.from({ length: 7 }, (_, j) => Math.sin(i * 7 + j) * (i % 3 === 0 ? 10 : 0.5)),
      );
      const acc = new Float64Array(8);
      let clipped = 0;
      for (const r of records) if (addClippedRecord(acc, r, codec, rng)) clipped++;
      expect(clipped).toBeGreaterThan(0);
      const { gradientSum, count } = decodeRecordSum(recordSumToRing(acc, codec.modulus), codec);
      expect(count).toBe(50);
      const expected = new Float64Array(7);
      for (const r of records) {
        const norm = Math.hypot(...r);
        const k = norm > codec.clip ? codec.clip / norm : 1;
        for (let j = 0; j < 7; j++) expected[j] += r[j] * k;
      }
      for (let j = 0; j < 7; j++)
        expect(Math.abs(gradientSum[j] - expected[j])).toBeLessThan((50 * codec.clip) / codec.level);
      // Adding one more record (here the largest possible) changes the integer sum by at most its own bound,
      // sqrt((level + sqrt(g))^2 + level^2), which the release's sensitivity (replacement under the fixed-size
      // selection: 2(level + sqrt(g))) covers.
      const before = Float64Array.from(acc);
      addClippedRecord(
        acc,
        Float64Array.from({ length: 7 }, () => 100),
        codec,
        rng,
      );
      let moved = 0;
      for (let j = 0; j < 8; j++) moved += (acc[j] - before[j]) ** 2;
      expect(Math.sqrt(moved)).toBeLessThanOrEqual(Math.hypot(codec.level + Math.sqrt(7), codec.level));
      expect(
        releaseSensitivity({ kind: 'record-fit', level: codec.level, gradientLength: 7, countWeight: codec.level }),
      ).toBeCloseTo(2 * (codec.level + Math.sqrt(7)), 1);
      expect(Math.sqrt(moved)).toBeGreaterThan(Math.SQRT2 * codec.level - Math.sqrt(7));
      // The level leaves room for every record and 12 standard deviations of noise in the centred ring.
      const level = largestRecordLevel(1000, 2 ** 32, { perLevel: 3, fixed: 30 });
      expect(1000 * level + 12 * (3 * level + 30)).toBeLessThan(2 ** 31);
      expect(1000 * (level + 1) + 12 * (3 * (level + 1) + 30)).toBeGreaterThanOrEqual(2 ** 31 - 1);
      expect(() => recordSumToRing(Float64Array.of(0.5), codec.modulus)).toThrow(/not a safe integer/);
    },
  );
});
