import { describe, expect, it } from 'vitest';
import {
  PayoutInputError,
  productMembers,
  splitRefund,
  splitSale,
  type JobValuation,
  type ProductJob,
} from '../src/index.js';

const valuation = (method: string, members: [string, number, number[]?][]): JobValuation => ({
  method,
  members: members.map(([participant, value, groups]) => ({ participant, value, ...(groups ? { groups } : {}) })),
  epsilon: 0,
  delta: null,
  noiseStd: 0,
  note: '',
});

const report: ProductJob = {
  job: 'job-q',
  valuation: valuation('records', [
    ['node-c', 30, [10, 20]],
    ['node-a', 60, [60, 0]],
    ['node-b', -4, [-4, 0]],
  ]),
};
const model: ProductJob = {
  job: 'job-t',
  valuation: valuation('shapley', [
    ['node-a', 1],
    ['node-d', 3],
  ]),
};

describe('productMembers', () => {
  it("averages each job's shares of positive values, sorted by participant", () => {
    const members = productMembers([report, model], 'job');
    expect(members.map((m) => m.participant)).toEqual(['node-a', 'node-b', 'node-c', 'node-d']);
    // report: a 60/90, c 30/90, b 0; model: a 1/4, d 3/4; mean over the two jobs
    expect(members.map((m) => m.value)).toEqual([(60 / 90 + 1 / 4) / 2, 0, 30 / 90 / 2, 3 / 4 / 2]);
    expect(members.reduce((a, m) => a + m.share, 0)).toBeCloseTo(1, 15);
    expect(members[0]!.jobs).toEqual([
      { job: 'job-q', method: 'records', value: 60, groups: [60, 0] },
      { job: 'job-t', method: 'shapley', value: 1 },
    ]);
    expect(members[1]).toMatchObject({ value: 0, share: 0, jobs: [{ job: 'job-q', value: -4 }] });
  });

  it('gives every contributor 1 per job under equal', () => {
    const members = productMembers([report, model], 'equal');
    expect(members.map((m) => [m.participant, m.value])).toEqual([
      ['node-a', (1 / 3 + 1 / 2) / 2],
      ['node-b', 1 / 3 / 2],
      ['node-c', 1 / 3 / 2],
      ['node-d', 1 / 2 / 2],
    ]);
    expect(members[0]!.jobs).toEqual([
      { job: 'job-q', method: 'equal', value: 1 },
      { job: 'job-t', method: 'equal', value: 1 },
    ]);
  });

  it('names the job without a positive value, a member listed twice, and a non-finite value', () => {
    const dead: ProductJob = {
      job: 'job-z',
      valuation: valuation('records', [
        ['node-a', 0],
        ['node-b', -1],
      ]),
    };
    expect(() => productMembers([report, dead], 'job')).toThrow(PayoutInputError);
    expect(() => productMembers([report, dead], 'job')).toThrow(/^jobs: job job-z has no member with a positive/);
    // Under equal the same job splits fine.
    expect(productMembers([dead], 'equal').map((m) => m.share)).toEqual([0.5, 0.5]);
    const empty: ProductJob = { job: 'job-e', valuation: valuation('records', []) };
    expect(() => productMembers([empty], 'equal')).toThrow(/job job-e has no member/);
    const twice: ProductJob = {
      job: 'job-2',
      valuation: valuation('records', [
        ['n', 1],
        ['n', 2],
      ]),
    };
    expect(() => productMembers([twice], 'job')).toThrow('jobs: job job-2: participant n is listed twice');
    const nan: ProductJob = { job: 'job-n', valuation: valuation('records', [['n', Number.NaN]]) };
    expect(() => productMembers([nan], 'job')).toThrow(/job job-n: the value of participant n must be a finite/);
    expect(() => productMembers([], 'job')).toThrow(/^jobs must list at least one job/);
  });
});

describe('splitSale', () => {
  const members = productMembers([report, model], 'job');

  it('splits the whole price exactly among the consenting members, refusing ones left out before', () => {
    const all = splitSale(1001, 'EUR', members, new Set());
    expect(all.entries.map((e) => e.participant)).toEqual(['node-a', 'node-c', 'node-d']);
    expect(all.entries.reduce((a, e) => a + e.amount, 0)).toBe(1001);
    const without = splitSale(1001, 'EUR', members, new Set(['node-a']));
    expect(without.entries.map((e) => [e.participant, e.amount])).toEqual([
      // c: 1/6, d: 3/8 of the values: 4/13 and 9/13 of 1001 = 308 and 693
      ['node-c', 308],
      ['node-d', 693],
    ]);
  });

  it('refuses a sale nobody consents to, and a bad amount, naming the field', () => {
    const everyone = new Set(members.map((m) => m.participant));
    expect(() => splitSale(1001, 'EUR', members, everyone)).toThrow(/^members: none of the product's 4 members/);
    expect(() => splitSale(1001, 'EUR', members, everyone)).toThrow(/4 refused/);
    for (const bad of [0, -5, 1.5, Number.NaN, 2 ** 53])
      expect(() => splitSale(bad, 'EUR', members, new Set())).toThrow(/^amount must be a positive integer/);
    expect(() => splitSale(10, 'eur', members, new Set())).toThrow(/^currency must be a three-letter/);
  });

  it('is exact for prime prices and values near 2^53', () => {
    const big = [
      { participant: 'p', value: 2 ** 53 - 1 },
      { participant: 'q', value: 2 ** 52 + 1 },
      { participant: 'r', value: 7 },
    ];
    for (const price of [2, 7919, 1_000_003, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 2]) {
      const s = splitSale(price, 'USD', big, new Set(['r']));
      const total = s.entries.reduce((a, e) => a + BigInt(e.amount), 0n);
      expect(total).toBe(BigInt(price));
      // each amount is within one unit of its exact quota price * v / sum
      const sum = BigInt(2 ** 53 - 1) + BigInt(2 ** 52 + 1);
      for (const e of s.entries) {
        const quota = (BigInt(price) * BigInt(e.value)) / sum;
        expect(BigInt(e.amount) - quota >= 0n && BigInt(e.amount) - quota <= 1n).toBe(true);
      }
    }
  });
});

describe('splitRefund', () => {
  it('splits a refund by what each member still holds, never above it', () => {
    const r = splitRefund(100, 'EUR', [
      { participant: 'a', remaining: 667 },
      { participant: 'b', remaining: 334 },
    ]);
    expect(r.entries.map((e) => [e.participant, e.amount])).toEqual([
      ['a', 67],
      ['b', 33],
    ]);
    // A full refund returns exactly what each holds.
    const full = splitRefund(1001, 'EUR', [
      { participant: 'a', remaining: 667 },
      { participant: 'b', remaining: 334 },
      { participant: 'c', remaining: 0 },
    ]);
    expect(full.entries.map((e) => e.amount)).toEqual([667, 334, 0]);
  });

  it('never gives back more than a member holds, for many small holdings (exhaustive)', () => {
    for (let x = 0; x <= 6; x++)
      for (let y = 0; y <= 6; y++)
        for (let z = 1; z <= 6; z++) {
          const remaining = [
            { participant: 'x', remaining: x },
            { participant: 'y', remaining: y },
            { participant: 'z', remaining: z },
          ];
          for (let amount = 1; amount <= x + y + z; amount++) {
            const s = splitRefund(amount, 'EUR', remaining);
            expect(s.entries.reduce((a, e) => a + e.amount, 0)).toBe(amount);
            s.entries.forEach((e, i) => expect(e.amount).toBeLessThanOrEqual(remaining[i]!.remaining));
          }
        }
  });

  it('refuses a refund above what is held, zero, negative or fractional, on field amount', () => {
    const held = [
      { participant: 'a', remaining: 2 ** 53 - 1 },
      { participant: 'b', remaining: 5 },
    ];
    // The sum held is above 2^53: compared exactly.
    expect(splitRefund(Number.MAX_SAFE_INTEGER, 'EUR', held).entries.reduce((a, e) => a + e.amount, 0)).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    expect(() => splitRefund(1002, 'EUR', [{ participant: 'a', remaining: 1001 }])).toThrow(
      "amount 1002 is more than the sale's members still hold of it (1001 EUR minor units",
    );
    for (const bad of [0, -1, 0.5]) {
      let error: unknown;
      try {
        splitRefund(bad, 'EUR', held);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PayoutInputError);
      expect((error as PayoutInputError).field).toBe('amount');
    }
    expect(() => splitRefund(1, 'EUR', [{ participant: 'a', remaining: -3 }])).toThrow(
      /^remaining of participant a must be a non-negative integer/,
    );
  });
});
