import { beforeAll, describe, expect, it } from 'vitest';
import {
  BfvAccumulator,
  BfvDecryptor,
  BfvEncryptor,
  BfvKeyPair,
  bfvChunkCount,
  chooseBfvParameters,
  loadSeal,
  plainModulusOf,
  type BfvParameters,
} from '../src/index.js';
import { randomWords } from './helpers.js';

let params: BfvParameters;
let keys: BfvKeyPair;

beforeAll(async () => {
  await loadSeal();
  params = chooseBfvParameters({ participants: 100, bitsPerCoordinate: 16 });
  keys = BfvKeyPair.generate(params);
});

describe('BFV sealed aggregation', () => {
  it('encrypt -> add n ciphertexts -> subtract plaintext masks -> decrypt gives the exact sum mod p', () => {
    const p = plainModulusOf(params);
    const d = 2 * params.slots + 123; // three chunks, the last one partial
    const n = 6;
    const encryptor = new BfvEncryptor(params, keys.publicKey);
    const accumulator = new BfvAccumulator(params, bfvChunkCount(params, d));
    const decryptor = new BfvDecryptor(params, keys.secretKeyBytes());
    try {
      const expected = new Array<number>(d).fill(0);
      for (let j = 0; j < n; j++) {
        const words = randomWords(d, p);
        for (let i = 0; i < d; i++) expected[i] = (expected[i] + words[i]) % p;
        const chunks = encryptor.encrypt(words);
        expect(chunks).toHaveLength(3);
        if (j % 2 === 0) accumulator.addVector(chunks);
        else chunks.forEach((c, i) => accumulator.add(i, c));
      }
      for (let k = 0; k < 3; k++) {
        const mask = randomWords(d, p);
        for (let i = 0; i < d; i++) expected[i] = (expected[i] - mask[i] + p) % p;
        accumulator.subtractPlainVector(mask);
      }
      const sum = decryptor.decrypt(accumulator.result(), d);
      expect(Array.from(sum)).toEqual(expected);
      expect(accumulator.additions(2)).toBe(n);
      expect(decryptor.noiseBudget(accumulator.result()[0])).toBeGreaterThan(10);
    } finally {
      encryptor.dispose();
      accumulator.dispose();
      decryptor.dispose();
    }
  });
});
