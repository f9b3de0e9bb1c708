import { describe, expect, it } from 'vitest';
import { seededRandom } from '@tessera/ml';
import { DEFAULT_ORDERS, epsilonFor, noiseMultiplierFor, subsampledGaussianRdpVector } from '@tessera/dp';
import {
  addBoundedMoments,
  addMagnitudes,
  boundedMomentsSensitivity,
  boundsFromHistogram,
  bucketUpperEdge,
  calibrateJobNoise,
  decodeFixedPoint,
  encodeFixedPoint,
  fixedPointSensitivity,
  jobEpsilon,
  magnitudeBucket,
  MAGNITUDE_BUCKETS,
  momentsFromBounded,
} from '../src/index.js';

describe('differentially private statistics building blocks', () => {
  it('puts |x| in power-of-two buckets whose upper edge covers it', () => {
    for (const v of [0, 1e-9, 2 ** -24, 0.3, -0.5, 1, 7, 1000, -123456, 2 ** 30]) {
      const k = magnitudeBucket(v);
      expect(k).toBeGreaterThanOrEqual(0);
      expect(k).toBeLessThan(MAGNITUDE_BUCKETS);
      if (Math.abs(v) < 2 ** 22) expect(Math.abs(v)).toBeLessThan(bucketUpperEdge(k));
      if (k > 0 && k < MAGNITUDE_BUCKETS - 1) expect(Math.abs(v)).toBeGreaterThanOrEqual(bucketUpperEdge(k) / 2);
    }
  });

  it('reads bounds from a histogram: the highest bucket clear of the noise, else the fullest window', () => {
    const d = 2;
    const rows = 1000;
    const x = new Float64Array(rows * d);
    const rng = seededRandom('hist');
    for (let i = 0; i < rows; i++) {
      x[i * d] = 10 + 90 * rng.float();
      x[i * d + 1] = 0.01 * rng.float();
    }
    const h = new Float64Array(d * MAGNITUDE_BUCKETS);
    for (let i = 0; i < rows; i++) addMagnitudes(h, x, i * d, d);
    const clean = boundsFromHistogram(h, d, 0.01, 0);
    expect(clean[0]).toBe(128);
    expect(clean[1]).toBe(2 ** -6);
    // Noise of a few counts in every bucket does not drag a bound up once the threshold is above it.
    const noisy = h.map((v) => v + 20 * Math.sin(v + 1));
    expect(boundsFromHistogram(noisy, d, 0.01, 60)).toEqual(clean);
    // Too much noise for any single bucket: the window where the data lives still gives a finite bound.
    const swamped = boundsFromHistogram(h, d, 0.01, 10 * rows);
    expect(swamped[0]).toBeGreaterThanOrEqual(128);
    expect(swamped[0]).toBeLessThanOrEqual(512);
  });

  it(
    'recovers means and spreads from bounded moments, ' +
      'and falls back to a quarter of the bound when noise swamps the variance',
    () => {
      const d = 1;
      const acc = new Float64Array(3);
      const x = Float64Array.from({ length: 400 }, (_, i) => 50 + (i % 2 ? 10 : -10));
      for (let i = 0; i < x.length; i++) addBoundedMoments(acc, x, i, Float64Array.of(128));
      const m = momentsFromBounded(acc, Float64Array.of(128), 0);
      expect(m.count).toBe(400);
      expect(m.sum[0] / m.count).toBeCloseTo(50, 9);
      expect(m.sumSquares[0] / m.count - 50 ** 2).toBeCloseTo(100, 6);
      const swamped = momentsFromBounded(acc, Float64Array.of(128), 1e6);
      expect(swamped.sumSquares[0] / swamped.count - 50 ** 2).toBeCloseTo((128 / 4) ** 2, 6);
      expect(boundedMomentsSensitivity(d)).toBeCloseTo(Math.sqrt(3), 12);
    },
  );

  it('fixed-point encoding is unbiased and one unit moves it by at most the sensitivity', () => {
    const rng = seededRandom('fixed');
    const v = Float64Array.of(0.25, -0.75, 0.1);
    const level = 1000;
    const sum = new Float64Array(3);
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const back = decodeFixedPoint(encodeFixedPoint(v, level, 2 ** 32, rng), level, 2 ** 32);
      for (let i = 0; i < 3; i++) sum[i] += back[i];
    }
    for (let i = 0; i < 3; i++) expect(sum[i] / trials).toBeCloseTo(v[i], 3);
    const a = encodeFixedPoint(Float64Array.of(0.2, 0.3, 0.4), level, 2 ** 32, rng);
    const b = encodeFixedPoint(Float64Array.of(0.2 + 0.6, 0.3, 0.4 - 0.8), level, 2 ** 32, rng);
    const moved = Math.hypot(...[0, 1, 2].map((i) => ((b[i] - a[i] + 2 ** 31) % 2 ** 32) - 2 ** 31));
    expect(moved).toBeLessThanOrEqual(fixedPointSensitivity(level, 1, 3));
  });
});

describe('job privacy cost', () => {
  it('calibrates one noise multiplier for statistics releases plus sampled rounds, spending at most epsilon', () => {
    const o = { epsilon: 2, delta: 1e-5, sampleRate: 1, rounds: 10, fullReleases: 2 };
    const z = calibrateJobNoise(o);
    const cost = { noiseMultiplier: z, sampleRate: 1, rounds: 10, fullReleases: 2 };
    expect(jobEpsilon(cost, 1e-5)).toBeLessThanOrEqual(2);
    expect(jobEpsilon(cost, 1e-5)).toBeGreaterThan(2 - 1e-6);
    // With no statistics releases it is the accountant's own calibration of a Gaussian over 12 steps.
    expect(calibrateJobNoise({ ...o, rounds: 12, fullReleases: 0 })).toBeCloseTo(
      noiseMultiplierFor({ epsilon: 2, delta: 1e-5, sampleRate: 1, steps: 12 }),
      6,
    );
    expect(z).toBeCloseTo(noiseMultiplierFor({ epsilon: 2, delta: 1e-5, sampleRate: 1, steps: 12 }), 6);
    // Sampled rounds compose with the full releases.
    const sampled = { noiseMultiplier: 1.1, sampleRate: 0.1, rounds: 50, fullReleases: 2 };
    const rdp = subsampledGaussianRdpVector(1.1, 0.1, 50, DEFAULT_ORDERS).map(
      (v, i) => v + subsampledGaussianRdpVector(1.1, 1, 2, DEFAULT_ORDERS)[i],
    );
    expect(jobEpsilon(sampled, 1e-5)).toBeCloseTo(epsilonFor(rdp, DEFAULT_ORDERS, 1e-5).epsilon, 12);
    expect(() => calibrateJobNoise({ ...o, epsilon: 1e-9 })).toThrow(/privacy\.epsilon|epsilon/);
  });
});
