import { describe, expect, it } from 'vitest';
import { measureSealedRound } from '../src/he/sealed-round.js';

describe('sealed-round benchmark (bench workspace)', () => {
  it('runs a masked and a sealed round on the same inputs; both sums are exact (checked word for word)', async () => {
    // d = 3000 < 4096 slots: one ciphertext per participant; drop 0.25 of 4: one participant drops, with
    // this seed after sending its shares and before its masked input (its pairwise masks are corrected).
    const r = await measureSealedRound({ participants: 4, dimension: 3000, drop: 0.25, seed: 'a' });
    expect(r.participants).toBe(4);
    expect(r.dimension).toBe(3000);
    expect(r.chunks).toBe(1);
    expect(r.plainModulus).toBe(4294828033);
    expect(r.survivors).toBe(3);
    expect(r.dropped).toBe(1);
    expect(r.survivors).toBeGreaterThanOrEqual(r.threshold);
    expect(r.noiseBudgetBits).toBeGreaterThan(0);
    expect(r.bytesPerValueMasked).toBe(4);
    expect(r.bytesPerValueSealed).toBeGreaterThan(4);
    // Timing is not asserted (see npm run bench); only that every figure was measured.
    for (const v of [
      r.maskedSeconds,
      r.sealedSeconds,
      r.sealedOverMasked,
      r.encryptSeconds,
      r.accumulateSeconds,
      r.decryptSeconds,
      r.correctionSeconds,
    ]) {
      expect(v).toBeGreaterThan(0);
    }
  });

  it('refuses sizes it cannot run', async () => {
    await expect(measureSealedRound({ participants: 1, dimension: 10 })).rejects.toThrow(/participants/);
    await expect(measureSealedRound({ participants: 4, dimension: 10, drop: 1 })).rejects.toThrow(/drop/);
  });
});
