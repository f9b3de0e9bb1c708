import type { Random } from '@tessera/crypto';

const TWO_32 = 4294967296;

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Binomial(n, 1/2), exactly: the number of ones among n uniform random bits (32 per word). Cost O(n/32). */
export function sampleBinomialHalf(n: number, rng: Random): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Binomial n must be a safe integer >= 0, got ${n}`);
  let count = 0;
  let rest = n;
  while (rest >= 32) {
    count += popcount32(rng.int(TWO_32));
    rest -= 32;
  }
  if (rest > 0) count += popcount32(rng.int(TWO_32) >>> (32 - rest)); // the top `rest` bits of a fresh word
  return count;
}
