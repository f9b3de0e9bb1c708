import { beforeAll, describe, expect, it } from 'vitest';
import {
  BfvAccumulator,
  BfvDecryptor,
  BfvEncryptor,
  BfvKeyPair,
  chooseBfvParameters,
  CkksDecryptor,
  CkksEncryptor,
  CkksEvaluator,
  CkksKeyPair,
  defaultCkksParameters,
  loadSeal,
  plainModulusOf,
  wasmHeapBytes,
} from '../src/index.js';
import { randomDoubles, randomWords } from './helpers.js';

/** Allowed growth of the wasm heap over the measured (post-warm-up) operations. */
const MAX_GROWTH = 1 << 20;

beforeAll(async () => {
  await loadSeal();
});

describe('wasm heap', () => {
  it('is the SEAL module memory, measured exactly', () => {
    const bytes = wasmHeapBytes();
    expect(bytes).toBeGreaterThan(0);
    expect(bytes % 65536).toBe(0); // whole wasm pages: the captured Memory, not the process estimate
  });

  it('does not grow in 1200 BFV operations after warm-up (encrypt, add, subtract, result, decrypt, key churn)', () => {
    const params = chooseBfvParameters({ participants: 1000, bitsPerCoordinate: 16 });
    const p = plainModulusOf(params);
    const keys = BfvKeyPair.generate(params);
    const encryptor = new BfvEncryptor(params, keys.publicKey);
    const accumulator = new BfvAccumulator(params, 1);
    const decryptor = new BfvDecryptor(params, keys.secretKeyBytes());
    const words = randomWords(params.slots, p);
    const mask = randomWords(params.slots, p);
    let iterations = 0;
    const iterate = () => {
      const [chunk] = encryptor.encrypt(words);
      accumulator.add(0, chunk);
      accumulator.subtractPlain(0, mask);
      decryptor.decrypt(accumulator.result(), params.slots);
      expect(() => accumulator.add(0, chunk.subarray(1))).toThrow(); // refused input frees its temporaries too
      iterations++;
    };
    try {
      for (let i = 0; i < 100; i++) iterate();
      // short-lived role objects are freed as well
      for (let i = 0; i < 5; i++) new BfvEncryptor(params, keys.publicKey).dispose();
      const before = wasmHeapBytes();
      for (let i = 0; i < 240; i++) iterate(); // 5 operations each
      for (let i = 0; i < 5; i++) new BfvEncryptor(params, keys.publicKey).dispose();
      const growth = wasmHeapBytes() - before;
      expect(growth).toBeLessThan(MAX_GROWTH);
      const sum = decryptor.decrypt(accumulator.result(), 3);
      for (let i = 0; i < 3; i++) {
        const expected =
          Number(
            ((BigInt(words[i]) * BigInt(iterations) - BigInt(mask[i]) * BigInt(iterations)) % BigInt(p)) + BigInt(p),
          ) % p;
        expect(sum[i]).toBe(expected);
      }
    } finally {
      encryptor.dispose();
      accumulator.dispose();
      decryptor.dispose();
    }
  });

  it('does not grow over CKKS scoring after warm-up', () => {
    const params = defaultCkksParameters();
    const keys = CkksKeyPair.generate(params);
    const encryptor = new CkksEncryptor(params, keys.publicKey);
    const evaluator = new CkksEvaluator(params, keys.galoisKeys);
    const decryptor = new CkksDecryptor(params, keys.secretKeyBytes());
    const w = randomDoubles(100, -1, 1);
    const s = randomDoubles(100, 0, 1000);
    const iterate = () => {
      const score = evaluator.linearScore(encryptor.encrypt(w), s);
      decryptor.decrypt(evaluator.add(score, score), 1);
    };
    try {
      for (let i = 0; i < 10; i++) iterate();
      const before = wasmHeapBytes();
      for (let i = 0; i < 30; i++) iterate();
      expect(wasmHeapBytes() - before).toBeLessThan(MAX_GROWTH);
    } finally {
      encryptor.dispose();
      evaluator.dispose();
      decryptor.dispose();
    }
  });
});
