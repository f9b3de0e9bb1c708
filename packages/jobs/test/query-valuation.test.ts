import { describe, expect, it } from 'vitest';
import {
  JobSpecError,
  MAX_VALUATION_SLOTS,
  parseQuerySpec,
  SPEC_CAPS,
  valuationNoiseFactor,
  valuationPlan,
} from '../src/index.js';

const base = {
  kind: 'query',
  sql: 'SELECT region, COUNT(*), SUM(value) FROM orders GROUP BY region',
  bounds: { value: [0, 500] },
  domains: { region: ['north', 'south', 'east'] },
};

function refusal(input: unknown): JobSpecError {
  try {
    parseQuerySpec(input);
  } catch (e) {
    expect(e).toBeInstanceOf(JobSpecError);
    return e as JobSpecError;
  }
  throw new Error('expected a JobSpecError');
}

describe('query spec: valuation', () => {
  it('is absent unless asked for, and records parses back to itself', () => {
    expect(parseQuerySpec(base).spec.valuation).toBeUndefined();
    expect('valuation' in parseQuerySpec(base).spec).toBe(false);
    for (const privacy of [{ mode: 'none' }, { mode: 'distributed', epsilon: 1 }]) {
      const once = parseQuerySpec({ ...base, privacy, valuation: 'records' }).spec;
      expect(once.valuation).toBe('records');
      const again = parseQuerySpec({
        ...base,
        privacy: JSON.parse(JSON.stringify(once.privacy)),
        valuation: once.valuation,
      }).spec;
      expect(again).toEqual(once);
    }
  });

  it('refuses unknown values naming the field and the allowed one', () => {
    for (const v of ['equal', 'shapley', '', 1, true, null]) {
      const e = refusal({ ...base, valuation: v });
      expect(e.field).toBe('valuation');
      expect(e.message).toMatch(/must be records/);
    }
  });

  it('refuses records with secure.mode sealed, saying the coordinator would not see the counts', () => {
    const e = refusal({ ...base, secure: { mode: 'sealed' }, valuation: 'records' });
    expect(e.field).toBe('valuation');
    expect(e.message).toMatch(/sealed/);
    expect(e.message).toMatch(/coordinator would not see the row counts/);
    expect(parseQuerySpec({ ...base, secure: { mode: 'sealed' } }).spec.secure.mode).toBe('sealed');
  });
});

describe('valuationPlan: the report followed by every member counts per group', () => {
  it('lays the counts out after the report, scale 1, with sensitivity sqrt(r^2 + 1)', () => {
    const { plan } = parseQuerySpec({ ...base, privacy: { mode: 'distributed' } });
    const v = valuationPlan(plan, 5);
    expect(plan.groups.count).toBe(3);
    expect(v.countOffset).toBe(plan.length);
    expect(v.countGroups).toBe(3);
    expect(v.members).toBe(5);
    expect(v.length).toBe(plan.length + 15);
    expect(Array.from(v.scale.subarray(0, plan.length))).toEqual(Array.from(plan.scale));
    expect(Array.from(v.scale.subarray(plan.length))).toEqual(new Array(15).fill(1));
    // COUNT(*) and SUM(value): r = sqrt(2), one more coordinate per record: sqrt(3).
    expect(plan.recordSensitivity).toBeCloseTo(Math.SQRT2, 12);
    expect(v.recordSensitivity).toBeCloseTo(Math.sqrt(3), 12);
    expect(v.sensitivity).toBeCloseTo(Math.sqrt(3), 12);
    expect(valuationNoiseFactor(plan)).toBeCloseTo(Math.sqrt(3 / 2), 12);
    // The plan itself is unchanged.
    expect(plan.length).toBe(v.countOffset);
  });

  it('multiplies by maxRowsPerUser for unit customer, and has one group without GROUP BY', () => {
    const { plan } = parseQuerySpec({
      kind: 'query',
      sql: 'SELECT COUNT(*) FROM orders',
      privacy: { mode: 'central', unit: 'customer', userColumn: 'customer_id', maxRowsPerUser: 4 },
    });
    const v = valuationPlan(plan, 2);
    expect(v.countGroups).toBe(1);
    expect(v.length).toBe(plan.length + 2);
    expect(v.recordSensitivity).toBeCloseTo(Math.SQRT2, 12);
    expect(v.sensitivity).toBeCloseTo(4 * Math.SQRT2, 12);
  });

  it('refuses no members, more than the slot cap, and a vector over the length cap', () => {
    const { plan } = parseQuerySpec(base);
    for (const n of [0, -1, 1.5, MAX_VALUATION_SLOTS + 1]) {
      expect(() => valuationPlan(plan, n)).toThrow(JobSpecError);
    }
    const wide = parseQuerySpec({
      kind: 'query',
      sql: 'SELECT a, b, COUNT(*) FROM t GROUP BY a, b',
      domains: {
        a: Array.from({ length: 400 }, (_, i) => `a${i}`),
        b: Array.from({ length: 400 }, (_, i) => `b${i}`),
      },
    }).plan;
    expect(wide.length).toBeLessThan(SPEC_CAPS.queryVectorLength);
    expect(() => valuationPlan(wide, 10)).toThrow(/queryVectorLength cap/);
  });
});
