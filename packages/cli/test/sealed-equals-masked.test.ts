import { beforeAll, describe, expect, it } from 'vitest';
import {
  BfvAccumulator,
  bfvChunkCount,
  BfvDecryptor,
  BfvEncryptor,
  BfvKeyPair,
  chooseBfvParameters,
  loadSeal,
  type BfvParameters,
} from '@tessera/he';
import { planDropouts, randomInputs, runRound, setup } from '../../secagg/test/harness.js';

/**
 * Sealed mode's aggregate, as the analyst decrypts it: the masked vectors encrypted, summed as ciphertexts, the
 * correction removed homomorphically.
 */
function decryptSealed(
  params: BfvParameters,
  keys: BfvKeyPair,
  masked: ReadonlyMap<number, Uint32Array>,
  correction: Uint32Array,
  dimension: number,
): Uint32Array {
  const encryptor = new BfvEncryptor(params, keys.publicKey);
  const accumulator = new BfvAccumulator(params, bfvChunkCount(params, dimension));
  const decryptor = new BfvDecryptor(params, keys.secretKeyBytes());
  try {
    for (const y of masked.values()) accumulator.addVector(encryptor.encrypt(y));
    accumulator.subtractPlainVector(correction);
    return decryptor.decrypt(accumulator.result(), dimension);
  } finally {
    encryptor.dispose();
    accumulator.dispose();
    decryptor.dispose();
  }
}

describe('sealed and masked modes decode to bit-identical sums on the same inputs (DP off)', () => {
  let params: BfvParameters;
  let keys: BfvKeyPair;
  beforeAll(async () => {
    await loadSeal();
    params = chooseBfvParameters({ participants: 10, bitsPerCoordinate: 20 });
    keys = BfvKeyPair.generate(params);
  });

  for (const rate of [0, 0.3]) {
    it(`n = 10, d = 5000 (two ciphertexts), ${rate * 100}% dropping, each at a random stage`, () => {
      const n = 10,
        dimension = 5000;
      const modulus = Number(params.plainModulus);
      const inputs = randomInputs(n, dimension, modulus, `same-${rate}`);
      const dropouts = planDropouts(n, rate, 'spread', `drops-${rate}`);
      const masked = runRound(setup({ n, threshold: 5, modulus, dimension }), { inputs, dropouts });
      const sealed = runRound(setup({ n, threshold: 5, modulus, dimension }), { inputs, dropouts, sealed: true });
      expect(sealed.survivors).toEqual(masked.survivors);
      const decrypted = decryptSealed(params, keys, sealed.sealed!.masked, sealed.sealed!.correction, dimension);
      expect(Buffer.from(decrypted.buffer).equals(Buffer.from(masked.sum.buffer))).toBe(true);
      expect(Buffer.from(masked.sum.buffer).equals(Buffer.from(masked.expected.buffer))).toBe(true);
      if (rate > 0) expect(masked.survivors.length).toBeLessThan(n);
    });
  }
});
