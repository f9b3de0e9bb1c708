import { describe, expect, test } from 'vitest';
import { seededRandom } from '@tessera/crypto';
import { bernoulli, bernoulliExp, uniformBelow, uniformBelowBig } from '@tessera/dp';
import { expectDistribution, pmfFrom } from './distribution-check.js';

function expectRate(successes: number, trials: number, p: number): void {
  const sd = Math.sqrt((p * (1 - p)) / trials);
  expect(Math.abs(successes / trials - p)).toBeLessThanOrEqual(5 * sd + 1e-12);
}

describe('bernoulli(num/den)', () => {
  test.each([
    [0, 1],
    [1, 1],
    [1, 3],
    [7, 10],
    [1, 2 ** 40],
  ])('p = %i/%i', (num, den) => {
    const rng = seededRandom(`bernoulli-${num}-${den}`);
    const n = 100_000;
    let hits = 0;
    for (let i = 0; i < n; i++) if (bernoulli(num, den, rng)) hits++;
    expectRate(hits, n, num / den);
  });

  test('bigint fractions', () => {
    const rng = seededRandom('bernoulli-big');
    const den = 3n * 2n ** 80n;
    let hits = 0;
    for (let i = 0; i < 50_000; i++) if (bernoulli(den / 3n, den, rng)) hits++;
    expectRate(hits, 50_000, 1 / 3);
  });

  test('rejects invalid fractions', () => {
    const rng = seededRandom('bernoulli-invalid');
    expect(() => bernoulli(1, 0, rng)).toThrow(RangeError);
    expect(() => bernoulli(-1, 2, rng)).toThrow(RangeError);
    expect(() => bernoulli(0.5, 2, rng)).toThrow(RangeError);
  });
});

describe('bernoulliExp: Bernoulli(exp(-gamma))', () => {
  test.each([
    [0, 1],
    [3, 10],
    [1, 1],
    [5, 2],
    [7, 1],
  ])('gamma = %i/%i', (num, den) => {
    const rng = seededRandom(`bernoulli-exp-${num}-${den}`);
    const n = 200_000;
    let hits = 0;
    for (let i = 0; i < n; i++) if (bernoulliExp(num, den, rng)) hits++;
    expectRate(hits, n, Math.exp(-num / den));
  });

  test('bigint path (gamma = 0.3 and 2.5 with 2^70-scaled fractions)', () => {
    const rng = seededRandom('bernoulli-exp-big');
    const scale = 2n ** 70n;
    for (const [num, den, gamma] of [
      [3n * scale, 10n * scale, 0.3],
      [5n * scale, 2n * scale, 2.5],
    ] as const) {
      let hits = 0;
      for (let i = 0; i < 40_000; i++) if (bernoulliExp(num, den, rng)) hits++;
      expectRate(hits, 40_000, Math.exp(-gamma));
    }
  });

  test('gamma = 0 always succeeds', () => {
    const rng = seededRandom('bernoulli-exp-zero');
    for (let i = 0; i < 1000; i++) expect(bernoulliExp(0, 5, rng)).toBe(true);
  });
});

describe('uniform integers', () => {
  test('uniformBelow above 2^32 and uniformBelowBig are uniform over residues', () => {
    const rng = seededRandom('uniform');
    const n = 60_000;
    const big = new Float64Array(n);
    const bigger = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      big[i] = uniformBelow(3 * 2 ** 40 + 7, rng) % 7;
      bigger[i] = Number(uniformBelowBig(5n * 2n ** 90n + 6n, rng) % 6n);
    }
    // residues mod 7 of [0, 3·2^40 + 7) and mod 6 of [0, 5·2^90 + 6) are uniform up to ~1e-12
    expectDistribution(
      big,
      pmfFrom(() => 1, 0, 6),
      { centre: 3 },
    );
    expectDistribution(
      bigger,
      pmfFrom(() => 1, 0, 5),
      { centre: 3 },
    );
  });
});
