import { describe, expect, test } from 'vitest';
import { seededRandom } from '@tessera/crypto';
import { poissonSampler, sampleMany, skellamSampler } from '@tessera/dp';
import { largePoissonSampler, type PoissonPathCounters } from '../../src/samplers/poisson-large.js';
import { integerLaplaceSampler } from '../../src/samplers/integer-laplace.js';
import { sampleBinomialHalf } from '../../src/samplers/binomial-half.js';
import { expBounds } from '../../src/samplers/exp-bounds.js';
import { LazyUniform } from '../../src/samplers/lazy-uniform.js';
import {
  discreteLaplacePmf,
  expectDistribution,
  logPoisson,
  pmfFrom,
  poissonPmf,
  skellamPmf,
  type Pmf,
} from './distribution-check.js';

/** Skellam pmf (variance mu) by convolving the Poisson(mu/2) pmf over its bulk only (mass outside < 1e-20). */
function skellamPmfWindowed(mu: number): Pmf {
  if (mu <= 2000) return skellamPmf(mu);
  const lambda = mu / 2;
  const lo = Math.max(0, Math.floor(lambda - 10 * Math.sqrt(lambda)));
  const hi = Math.ceil(lambda + 10 * Math.sqrt(lambda));
  const half = new Float64Array(hi - lo + 1);
  for (let k = lo; k <= hi; k++) half[k - lo] = Math.exp(logPoisson(lambda, k));
  const r = Math.ceil(8 * Math.sqrt(mu));
  return pmfFrom(
    (x) => {
      let s = 0;
      for (let i = Math.max(0, -x); i < half.length && i + x < half.length; i++) s += half[i + x] * half[i];
      return s;
    },
    -r,
    r,
  );
}

describe('Poisson(lambda) for lambda >= 48: Laplace envelope with an exact squeeze', () => {
  test.each([
    [48, 100_000],
    ['99/2', 100_000],
    [100, 100_000],
    [1000, 50_000],
    [10_000, 50_000],
    ['1000003/3', 50_000],
    [1_000_000, 50_000],
  ] as const)('lambda = %s', (lambda, n) => {
    const rng = seededRandom(`large-poisson-${lambda}`);
    const samples = sampleMany(poissonSampler(lambda, rng), n);
    const value = typeof lambda === 'string' ? Number(lambda.split('/')[0]) / Number(lambda.split('/')[1]) : lambda;
    expectDistribution(samples, poissonPmf(value));
  });

  test('the exact paths (inconclusive squeeze, far tails) are exercised and stay exact at small lambda', () => {
    const counters: PoissonPathCounters = { exactComparisons: 0, tailProposals: 0 };
    const samples = sampleMany(largePoissonSampler(16n, 1n, seededRandom('large-poisson-paths'), counters), 100_000);
    expectDistribution(samples, poissonPmf(16));
    expect(counters.exactComparisons).toBeGreaterThan(100);
    expect(counters.tailProposals).toBeGreaterThan(1000);
    const odd = { exactComparisons: 0, tailProposals: 0 };
    const fraction = sampleMany(largePoissonSampler(133n, 7n, seededRandom('large-poisson-19'), odd), 100_000); // 19
    expectDistribution(fraction, poissonPmf(19));
    expect(odd.exactComparisons + odd.tailProposals).toBeGreaterThan(10);
  });

  test('lambda = 1e10 (every proposal on the BigInt path)', () => {
    const lambda = 1e10;
    const r = Math.ceil(8 * Math.sqrt(lambda));
    // log P(lambda + j)/P(lambda) = -sum_{i=1}^{j} log1p(i/lambda) (j > 0), sum_{i=0}^{-j-1} log1p(-i/lambda) (j < 0)
    const logRatio = new Float64Array(2 * r + 1);
    for (let j = 1; j <= r; j++) logRatio[r + j] = logRatio[r + j - 1] - Math.log1p(j / lambda);
    for (let j = 1; j <= r; j++) logRatio[r - j] = logRatio[r - j + 1] + Math.log1p(-(j - 1) / lambda);
    const pmf = pmfFrom((k) => Math.exp(logRatio[k - lambda + r]), lambda - r, lambda + r);
    const samples = sampleMany(poissonSampler(lambda, seededRandom('large-poisson-1e10')), 30_000);
    expectDistribution(samples, pmf);
  });

  test('a slightly wrong lambda is rejected (power)', () => {
    const samples = sampleMany(poissonSampler(1000, seededRandom('large-poisson-power')), 100_000);
    expect(() => expectDistribution(samples, poissonPmf(1003))).toThrow();
  });

  test('lambda below 16 is refused by the large sampler; huge lambda is refused', () => {
    expect(() => largePoissonSampler(15n, 1n, seededRandom('x'))).toThrow(RangeError);
    expect(() => poissonSampler(2 ** 52, seededRandom('x'))).toThrow(RangeError);
  });
});

describe('Skellam (variance mu) at several scales', () => {
  test.each([
    [0.3, 50_000],
    [5, 50_000],
    [100, 100_000],
    [400, 50_000],
    [10_000, 50_000],
    [1_000_000, 30_000],
  ] as const)('mu = %s', (mu, n) => {
    const samples = sampleMany(skellamSampler(mu, seededRandom(`skellam-scale-${mu}`)), n);
    const result = expectDistribution(samples, skellamPmfWindowed(mu), { centre: 0 });
    expect(Math.abs(result.variance / mu - 1)).toBeLessThan(0.05);
  });
});

describe('building blocks', () => {
  test.each([0, 2, 31, 32, 33, 100])('Binomial(%s, 1/2) as a count of fair bits', (n) => {
    const rng = seededRandom(`binomial-${n}`);
    const samples = sampleMany(() => sampleBinomialHalf(n, rng), 50_000);
    // log C(n, k), as logPoisson(1, j) = -1 - log j!
    const logChoose = (k: number) => logPoisson(1, k) + logPoisson(1, n - k) - logPoisson(1, n) + 1;
    expectDistribution(
      samples,
      pmfFrom((k) => Math.exp(logChoose(k) - n * Math.LN2), 0, n),
    );
  });

  test.each([1, 7, 1000])('integer Laplace with t = %s', (t) => {
    const samples = sampleMany(integerLaplaceSampler(t, seededRandom(`integer-laplace-${t}`)), 100_000);
    expectDistribution(samples, discreteLaplacePmf(t), { centre: 0 });
  });

  test('expBounds brackets e^c and shrinks; e^0 is exact', () => {
    for (const [num, den] of [
      [1n, 2n],
      [7n, 1n],
      [123n, 10n],
    ] as const) {
      const value = Math.exp(Number(num) / Number(den));
      let width = Infinity;
      for (const terms of [5, 20, 60]) {
        const b = expBounds(num, den, terms);
        const lo = Number(b.loNum) / Number(b.loDen),
          hi = Number(b.hiNum) / Number(b.hiDen);
        expect(lo).toBeLessThanOrEqual(value * (1 + 1e-12));
        expect(hi).toBeGreaterThanOrEqual(value * (1 - 1e-12));
        expect(hi - lo).toBeLessThanOrEqual(width);
        width = hi - lo;
      }
      expect(width / value).toBeLessThan(1e-12);
    }
    expect(expBounds(0n, 5n, 3)).toEqual({ loNum: 1n, loDen: 1n, hiNum: 1n, hiDen: 1n });
  });

  test('LazyUniform decides U < v with probability v (v = 1/3 exactly, v = e^{-1/2}/2 through Taylor bounds)', () => {
    const rng = seededRandom('lazy-uniform');
    const n = 50_000;
    let third = 0,
      irrational = 0;
    for (let i = 0; i < n; i++) {
      const u = new LazyUniform(rng);
      let verdict: boolean | undefined;
      while ((verdict = u.decide(1n, 3n, 1n, 1n, 1n, 1n)) === undefined) u.refine();
      if (verdict) third++;
      const w = new LazyUniform(rng);
      for (let terms = 4; ; terms += 4) {
        const b = expBounds(1n, 2n, terms); // e^{-1/2} in [1/hi, 1/lo]
        const v = w.decide(1n, 2n, b.hiDen, b.hiNum, b.loDen, b.loNum);
        if (v !== undefined) {
          if (v) irrational++;
          break;
        }
        w.refine();
      }
    }
    const check = (count: number, p: number) =>
      expect(Math.abs(count / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    check(third, 1 / 3);
    check(irrational, Math.exp(-0.5) / 2);
  });
});
