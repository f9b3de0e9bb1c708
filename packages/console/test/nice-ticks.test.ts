// Axis ticks end for any input: a metric that plateaus at values a unit in the last place apart once made the tick
// loop run forever (and the coordinator, which draws the console's charts, run out of memory).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { niceTicks } from '../src/report/svg.js';

describe('niceTicks', () => {
  it('gives a few ticks covering values one unit in the last place apart', () => {
    const t = niceTicks(0.5, 0.5000000000000001);
    expect(t.length).toBeGreaterThan(1);
    expect(t.length).toBeLessThan(12);
    expect(t[0]).toBeLessThanOrEqual(0.5);
    expect(t.at(-1)).toBeGreaterThanOrEqual(0.5000000000000001);
  });

  it('gives clean 1-2-5 steps for ordinary ranges', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-2, 7)).toEqual([-2, 0, 2, 4, 6, 8]);
    expect(niceTicks(3, 3)).toEqual([3, 3.2, 3.4, 3.6, 3.8, 4]);
    expect(niceTicks(Number.NaN, 1)).toEqual([]);
  });

  it('covers [min, max] with at most ~100 ticks, whatever the finite input', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 });
    fc.assert(
      fc.property(finite, finite, (a, b) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const t = niceTicks(min, max);
        expect(t.length).toBeGreaterThan(0);
        expect(t.length).toBeLessThanOrEqual(102);
        expect(t[0]).toBeLessThanOrEqual(min);
        if (max - min > Math.max(1e-9 * Math.max(Math.abs(min), Math.abs(max)), 1e-300))
          expect(t.at(-1)).toBeGreaterThanOrEqual(max);
      }),
      { numRuns: 2000 },
    );
  });
});
