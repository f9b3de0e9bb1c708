import { describe, expect, it } from 'vitest';
import { measureSecAggRound } from '../src/secagg/round.js';

describe('secagg-round benchmark (bench workspace)', () => {
  it('measures a plain and a secure round with dropouts, the secure sum exact (checked inside, word for word)', () => {
    const r = measureSecAggRound(12, 64, 0.25, 'a');
    expect(r.participants).toBe(12);
    expect(r.dimension).toBe(64);
    expect(r.survivors).toBeLessThan(12);
    expect(r.survivors).toBeGreaterThanOrEqual(r.threshold);
    // Timing is not asserted (see npm run bench); only that every figure was measured.
    for (const v of [r.plainSeconds, r.secureSeconds, r.unmaskSeconds, r.maskingWordsPerSecond])
      expect(v).toBeGreaterThan(0);
    for (const v of Object.values(r.clientSecondsMean)) expect(v).toBeGreaterThan(0);
  });
});
