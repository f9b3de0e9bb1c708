import { describe, expect, it } from 'vitest';
import { honestAdvertise, honestReceiveShares, honestShareKeys, setup } from './harness.js';

const D = 1 << 16;
const BUCKETS = 256;

/** Pearson's chi-square statistic of the values' buckets against the uniform distribution (255 degrees of freedom). */
function chiSquare(values: Uint32Array, bucket: (v: number) => number): number {
  const counts = new Float64Array(BUCKETS);
  for (const v of values) counts[bucket(v)]++;
  const expected = values.length / BUCKETS;
  let chi = 0;
  for (const c of counts) chi += ((c - expected) * (c - expected)) / expected;
  return chi;
}

// For 255 degrees of freedom the statistic has mean 255 and standard deviation 22.6; P[chi2 > 400] and
// P[chi2 < 150] are both below 1e-9, so these bounds fail only for a visibly non-uniform vector.
const LOW = 150;
const HIGH = 400;

function maskedVectors(modulus: number, inputs: Uint32Array[]): Uint32Array[] {
  const s = setup({ n: 3, threshold: 2, dimension: D, modulus });
  const a = honestAdvertise(s);
  const shareKeys = a.server.close();
  const sharing = honestShareKeys(shareKeys, a.clients);
  const masking = honestReceiveShares(shareKeys.close(), sharing);
  return [0, 1, 2].map((i) => masking.get(i)!.mask(inputs[i]).message.y);
}

describe('a masked vector alone looks uniform', () => {
  for (const modulus of [2 ** 32, 2 ** 31 - 1]) {
    it(`all-zero and constant inputs, ${D} coordinates, modulus ${modulus === 2 ** 32 ? '2^32' : '2^31 - 1'}`, () => {
      const zeros = new Uint32Array(D);
      const constant = new Uint32Array(D).fill(Math.min(0xdeadbeef, modulus - 1));
      const ramp = Uint32Array.from({ length: D }, (_, i) => i);
      const ys = maskedVectors(modulus, [zeros, constant, ramp]);
      for (const y of ys) {
        const top = chiSquare(y, (v) => Math.floor((v * BUCKETS) / modulus));
        const low = chiSquare(y, (v) => v % BUCKETS);
        expect(top).toBeGreaterThan(LOW);
        expect(top).toBeLessThan(HIGH);
        expect(low).toBeGreaterThan(LOW);
        expect(low).toBeLessThan(HIGH);
        expect(y.every((v) => v < modulus)).toBe(true);
      }
      // The masked vectors of an all-zero and a constant input do not differ by the constant.
      let sameOffset = 0;
      for (let i = 0; i < D; i++) if ((ys[1][i] - ys[0][i] + modulus) % modulus === constant[0]) sameOffset++;
      expect(sameOffset).toBeLessThan(5);
    });
  }
});
