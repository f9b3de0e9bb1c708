import { beforeAll, describe, expect, it } from 'vitest';
import {
  BfvEncryptor,
  BfvKeyPair,
  bfvCiphertextMaxBytes,
  chooseBfvParameters,
  loadSeal,
  plainModulusOf,
} from '../src/index.js';
import { randomWords } from './helpers.js';

beforeAll(async () => {
  await loadSeal();
});

describe('bfvCiphertextMaxBytes: the size a receiver may refuse above', () => {
  it.each([
    { participants: 1, bitsPerCoordinate: 1 },
    { participants: 100, bitsPerCoordinate: 16 },
    { participants: 1000, bitsPerCoordinate: 20 },
  ])('bounds every fresh ciphertext, and stays within 2x of one (%o)', (request) => {
    const params = chooseBfvParameters(request);
    const keys = BfvKeyPair.generate(params);
    const encryptor = new BfvEncryptor(params, keys.publicKey);
    try {
      const max = bfvCiphertextMaxBytes(params);
      const words = randomWords(3 * params.polyModulusDegree, plainModulusOf(params));
      for (const c of encryptor.encrypt(words)) {
        expect(c.length).toBeLessThanOrEqual(max);
        expect(c.length).toBeGreaterThan(max / 2);
      }
      // A junk chunk of the size that once grew the coordinator by 8 MiB a message is far over the bound.
      expect(max).toBeLessThan(8 * 1024 * 1024);
    } finally {
      encryptor.dispose();
    }
  });
});
