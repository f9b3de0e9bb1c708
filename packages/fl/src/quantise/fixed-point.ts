import type { Random } from '@tessera/ml';
import { checkModulus, fromRing, toRing } from './ring.js';
import { stochasticRound } from './stochastic-round.js';

/**
 * A real vector into the ring at `level` integer steps per unit, by unbiased stochastic rounding.
 * If one unit of contribution (a record or a participant) moves the vector by at most S in L2,
 * it moves the rounded vector by at most level x S + sqrt(length): the sensitivity noise is sized to.
 */
export function encodeFixedPoint(v: Float64Array, level: number, modulus: number, rng: Random): Uint32Array {
  checkModulus(modulus);
  const words = new Uint32Array(v.length);
  for (let i = 0; i < v.length; i++) words[i] = toRing(stochasticRound(v[i]! * level, rng), modulus); // i < v.length
  return words;
}

export function decodeFixedPoint(sum: Uint32Array, level: number, modulus: number): Float64Array {
  const out = new Float64Array(sum.length);
  for (let i = 0; i < sum.length; i++) out[i] = fromRing(sum[i]!, modulus) / level; // i < sum.length
  return out;
}

export const fixedPointSensitivity = (level: number, unitNorm: number, length: number) =>
  level * unitNorm + Math.sqrt(length);
