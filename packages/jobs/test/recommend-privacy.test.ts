import { jobEpsilon, tolerableColluders } from '@tessera/fl';
import { seededRandom, systemRandom } from '@tessera/ml';
import { describe, expect, it } from 'vitest';
import {
  alsLambdaFloor,
  decodeRecommendDp,
  encodeRecommendDp,
  parseRecommendSpec,
  RECOMMEND_MIN_DP_LEVEL,
  recommendEvaluationLength,
  recommendEvaluationScale,
  recommendNoise,
  recommendNoiseStd,
  recommendUpdateLength,
  type RecommendNoise,
} from '../src/index.js';

const M = 2 ** 32;
const items = Array.from({ length: 300 }, (_, i) => `sku-${i}`);
const specOf = (o: {
  algorithm?: 'als' | 'bpr';
  rounds?: number;
  lambda?: number;
  privacy?: { clip?: number; [key: string]: unknown };
  evaluation?: object;
}) =>
  parseRecommendSpec({
    name: 'dp',
    kind: 'recommend',
    dataset: 'orders',
    catalogue: { items },
    // ALS under noise needs lambda well above the noise (alsLambdaFloor): 60 x clip, as the measured defaults.
    model: {
      algorithm: o.algorithm ?? 'als',
      ...(o.algorithm === 'bpr' ? {} : { lambda: o.lambda ?? 60 * (o.privacy?.clip ?? 1) }),
    },
    ...(o.rounds === undefined ? {} : { rounds: o.rounds }),
    ...(o.evaluation === undefined ? {} : { evaluation: o.evaluation }),
    privacy: { mode: 'distributed', ...o.privacy },
  });
const sumWords = (vectors: Uint32Array[]) => vectors.reduce((s, w) => s.map((v, i) => (v + w[i]!) % M));

describe('recommendNoise', () => {
  it('is undefined without differential privacy', () => {
    const spec = parseRecommendSpec({ name: 'x', kind: 'recommend', dataset: 'd', catalogue: { items } });
    expect(recommendNoise(spec, 10, 100)).toBeUndefined();
  });

  it('calibrates z so that the whole job (rounds and the evaluation) spends at most epsilon, and nearly all', () => {
    for (const [algorithm, rounds, holdOut, epsilon] of [
      ['als', 10, 'last', 8],
      ['bpr', 100, 'last', 8],
      ['als', 5, 'none', 1],
    ] as const) {
      // At epsilon 1 the noise is about 10 x clip: ALS needs lambda above ~200 x clip (alsLambdaFloor).
      const lambda = algorithm === 'als' ? (epsilon < 8 ? 500 : 60) : undefined;
      const spec = specOf({ algorithm, rounds, lambda, evaluation: { holdOut }, privacy: { epsilon, delta: 1e-6 } });
      const noise = recommendNoise(spec, 10, recommendUpdateLength(algorithm, items.length, 8))!;
      expect(noise.releases).toBe(rounds + (holdOut === 'last' ? 1 : 0));
      const spent = jobEpsilon(
        { noiseMultiplier: noise.noiseMultiplier, sampleRate: 1, rounds: 0, fullReleases: noise.releases },
        1e-6,
      );
      expect(spent).toBeLessThanOrEqual(epsilon);
      expect(spent).toBeGreaterThan(0.999 * epsilon);
      expect(noise.epsilon).toBe(spent);
      // A tenth less noise would overspend: z is the calibrated one, not merely a safe one.
      const less = {
        noiseMultiplier: 0.9 * noise.noiseMultiplier,
        sampleRate: 1,
        rounds: 0,
        fullReleases: noise.releases,
      };
      expect(jobEpsilon(less, 1e-6)).toBeGreaterThan(epsilon);
    }
  });

  it('the evaluation release is one of rounds + 1 equal shares of the budget', () => {
    const spec = specOf({ rounds: 10 });
    const z = recommendNoise(spec, 10, 100)!.noiseMultiplier;
    const cost = (releases: number) =>
      jobEpsilon({ noiseMultiplier: z, sampleRate: 1, rounds: 0, fullReleases: releases }, 1e-6);
    // Without the evaluation the same z would spend a little less; with it, exactly the budget.
    expect(cost(10)).toBeLessThan(cost(11));
    expect(cost(11) - cost(10)).toBeLessThan(0.1 * cost(11));
  });

  it('picks the largest level at which the worst-case sum plus 12 sigma of noise cannot wrap', () => {
    for (const [participants, maxCustomers, length] of [
      [10, 100_000, 16_254],
      [3, 1000, 2700],
      [20, 5000, 303],
    ] as const) {
      const spec = specOf({ privacy: { maxCustomers } });
      const n = recommendNoise(spec, participants, length)!;
      const spread = Math.sqrt(participants * n.shareVariance); // every share, none dropped
      const worst = (level: number, std: number) => participants * maxCustomers * level + participants + 12 * std;
      expect(worst(n.level, spread)).toBeLessThanOrEqual(M / 2 - 1);
      if (n.level < 2 ** 24) {
        const ratio = (n.level + 1 + Math.sqrt(length)) / (n.level + Math.sqrt(length));
        expect(worst(n.level + 1, spread * ratio)).toBeGreaterThan(M / 2 - 1 - 2 * participants);
      }
    }
  });

  it('a worst-case sum (every customer on one coordinate) decodes without wrapping', () => {
    const participants = 3;
    const maxCustomers = 1000;
    const noise = recommendNoise(specOf({ privacy: { maxCustomers, clip: 0.5 } }), participants, 4)!;
    // Every customer of every participant puts its whole clipped norm on coordinate 0 (+) and 1 (-).
    const vector = [maxCustomers * 0.5, -maxCustomers * 0.5, 0, 0.25];
    const rng = systemRandom();
    const sum = sumWords(Array.from({ length: participants }, () => encodeRecommendDp(vector, noise, M, rng)));
    const decoded = decodeRecommendDp(sum, noise, participants, M);
    const std = recommendNoiseStd(noise, participants);
    expect(Math.abs(decoded[0]! - participants * maxCustomers * 0.5)).toBeLessThan(8 * std);
    expect(Math.abs(decoded[1]! + participants * maxCustomers * 0.5)).toBeLessThan(8 * std);
  });

  it('refuses an ALS lambda the noise can make indefinite, naming model.lambda', () => {
    const spec = specOf({ lambda: 0.1, privacy: { clip: 0.05 } });
    expect(() => recommendNoise(spec, 10, recommendUpdateLength('als', items.length, 8))).toThrow(/model\.lambda/);
    const ok = specOf({ lambda: 3, rounds: 5, privacy: { clip: 0.05 } });
    const noise = recommendNoise(ok, 10, recommendUpdateLength('als', items.length, 8))!;
    expect(alsLambdaFloor(noise, 8, 10)).toBeLessThan(3);
    expect(alsLambdaFloor(noise, 8, 10)).toBeGreaterThan(0.5);
    // BPR has no normal equations: its lambda is not bounded by the noise.
    expect(recommendNoise(specOf({ algorithm: 'bpr', rounds: 50 }), 10, 100)).toBeDefined();
  });

  it('refuses a maxCustomers that leaves no room in the ring, naming the field', () => {
    const spec = specOf({ privacy: { maxCustomers: 1e8 } });
    expect(() => recommendNoise(spec, 20, 16_254)).toThrow(/privacy\.maxCustomers/);
    expect(RECOMMEND_MIN_DP_LEVEL).toBeGreaterThan(1);
  });
});

describe('encodeRecommendDp and decodeRecommendDp', () => {
  it('round-trips a few participants within quantisation when the noise is left out', () => {
    const noise: RecommendNoise = { ...recommendNoise(specOf({ privacy: { clip: 2 } }), 4, 50)!, shareVariance: 0 };
    const rng = seededRandom('round-trip');
    const vectors = Array.from({ length: 4 }, () => Array.from({ length: 50 }, () => (rng.float() - 0.5) * 40));
    const sum = sumWords(vectors.map((v) => encodeRecommendDp(v, noise, M, rng)));
    const decoded = decodeRecommendDp(sum, noise, 4, M);
    const step = noise.clip / noise.level;
    decoded.forEach((v, i) => {
      const exact = vectors.reduce((s, x) => s + x[i]!, 0);
      expect(Math.abs(v - exact)).toBeLessThan(4 * step); // each participant rounds by less than one step
    });
  });

  it('adds shares whose sum over the survivor floor carries at least the total variance', () => {
    const participants = 10;
    const spec = specOf({ privacy: { maxCustomers: 1000 } });
    const noise = recommendNoise(spec, participants, 4000)!;
    const c = tolerableColluders(participants, spec.secure.corruptFraction);
    expect(noise.minSurvivors).toBe(9);
    expect((noise.minSurvivors - c) * noise.shareVariance).toBeGreaterThanOrEqual(noise.totalVariance);
    // Empirically: the honest survivors' shares of a zero vector, summed, have at least the total variance.
    const rng = systemRandom();
    const zeros = new Float64Array(4000);
    const sum = sumWords(Array.from({ length: noise.minSurvivors - c }, () => encodeRecommendDp(zeros, noise, M, rng)));
    let squares = 0;
    for (const w of sum) squares += (w > M / 2 ? w - M : w) ** 2;
    const variance = squares / sum.length;
    // 4000 draws: the sample variance is within 10% of the true one with overwhelming probability.
    expect(variance).toBeGreaterThan(0.9 * noise.totalVariance);
    expect(variance).toBeLessThan(1.1 * (noise.minSurvivors - c) * noise.shareVariance);
    const std = recommendNoiseStd(noise, noise.minSurvivors - c);
    expect(std).toBeGreaterThanOrEqual((noise.noiseMultiplier * noise.clip) / 1.0001);
  });

  it('refuses a sum of fewer contributions than the survivor floor, and an unclipped value', () => {
    const noise = recommendNoise(specOf({ privacy: { maxCustomers: 10 } }), 10, 3)!;
    expect(() => decodeRecommendDp(new Uint32Array(3), noise, noise.minSurvivors - 1, M)).toThrow(/at least 9/);
    expect(() => encodeRecommendDp([0, 1e12, 0], noise, M, systemRandom())).toThrow(/value 1/);
    expect(() => encodeRecommendDp([0, Number.NaN, 0], noise, M, systemRandom())).toThrow(/value 1/);
    expect(() => encodeRecommendDp([0, 0], noise, M, systemRandom())).toThrow(/3 values/);
  });

  it('scales the evaluation vector so that each customer is within clip', () => {
    const clip = 0.7;
    const one = [1, 1, 1, ...Array.from({ length: 10 }, () => 1)];
    const norm = Math.hypot(...one.map((v) => v * recommendEvaluationScale(clip)));
    expect(norm).toBeCloseTo(clip, 12);
    const noise = recommendNoise(specOf({ privacy: { clip, maxCustomers: 500 } }), 3, recommendEvaluationLength(300))!;
    expect(noise.length).toBe(303);
  });
});
