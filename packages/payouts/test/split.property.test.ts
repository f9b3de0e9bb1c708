import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { commonScale, splitPool } from '../src/index.js';

// Property-based tests of the exact pool split (largest-remainder rounding in exact rational arithmetic).
// Seeds are fixed, so every run sees the same cases.

/** Any finite value a valuation could produce: integers, fractions, tiny and huge doubles, zero and negatives. */
const value = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: 1e-300, max: 1e300, noNaN: true, noDefaultInfinity: true }),
);

const pool = fc.oneof(
  fc.integer({ min: 0, max: 10_000 }),
  fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER),
  fc.maxSafeNat(),
);

/** Distinct participant ids with their values; at least one value is positive (otherwise nothing can be split). */
const scores = fc
  .uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 })
  .chain((ids) =>
    fc
      .array(value, { minLength: ids.length, maxLength: ids.length })
      .map((vs) => ids.map((participant, i) => ({ participant, value: vs[i]! }))),
  )
  .filter((s) => s.some((e) => e.value > 0));

const RUNS = { numRuns: 400 };

describe('splitPool properties (fast-check)', () => {
  it('pays out exactly the pool in non-negative integers, nothing to values <= 0, input order kept', () => {
    fc.assert(
      fc.property(pool, scores, (p, s) => {
        const split = splitPool(p, 'EUR', s);
        expect(split.entries.map((e) => e.participant)).toEqual(s.map((e) => e.participant));
        let total = 0n;
        split.entries.forEach((e, i) => {
          expect(Number.isSafeInteger(e.amount) && e.amount >= 0).toBe(true);
          if (s[i]!.value <= 0) expect(e.amount).toBe(0);
          total += BigInt(e.amount);
        });
        expect(total).toBe(BigInt(p));
      }),
      { seed: 42, ...RUNS },
    );
  });

  it('is monotone in value: a larger value never gets less, equal values differ by at most one unit', () => {
    fc.assert(
      fc.property(pool, scores, (p, s) => {
        const amounts = splitPool(p, 'EUR', s).entries.map((e) => e.amount);
        for (let a = 0; a < s.length; a++) {
          for (let b = 0; b < s.length; b++) {
            const va = Math.max(0, s[a]!.value),
              vb = Math.max(0, s[b]!.value);
            if (va > vb) expect(amounts[a]!).toBeGreaterThanOrEqual(amounts[b]!);
            if (va === vb) expect(Math.abs(amounts[a]! - amounts[b]!)).toBeLessThanOrEqual(1);
          }
        }
      }),
      { seed: 43, ...RUNS },
    );
  });

  it('never pays a participant less when only its own value rises', () => {
    fc.assert(
      fc.property(
        pool,
        scores,
        fc.nat(),
        fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 1e-9, max: 1e6, noNaN: true })),
        (p, s, pick, rise) => {
          const i = pick % s.length;
          const raised = s.map((e, k) => (k === i ? { ...e, value: e.value + rise } : e));
          fc.pre(raised[i]!.value > s[i]!.value); // a rise below the double's precision is no rise
          expect(splitPool(p, 'EUR', raised).entries[i]!.amount).toBeGreaterThanOrEqual(
            splitPool(p, 'EUR', s).entries[i]!.amount,
          );
        },
      ),
      { seed: 47, ...RUNS },
    );
  });

  it('is not monotone in the pool (largest-remainder rounding has the Alabama paradox): a documented example', () => {
    // Found by fast-check: with values 8, 3, 12, 0, 3 a pool of 5 pays p4 one unit and a pool of 6 pays it none.
    const s = [8, 3, 12, 0, 3].map((value, k) => ({ participant: `p${k}`, value }));
    expect(splitPool(5, 'EUR', s).entries.map((e) => e.amount)).toEqual([1, 1, 2, 0, 1]);
    expect(splitPool(6, 'EUR', s).entries.map((e) => e.amount)).toEqual([2, 1, 3, 0, 0]);
  });

  it('gives each participant the floor or the ceiling of its exact quota pool * v / sum(v)', () => {
    fc.assert(
      fc.property(pool, scores, (p, s) => {
        const amounts = splitPool(p, 'EUR', s).entries.map((e) => BigInt(e.amount));
        // Exact integers proportional to the positive parts (every double is dyadic).
        const exact = commonScale(s.map((e) => Math.max(0, e.value)));
        const total = exact.reduce((x, y) => x + y, 0n);
        exact.forEach((v, i) => {
          const floor = (BigInt(p) * v) / total;
          const exactQuota = (BigInt(p) * v) % total === 0n;
          expect(amounts[i]! >= floor && amounts[i]! <= floor + (exactQuota ? 0n : 1n)).toBe(true);
        });
      }),
      { seed: 44, ...RUNS },
    );
  });

  it('does not depend on the order of the input: each participant gets the same amount', () => {
    fc.assert(
      fc.property(
        pool,
        scores.chain((s) =>
          fc.tuple(fc.constant(s), fc.shuffledSubarray(s, { minLength: s.length, maxLength: s.length })),
        ),
        (p, [s, shuffled]) => {
          const byId = (entries: { participant: string; amount: number }[]) =>
            new Map(entries.map((e) => [e.participant, e.amount]));
          expect(byId(splitPool(p, 'EUR', shuffled).entries)).toEqual(byId(splitPool(p, 'EUR', s).entries));
        },
      ),
      { seed: 45, ...RUNS },
    );
  });

  it('depends only on the ratios of the values: scaling every value by a positive integer changes nothing', () => {
    const intScores = fc
      .uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 })
      .chain((ids) =>
        fc
          .array(fc.integer({ min: -100, max: 1_000_000 }), { minLength: ids.length, maxLength: ids.length })
          .map((vs) => ids.map((participant, i) => ({ participant, value: vs[i]! }))),
      )
      .filter((s) => s.some((e) => e.value > 0));
    fc.assert(
      fc.property(pool, intScores, fc.integer({ min: 2, max: 1_000_000 }), (p, s, k) => {
        const amounts = splitPool(p, 'EUR', s).entries.map((e) => e.amount);
        expect(
          splitPool(
            p,
            'EUR',
            s.map((e) => ({ ...e, value: e.value * k })),
          ).entries.map((e) => e.amount),
        ).toEqual(amounts);
      }),
      { seed: 46, ...RUNS },
    );
  });
});
