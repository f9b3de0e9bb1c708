import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededRandom } from '@tessera/crypto';
import {
  addNoiseModulo,
  bernoulli,
  bernoulliExp,
  bernoulliLazy,
  centredResidue,
  discreteGaussianSampler,
  discreteLaplaceSampler,
  poissonSampler,
  sampleMany,
  skellamSampler,
} from '@tessera/dp';

// Property-based tests of the exact samplers. fast-check draws the parameters and the sampler's seed (both fixed by
// the fast-check seed, so every run sees the same cases); the statistical checks use bounds of 6 standard errors,
// so a correct sampler fails one with probability about 2e-9 per check, and a fixed seed makes the outcome
// reproducible either way.

const SIX = 6;

/** A seeded `Random`, named by the drawn seed, for the sampler under test. */
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const rngFor = (what: string, s: number) => seededRandom(`property/${what}/${s}`);

/** Mean and (population) variance of the samples. */
function moments(xs: Float64Array): { mean: number; variance: number } {
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / xs.length;
  let sq = 0;
  for (const x of xs) sq += (x - mean) ** 2;
  return { mean, variance: sq / xs.length };
}

/** Every sample is an integer (a Float64Array holds safe integers exactly). */
function expectIntegers(xs: Float64Array): void {
  for (const x of xs) if (!Number.isSafeInteger(x)) expect.fail(`sample ${x} is not a safe integer`);
}

/** A distribution symmetric about 0: as many positive as negative samples, up to 6 standard errors of a sign test. */
function expectSymmetric(xs: Float64Array): void {
  let positive = 0,
    negative = 0;
  for (const x of xs) {
    if (x > 0) positive++;
    else if (x < 0) negative++;
  }
  expect(Math.abs(positive - negative)).toBeLessThanOrEqual(SIX * Math.sqrt(positive + negative) + 1);
}

/** Sample mean and variance within 6 standard errors, given the true mean, variance and fourth central moment. */
function expectMoments(xs: Float64Array, mean: number, variance: number, fourth: number): void {
  const n = xs.length;
  const m = moments(xs);
  expect(Math.abs(m.mean - mean)).toBeLessThanOrEqual(SIX * Math.sqrt(variance / n));
  expect(Math.abs(m.variance - variance)).toBeLessThanOrEqual(
    SIX * Math.sqrt((fourth - variance ** 2) / n) + variance / n,
  );
}

describe('Bernoulli samplers (fast-check)', () => {
  it('bernoulliExp(gamma) succeeds with probability exp(-gamma), within 6 standard errors', () => {
    const gamma = fc.record({
      num: fc.integer({ min: 0, max: 4000 }),
      den: fc.integer({ min: 1, max: 1000 }),
      big: fc.boolean(),
    });
    fc.assert(
      fc.property(gamma, seed, ({ num, den, big }, s) => {
        const rng = rngFor('bernoulli-exp', s);
        const trials = 3000;
        // The bigint path, with the same ratio scaled by 2^64.
        const scale = 2n ** 64n;
        let hits = 0;
        for (let i = 0; i < trials; i++) {
          const ok = big ? bernoulliExp(BigInt(num) * scale, BigInt(den) * scale, rng) : bernoulliExp(num, den, rng);
          if (ok) hits++;
        }
        const p = Math.exp(-num / den);
        expect(Math.abs(hits / trials - p)).toBeLessThanOrEqual(SIX * Math.sqrt((p * (1 - p)) / trials) + 1 / trials);
        if (num === 0) expect(hits).toBe(trials); // exp(0) = 1, exactly
      }),
      { seed: 101, numRuns: 40 },
    );
  });

  it('bernoulli(num/den) is exact at 0 and 1 and monotone in num on a shared random stream', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.nat(), fc.nat(), seed, (den, a, b, s) => {
        const [lo, hi] = [a % (den + 1), b % (den + 1)].sort((x, y) => x - y) as [number, number];
        // The same stream for both: a draw below lo is below hi, so success at lo implies success at hi.
        const r1 = rngFor('bernoulli', s),
          r2 = rngFor('bernoulli', s);
        for (let i = 0; i < 50; i++) {
          const atLo = bernoulli(lo, den, r1),
            atHi = bernoulli(hi, den, r2);
          if (atLo) expect(atHi).toBe(true);
          if (lo === 0) expect(atLo).toBe(false);
          if (hi === den) expect(atHi).toBe(true);
        }
      }),
      { seed: 102, numRuns: 200 },
    );
  });

  it('bernoulliLazy(num/den) for huge denominators: certain at num >= den, frequency num/den otherwise', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 2n ** 200n }),
        fc.double({ min: 0, max: 1.2, noNaN: true }),
        seed,
        (den, ratio, s) => {
          const num = (den * BigInt(Math.round(ratio * 1e6))) / 1_000_000n;
          const rng = rngFor('bernoulli-lazy', s);
          const trials = 2000;
          let hits = 0;
          for (let i = 0; i < trials; i++) if (bernoulliLazy(num, den, rng)) hits++;
          if (num >= den) expect(hits).toBe(trials);
          else {
            const p = Number((num * 1_000_000_000n) / den) / 1e9;
            expect(Math.abs(hits / trials - p)).toBeLessThanOrEqual(
              SIX * Math.sqrt((p * (1 - p)) / trials) + 2 / trials,
            );
          }
        },
      ),
      { seed: 103, numRuns: 40 },
    );
  });
});

describe('integer noise samplers (fast-check)', () => {
  const N = 4000;

  it('discrete Laplace(t): integers, symmetric, with variance 2q/(1-q)^2 for q = exp(-1/t)', () => {
    const scale = fc
      .record({ num: fc.integer({ min: 1, max: 60 }), den: fc.integer({ min: 1, max: 8 }) })
      .filter((r) => r.num >= r.den);
    fc.assert(
      fc.property(scale, seed, ({ num, den }, s) => {
        const xs = sampleMany(discreteLaplaceSampler(`${num}/${den}`, rngFor('laplace', s)), N);
        expectIntegers(xs);
        expectSymmetric(xs);
        // Moments of P(x) ∝ q^|x|, summed (floating point is fine in a test).
        const q = Math.exp(-den / num);
        let z = 0,
          m2 = 0,
          m4 = 0;
        for (let x = -4000; x <= 4000; x++) {
          const w = q ** Math.abs(x);
          z += w;
          m2 += w * x * x;
          m4 += w * x ** 4;
        }
        expect(m2 / z).toBeCloseTo((2 * q) / (1 - q) ** 2, 6);
        expectMoments(xs, 0, m2 / z, m4 / z);
      }),
      { seed: 104, numRuns: 30 },
    );
  });

  it('discrete Gaussian(sigma^2 >= 1): integers, symmetric, variance sigma^2 and kurtosis 3', () => {
    const sigma2 = fc
      .record({ num: fc.integer({ min: 1, max: 40_000 }), den: fc.integer({ min: 1, max: 4 }) })
      .filter((r) => r.num >= r.den);
    fc.assert(
      fc.property(sigma2, seed, ({ num, den }, s) => {
        const xs = sampleMany(discreteGaussianSampler(`${num}/${den}`, rngFor('gaussian', s)), N);
        expectIntegers(xs);
        expectSymmetric(xs);
        const v = num / den; // for sigma >= 1 the discrete variance differs from sigma^2 by under 1e-6
        expectMoments(xs, 0, v, 3 * v * v);
      }),
      { seed: 105, numRuns: 30 },
    );
  });

  it('Poisson(lambda): non-negative integers with mean and variance lambda, on all three algorithm ranges', () => {
    // lambda < 8, 8 <= lambda < 48 and lambda >= 48 take different algorithms.
    const lambda = fc.oneof(
      fc.record({ num: fc.integer({ min: 1, max: 79 }), den: fc.constant(10) }),
      fc.record({ num: fc.integer({ min: 80, max: 479 }), den: fc.constant(10) }),
      fc
        .record({ num: fc.integer({ min: 48, max: 5000 }), den: fc.integer({ min: 1, max: 3 }) })
        .filter((r) => r.num >= 48 * r.den),
    );
    fc.assert(
      fc.property(lambda, seed, ({ num, den }, s) => {
        const xs = sampleMany(poissonSampler(`${num}/${den}`, rngFor('poisson', s)), N);
        expectIntegers(xs);
        for (const x of xs) if (x < 0) expect.fail(`Poisson sample ${x} < 0`);
        const l = num / den;
        expectMoments(xs, l, l, l + 3 * l * l); // every cumulant of Poisson(l) is l
      }),
      { seed: 106, numRuns: 30 },
    );
  });

  it('Skellam(mu): integers, symmetric, mean 0 and variance mu, on both sides of the split at mu = 512', () => {
    const mu = fc.oneof(
      fc.record({ num: fc.integer({ min: 1, max: 5119 }), den: fc.constant(10) }),
      fc.record({ num: fc.integer({ min: 512, max: 20_000 }), den: fc.constant(1) }),
    );
    fc.assert(
      fc.property(mu, seed, ({ num, den }, s) => {
        const xs = sampleMany(skellamSampler(`${num}/${den}`, rngFor('skellam', s)), N);
        expectIntegers(xs);
        expectSymmetric(xs);
        const m = num / den;
        expectMoments(xs, 0, m, m + 3 * m * m); // even cumulants of the symmetric Skellam are all mu
      }),
      { seed: 107, numRuns: 30 },
    );
  });

  it('draws the same samples from the same seed', () => {
    fc.assert(
      fc.property(seed, fc.integer({ min: 1, max: 1000 }), (s, v) => {
        const make = () => [
          ...sampleMany(discreteGaussianSampler(v, rngFor('same', s)), 20),
          ...sampleMany(skellamSampler(v, rngFor('same', s)), 20),
          ...sampleMany(discreteLaplaceSampler(v, rngFor('same', s)), 20),
        ];
        expect(make()).toEqual(make());
      }),
      { seed: 108, numRuns: 50 },
    );
  });

  it('adds noise modulo m exactly: the centred difference is the noise itself', () => {
    const modulus = fc.oneof(fc.constantFrom(2 ** 32, 2 ** 31 - 1, 2 ** 20, 3), fc.integer({ min: 2, max: 2 ** 32 }));
    fc.assert(
      fc.property(
        modulus,
        fc.array(fc.nat(), { minLength: 1, maxLength: 50 }),
        fc.array(fc.oneof(fc.integer({ min: -100, max: 100 }), fc.integer({ min: -(2 ** 53 - 1), max: 2 ** 53 - 1 })), {
          minLength: 50,
          maxLength: 50,
        }),
        (m, raw, noise) => {
          const words = Uint32Array.from(raw, (w) => w % m);
          const before = Uint32Array.from(words);
          let k = 0;
          addNoiseModulo(words, () => noise[k++]!, m);
          words.forEach((w, i) => {
            expect(w).toBeLessThan(m);
            // (w - before) mod m equals the noise mod m; its centred residue is the noise when |noise| < m/2.
            const diff = (((w - before[i]!) % m) + m) % m;
            expect(diff).toBe(((noise[i]! % m) + m) % m);
            if (Math.abs(noise[i]!) < m / 2) expect(centredResidue(diff, m)).toBe(noise[i]);
          });
        },
      ),
      { seed: 109, numRuns: 300 },
    );
  });
});
