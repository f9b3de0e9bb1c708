import { beforeAll, describe, expect, it } from 'vitest';
import {
  CkksDecryptor,
  CkksEncryptor,
  CkksEvaluator,
  CkksKeyPair,
  defaultCkksParameters,
  HeError,
  loadSeal,
  validateCkksParameters,
  type CkksParameters,
} from '../src/index.js';
import { randomDoubles } from './helpers.js';

let params: CkksParameters;
let keys: CkksKeyPair;

beforeAll(async () => {
  await loadSeal();
  params = defaultCkksParameters();
  keys = CkksKeyPair.generate(params);
});

/** The sum of `records` feature vectors with entries uniform in [1, 100]. */
function featureSum(d: number, records: number): Float64Array {
  const s = new Float64Array(d);
  for (let r = 0; r < records; r += 1000) {
    const batch = randomDoubles(d * Math.min(1000, records - r), 1, 100);
    for (let i = 0; i < batch.length; i++) s[i % d] += batch[i];
  }
  return s;
}

describe('CKKS encrypted linear scoring', () => {
  it('sum over participants of <w, s_p> is within 1e-6 relative of the plaintext inner product', () => {
    const d = 300;
    const w = randomDoubles(d, -1, 1);
    const sums = [featureSum(d, 10_000), featureSum(d, 5_000), featureSum(d, 1)];
    const encryptor = new CkksEncryptor(params, keys.publicKey);
    const evaluator = new CkksEvaluator(params, keys.galoisKeys);
    const coordinator = new CkksEvaluator(params);
    const decryptor = new CkksDecryptor(params, keys.secretKeyBytes());
    try {
      const encW = encryptor.encrypt(w);
      const scores = sums.map((s) => evaluator.linearScore(encW, s));
      let total = scores[0];
      for (const s of scores.slice(1)) total = coordinator.add(total, s);
      let expected = 0;
      for (const s of sums) for (let i = 0; i < d; i++) expected += w[i] * s[i];
      const slots = decryptor.decrypt(total);
      expect(Math.abs(slots[0] - expected) / Math.abs(expected)).toBeLessThan(1e-6);
      // every slot holds the total (no partial sums left behind)
      expect(Math.abs(slots[params.slots - 1] - expected) / Math.abs(expected)).toBeLessThan(1e-6);
      // each participant's own score too
      const one = decryptor.decrypt(scores[0], 1)[0];
      let dot = 0;
      for (let i = 0; i < d; i++) dot += w[i] * sums[0][i];
      expect(Math.abs(one - dot) / Math.abs(dot)).toBeLessThan(1e-6);
    } finally {
      encryptor.dispose();
      evaluator.dispose();
      coordinator.dispose();
      decryptor.dispose();
    }
  });

  it('add, multiply by a plaintext vector, rescale and rotate-and-sum compose as the plaintext operations', () => {
    const encryptor = new CkksEncryptor(params, keys.publicKey);
    const evaluator = new CkksEvaluator(params, keys.galoisKeys);
    const decryptor = new CkksDecryptor(params, keys.secretKeyBytes());
    try {
      const a = randomDoubles(64, -10, 10);
      const b = randomDoubles(64, -10, 10);
      const m = randomDoubles(64, 0, 2);
      const sum = evaluator.add(encryptor.encrypt(a), encryptor.encrypt(b));
      const product = evaluator.rescale(evaluator.multiplyPlain(sum, m));
      const total = evaluator.rotateSum(product);
      const got = decryptor.decrypt(product, 64);
      let expectedTotal = 0;
      for (let i = 0; i < 64; i++) {
        expect(got[i]).toBeCloseTo((a[i] + b[i]) * m[i], 5);
        expectedTotal += (a[i] + b[i]) * m[i];
      }
      expect(decryptor.decrypt(total, 1)[0]).toBeCloseTo(expectedTotal, 4);
      // a product at scale 2^80 cannot be added to a fresh ciphertext at 2^40
      expect(() => evaluator.add(product, encryptor.encrypt(a))).toThrow(HeError);
    } finally {
      encryptor.dispose();
      evaluator.dispose();
      decryptor.dispose();
    }
  });

  it('refuses CKKS parameters below 128-bit security and the secret key stays out of JSON', () => {
    expect(() => validateCkksParameters({ ...params, coeffModulusBits: [60, 60, 60, 60] })).toThrow(
      /240 bits .* exceeds 218/,
    );
    expect(JSON.stringify(keys)).not.toContain(Buffer.from(keys.secretKeyBytes()).toString('base64').slice(0, 40));
    expect(String(keys)).toContain('secret key hidden');
  });
});
