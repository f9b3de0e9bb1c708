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
    // The ConsistencyCheck's cost, on both sides, and the signatures a participant checked before unmasking.
    const c = r.consistency;
    for (const v of [c.serverSeconds, c.participantSeconds, c.criticalPathSeconds]) expect(v).toBeGreaterThan(0);
    expect(c.totalSeconds).toBeCloseTo(c.serverSeconds + c.participantSeconds, 12);
    expect(c.shareOfSecure).toBeLessThan(1);
    expect(c.signaturesChecked).toBeGreaterThanOrEqual(r.threshold - 1);
  });
});
