import { describe, expect, test } from 'vitest';
import { seededRandom } from '@tessera/crypto';
import { discreteLaplaceSampler, sampleDiscreteLaplace, sampleMany } from '@tessera/dp';
import { discreteLaplacePmf, expectDistribution } from './distribution-check.js';

describe('discrete Laplace, P(x) ∝ exp(-|x|/t)', () => {
  test.each([
    [0.5, 0.5],
    [2, 2],
    [10, 10],
    ['7/3', 7 / 3],
  ] as const)('t = %s', (scale, t) => {
    const samples = sampleMany(discreteLaplaceSampler(scale, seededRandom(`laplace-${scale}`)), 100_000);
    expectDistribution(samples, discreteLaplacePmf(t), { centre: 0 });
  });

  test('one-shot helper and invalid scales', () => {
    const rng = seededRandom('laplace-misc');
    expect(Number.isInteger(sampleDiscreteLaplace(3, rng))).toBe(true);
    expect(() => discreteLaplaceSampler(0, rng)).toThrow(RangeError);
    expect(() => discreteLaplaceSampler(-1, rng)).toThrow(RangeError);
  });
});
