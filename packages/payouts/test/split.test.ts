import { seededRandom } from '@tessera/crypto';
import { describe, expect, it } from 'vitest';
import { commonScale, PayoutInputError, splitPool, toDyadic } from '../src/index.js';

const scores = (...values: number[]) => values.map((value, i) => ({ participant: String.fromCharCode(97 + i), value }));

describe('splitPool', () => {
  it('splits 1001 three ways as 334, 334, 333: equal remainders go to the participant id that sorts first', () => {
    const s = splitPool(1001, 'CNY', scores(1, 1, 1));
    expect(s.entries.map((e) => e.amount)).toEqual([334, 334, 333]);
    expect(s.entries.map((e) => e.participant)).toEqual(['a', 'b', 'c']);
    // input order is kept; the tie-break is by id, not by position
    const reversed = splitPool(1001, 'CNY', [
      { participant: 'c', value: 1 },
      { participant: 'b', value: 1 },
      { participant: 'a', value: 1 },
    ]);
    expect(reversed.entries.map((e) => [e.participant, e.amount])).toEqual([
      ['c', 333],
      ['b', 334],
      ['a', 334],
    ]);
    expect(s.entries[0].share).toBeCloseTo(1 / 3, 15);
  });

  it('breaks equal remainders by the larger value first', () => {
    // quotas 2/3 · 3 = 2 and 1/3 · 3 = 1 leave no remainder; pool 4 with values 3 and 1: quotas 3 and 1, also exact.
    // pool 2 with values 3, 1, 1, 1 (sum 6): quotas 1, 1/3, 1/3, 1/3 -> 1 + one more unit to the first of b, c, d
    expect(splitPool(2, 'EUR', scores(3, 1, 1, 1)).entries.map((e) => e.amount)).toEqual([1, 1, 0, 0]);
    // pool 1, values 2 and 2 and 4 (quotas 1/4, 1/4, 1/2): the largest remainder wins
    expect(splitPool(1, 'EUR', scores(2, 2, 4)).entries.map((e) => e.amount)).toEqual([0, 0, 1]);
    // pool 3, values 1, 2, 3 (sum 6): quotas 0.5, 1, 1.5 -> floors 0, 1, 1, remainders 1/2 and 1/2: the larger value
    // (c) wins
    expect(splitPool(3, 'EUR', scores(1, 2, 3)).entries.map((e) => e.amount)).toEqual([0, 1, 2]);
  });

  it('gives zero and negative values nothing', () => {
    const s = splitPool(100, 'USD', scores(0, -5, 2, 1));
    expect(s.entries.map((e) => e.amount)).toEqual([0, 0, 67, 33]);
    expect(s.entries.map((e) => e.share)).toEqual([0, 0, 2 / 3, 1 / 3]);
    expect(s.entries[1].value).toBe(-5);
  });

  it('sums to the pool exactly for random pools and awkward values (property, 500 cases)', () => {
    const random = seededRandom('payouts/split');
    const awkward = [
      0,
      -1,
      5e-324,
      1e-300,
      1e-10,
      0.1,
      1,
      3,
      1e15,
      1e300,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      2 ** -1022,
    ];
    for (let k = 0; k < 500; k++) {
      const pool =
        k % 5 === 0
          ? Number.MAX_SAFE_INTEGER - random.int(1000)
          : k % 5 === 1
            ? random.int(10)
            : Math.floor(random.float() * Number.MAX_SAFE_INTEGER);
      const n = 1 + random.int(9);
      const values = Array.from({ length: n }, () =>
        random.int(3) === 0
          ? awkward[random.int(awkward.length)]
          : (random.float() - 0.2) * 10 ** (random.int(40) - 20),
      );
      if (!values.some((v) => v > 0)) values[0] = 1;
      const s = splitPool(pool, 'EUR', scores(...values));
      const at = `case ${k}: pool ${pool}, values ${values.join(', ')}`;
      expect(
        s.entries.reduce((a, e) => a + BigInt(e.amount), 0n),
        at,
      ).toBe(BigInt(pool));
      for (const e of s.entries) {
        expect(Number.isSafeInteger(e.amount) && e.amount >= 0, at).toBe(true);
        if (e.value <= 0) expect([e.amount, e.share], at).toEqual([0, 0]);
        expect(Math.abs(e.amount - pool * e.share), at).toBeLessThanOrEqual(1 + pool * 1e-12);
      }
      expect(
        s.entries.reduce((a, e) => a + e.share, 0),
        at,
      ).toBeCloseTo(1, 9);
    }
  });

  it('converts doubles to exact integers', () => {
    expect(toDyadic(0.5)).toEqual({ mantissa: 1n, exponent: -1 });
    expect(toDyadic(0)).toEqual({ mantissa: 0n, exponent: 0 });
    expect(toDyadic(0.1)).toEqual({ mantissa: 3602879701896397n, exponent: -55 });
    expect(toDyadic(5e-324)).toEqual({ mantissa: 1n, exponent: -1074 });
    expect(commonScale([0.5, 0.25, 3, 0])).toEqual([2n, 1n, 12n, 0n]);
    expect(commonScale([0.1, 0.2])[1]).toBe(commonScale([0.1, 0.2])[0] * 2n);
  });

  it('refuses bad input, naming the field and the value', () => {
    const bad: [() => unknown, string, RegExp][] = [
      [() => splitPool(-1, 'EUR', scores(1)), 'pool', /^pool must be a non-negative integer .*got -1$/],
      [() => splitPool(1.5, 'EUR', scores(1)), 'pool', /got 1\.5/],
      [() => splitPool(NaN, 'EUR', scores(1)), 'pool', /got NaN/],
      [() => splitPool(2 ** 53, 'EUR', scores(1)), 'pool', /got 9007199254740992/],
      [() => splitPool(10, 'eur', scores(1)), 'currency', /^currency must be a three-letter ISO 4217 code .*got "eur"/],
      [
        () => splitPool(10, 'EUR', [{ participant: 'a', value: 'x' as unknown as number }]),
        'value',
        /participant "a" must be a finite number, got x/,
      ],
      [() => splitPool(10, 'EUR', scores(Infinity)), 'value', /participant "a" .*got Infinity/],
      [
        () =>
          splitPool(10, 'EUR', [
            { participant: 'a', value: 1 },
            { participant: 'a', value: 2 },
          ]),
        'participant',
        /participant "a" is listed twice/,
      ],
      [() => splitPool(10, 'EUR', [{ participant: '', value: 1 }]), 'participant', /non-empty string/],
      [
        () => splitPool(10, 'EUR', scores(0, -1)),
        'values',
        /^values: no participant has a positive value; nothing can be split/,
      ],
      [() => splitPool(10, 'EUR', []), 'values', /at least one participant/],
    ];
    for (const [fn, field, message] of bad) {
      let caught: unknown;
      try {
        fn();
      } catch (e) {
        caught = e;
      }
      expect(caught, String(message)).toBeInstanceOf(PayoutInputError);
      expect((caught as PayoutInputError).field).toBe(field);
      expect((caught as Error).message).toMatch(message);
    }
  });
});
