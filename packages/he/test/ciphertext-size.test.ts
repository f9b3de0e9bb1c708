import { beforeAll, describe, expect, it } from 'vitest';
import {
  BfvEncryptor,
  BfvKeyPair,
  chooseBfvParameters,
  ciphertextMaxBytes,
  loadSeal,
  plainModulusOf,
  ScoringAnalyst,
  ScoringParticipant,
} from '../src/index.js';
import { randomDoubles, randomWords } from './helpers.js';

beforeAll(async () => {
  await loadSeal();
});

describe('ciphertextMaxBytes: the size a receiver may refuse above', () => {
  it.each([
    { participants: 1, bitsPerCoordinate: 1 },
    { participants: 100, bitsPerCoordinate: 16 },
    { participants: 1000, bitsPerCoordinate: 20 },
  ])('bounds every fresh BFV ciphertext, and stays within 2x of one (%o)', (request) => {
    const params = chooseBfvParameters(request);
    const keys = BfvKeyPair.generate(params);
    const encryptor = new BfvEncryptor(params, keys.publicKey);
    try {
      const max = ciphertextMaxBytes(params);
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

  it("bounds a participant's encrypted scores (CKKS: a fresh count, a score after a multiplication)", () => {
    const d = 12;
    const analyst = ScoringAnalyst.create({
      weights: [...randomDoubles(d + 1, -1, 1)],
      standardisation: { mean: [...randomDoubles(d, 0, 10)], std: [...randomDoubles(d, 1, 5)] },
    });
    const participant = new ScoringParticipant(analyst.request);
    try {
      const max = ciphertextMaxBytes(analyst.request.params);
      const { score, count } = participant.scoreSegment(randomDoubles(d, 0, 1000), 300);
      expect(count.length).toBeLessThanOrEqual(max);
      expect(score.length).toBeLessThanOrEqual(max);
      expect(count.length).toBeGreaterThan(max / 2);
    } finally {
      participant.dispose();
    }
  });
});
