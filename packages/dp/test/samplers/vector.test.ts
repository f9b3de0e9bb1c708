import { describe, expect, test } from 'vitest';
import { seededRandom } from '@tessera/crypto';
import { addDiscreteGaussianNoise, addNoiseModulo, addSkellamNoise, centredResidue } from '@tessera/dp';
import { discreteGaussianPmf, expectDistribution, skellamPmf } from './distribution-check.js';

function decodedNoise(before: Uint32Array, after: Uint32Array, modulus: number): Float64Array {
  const out = new Float64Array(before.length);
  for (let i = 0; i < before.length; i++) out[i] = centredResidue((after[i] - before[i] + modulus) % modulus, modulus);
  return out;
}

function randomWords(n: number, modulus: number, seed: string): Uint32Array {
  const rng = seededRandom(seed);
  const words = new Uint32Array(n);
  for (let i = 0; i < n; i++) words[i] = rng.int(modulus);
  return words;
}

describe('noise vectors modulo m decode (centred) to the noise distribution', () => {
  test.each([2 ** 32, 2 ** 16 + 1])('discrete Gaussian sigma^2 = 25 mod %i', (modulus) => {
    const before = randomWords(80_000, modulus, `words-${modulus}`);
    const after = addDiscreteGaussianNoise(before.slice(), 25, modulus, seededRandom(`vector-gaussian-${modulus}`));
    for (const w of after) if (w >= modulus) throw new Error('word out of range');
    expectDistribution(decodedNoise(before, after, modulus), discreteGaussianPmf(25), { centre: 0 });
  });

  test('Skellam mu = 10 mod 2^32, including wrap-around at 0 and 2^32 - 1', () => {
    const modulus = 2 ** 32;
    const before = randomWords(80_000, modulus, 'words-skellam');
    for (let i = 0; i < 1000; i++) before[i] = i % 2 === 0 ? 0 : modulus - 1;
    const after = addSkellamNoise(before.slice(), 10, modulus, seededRandom('vector-skellam'));
    expectDistribution(decodedNoise(before, after, modulus), skellamPmf(10), { centre: 0 });
  });

  test('large noise wraps several times around a small modulus', () => {
    const words = new Uint32Array([0, 5, 6]);
    const noise = [-15, 7 * 3 + 2, -1];
    let i = 0;
    addNoiseModulo(words, () => noise[i++], 7);
    expect(Array.from(words)).toEqual([6, 0, 5]);
    expect(() => addNoiseModulo(new Uint32Array(1), () => 0, 2 ** 32 + 1)).toThrow(RangeError);
  });
});
