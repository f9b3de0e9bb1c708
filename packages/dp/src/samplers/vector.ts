import type { Random } from '@tessera/crypto';
import { discreteGaussianSampler } from './discrete-gaussian.js';
import type { RationalLike } from './rational.js';
import { skellamSampler } from './skellam.js';

const TWO_32 = 4294967296;

function checkModulus(modulus: number): void {
  if (!Number.isInteger(modulus) || modulus < 2 || modulus > TWO_32)
    throw new RangeError(`modulus must be an integer in [2, 2^32], got ${modulus}`);
}

/**
 * words[i] = (words[i] + noise()) mod modulus in place, with exact integer arithmetic; words must already be < modulus.
 */
export function addNoiseModulo(words: Uint32Array, noise: () => number, modulus: number): Uint32Array {
  checkModulus(modulus);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!; // i < words.length
    if (word >= modulus) throw new RangeError(`word ${i} = ${word} is not reduced modulo ${modulus}`);
    let shift = noise() % modulus; // exact: noise is an integer below 2^53
    if (shift < 0) shift += modulus;
    const sum = word + shift; // < 2^33, exact
    words[i] = sum >= modulus ? sum - modulus : sum;
  }
  return words;
}

/** Adds independent N_Z(0, sigma2) noise to every word modulo `modulus` (<= 2^32), in place; returns words. */
export function addDiscreteGaussianNoise(
  words: Uint32Array,
  sigma2: RationalLike,
  modulus: number,
  rng: Random,
): Uint32Array {
  return addNoiseModulo(words, discreteGaussianSampler(sigma2, rng), modulus);
}

/** Adds independent Skellam noise of variance mu to every word modulo `modulus` (<= 2^32), in place; returns words. */
export function addSkellamNoise(words: Uint32Array, mu: RationalLike, modulus: number, rng: Random): Uint32Array {
  return addNoiseModulo(words, skellamSampler(mu, rng), modulus);
}

/** The centred representative of a residue: x in (-modulus/2, modulus/2]. */
export function centredResidue(word: number, modulus: number): number {
  return word > modulus / 2 ? word - modulus : word;
}

/** n draws of an integer sampler; the values are integers (a Float64Array holds every integer below 2^53 exactly). */
export function sampleMany(sampler: () => number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = sampler();
  return out;
}
