import { describe, expect, it } from 'vitest';
import { JobSpecError, parseJobSpec, valuationCountNoise, valuationCountStd } from '../src/index.js';

const base = { dataset: 'customers', label: 'repurchase' };
const dp = (extra: object = {}) => ({ mode: 'distributed', unit: 'record', epsilon: 8, delta: 1e-5, ...extra });
const validation = { csv: 'a,repurchase\n1,yes\n2,no\n', source: 'v.csv' };
const refusal = (spec: object): JobSpecError => {
  try {
    parseJobSpec(spec);
  } catch (e) {
    return e as JobSpecError;
  }
  throw new Error('accepted');
};

describe('payouts of training jobs with differential privacy', () => {
  it('defaults to records at epsilon 0.5 under record-level DP, with no validation rows needed', () => {
    const spec = parseJobSpec({ ...base, privacy: dp(), payout: { pool: 100_000, currency: 'CNY' } });
    expect(spec.payout).toEqual({
      pool: 100_000,
      currency: 'CNY',
      valuation: 'records',
      metric: 'logLoss',
      epsilon: 0.5,
    });
    // The parsed spec parses to itself (the coordinator re-reads what it stored).
    expect(parseJobSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
    for (const mode of ['central', 'local']) {
      const s = parseJobSpec({ ...base, privacy: dp({ mode }), payout: { pool: 1, currency: 'EUR', epsilon: 2 } });
      expect(s.payout).toMatchObject({ valuation: 'records', epsilon: 2 });
    }
  });

  it('takes equal under any privacy, and a pool of 0 (valuation only, for products)', () => {
    const spec = parseJobSpec({ ...base, privacy: dp(), payout: { pool: 0, currency: 'CNY', valuation: 'equal' } });
    expect(spec.payout).toMatchObject({ pool: 0, valuation: 'equal' });
    expect(spec.payout!.epsilon).toBeUndefined();
    expect(parseJobSpec({ ...base, payout: { pool: 5, currency: 'CNY', valuation: 'equal' } }).payout!.valuation).toBe(
      'equal',
    );
    // Participant-level DP: a row count's sensitivity protects no participant, so the default is equal.
    const participant = parseJobSpec({
      ...base,
      privacy: dp({ unit: 'participant' }),
      payout: { pool: 5, currency: 'CNY' },
    });
    expect(participant.payout!.valuation).toBe('equal');
  });

  it('refuses the update-based methods under DP, naming payout.valuation and why', () => {
    for (const valuation of ['loo', 'shapley', 'tmc', 'gtg', 'auto']) {
      const e = refusal({ ...base, privacy: dp(), payout: { pool: 1, currency: 'CNY', valuation, validation } });
      expect(e).toBeInstanceOf(JobSpecError);
      expect(e.message).toMatch(/^job spec: payout\.valuation: /);
      expect(e.message).toContain(`${valuation} is refused under differential privacy (privacy.mode distributed)`);
      expect(e.message).toMatch(/per-round model updates, which differential privacy exists to hide/);
      expect(e.message).toMatch(/use records .* or equal/);
    }
    const e = refusal({
      ...base,
      privacy: dp({ unit: 'participant' }),
      payout: { pool: 1, currency: 'CNY', valuation: 'records' },
    });
    expect(e.message).toMatch(/^job spec: payout\.valuation: records .*privacy\.unit participant/);
  });

  it('checks payout.epsilon: above 0, at most 10, and only where counts are released', () => {
    for (const epsilon of [0, -1, 10.5, 'x', Number.NaN]) {
      expect(refusal({ ...base, privacy: dp(), payout: { pool: 1, currency: 'CNY', epsilon } }).message).toMatch(
        /^job spec: payout\.epsilon: must be a number above 0 and at most 10/,
      );
    }
    expect(
      parseJobSpec({ ...base, privacy: dp(), payout: { pool: 1, currency: 'CNY', epsilon: 10 } }).payout!.epsilon,
    ).toBe(10);
    expect(
      refusal({ ...base, payout: { pool: 1, currency: 'CNY', valuation: 'records', epsilon: 1 } }).message,
    ).toMatch(/^job spec: payout\.epsilon: .*releases none \(privacy\.mode none, valuation records\): remove it/);
    expect(
      refusal({ ...base, privacy: dp(), payout: { pool: 1, currency: 'CNY', valuation: 'equal', epsilon: 1 } }).message,
    ).toMatch(/^job spec: payout\.epsilon: /);
  });

  it('still needs validation rows for the utility methods without DP, and keeps sealed refused', () => {
    expect(refusal({ ...base, payout: { pool: 1, currency: 'CNY' } }).message).toMatch(
      /^job spec: payout\.validation: /,
    );
    expect(parseJobSpec({ ...base, payout: { pool: 1, currency: 'CNY', valuation: 'records' } }).payout).toEqual({
      pool: 1,
      currency: 'CNY',
      valuation: 'records',
      metric: 'logLoss',
    });
    expect(
      refusal({
        ...base,
        secure: { mode: 'sealed' },
        payout: { pool: 1, currency: 'CNY', valuation: 'records' },
      }).message,
    ).toMatch(/^job spec: payout: .*sealed/);
  });
});

describe('the noise of the VALUATION_COUNT release', () => {
  const spec = (mode: string, epsilon = 0.5) =>
    parseJobSpec({ ...base, privacy: dp({ mode }), payout: { pool: 1, currency: 'CNY', epsilon } });

  it('is z for (payout.epsilon, delta) at a row, shared among the survivors in distributed mode', () => {
    const n = spec('distributed');
    const noise = valuationCountNoise(n, 3);
    expect(noise).toMatchObject({ mode: 'distributed', epsilon: 0.5, delta: 1e-5, level: 1, minSurvivors: 2 });
    // The analytic Gaussian at epsilon 0.5, delta 1e-5 needs z of about 7.
    expect(noise.noiseMultiplier).toBeGreaterThan(6);
    expect(noise.noiseMultiplier).toBeLessThan(9);
    expect(noise.shareVariance * noise.minSurvivors).toBeGreaterThanOrEqual(noise.totalVariance);
    expect(valuationCountStd(noise, 3)).toBeGreaterThanOrEqual(noise.noiseMultiplier);
    // A smaller epsilon needs more noise.
    expect(valuationCountNoise(spec('distributed', 0.1), 3).noiseMultiplier).toBeGreaterThan(noise.noiseMultiplier * 4);
  });

  it('raises the level for a large cohort rather than give shares finer than the ring', () => {
    const many = valuationCountNoise(spec('distributed'), 400);
    expect(many.level).toBeGreaterThan(1);
    expect(many.shareVariance).toBeGreaterThanOrEqual(4);
    expect(valuationCountStd(many, 400)).toBeGreaterThanOrEqual(many.noiseMultiplier * 0.999);
  });

  it('adds it whole at the coordinator (central) or at every node (local)', () => {
    const central = valuationCountNoise(spec('central'), 5);
    expect(central.shareVariance).toBe(0);
    expect(valuationCountStd(central, 5)).toBeCloseTo(central.noiseMultiplier, 9);
    const local = valuationCountNoise(spec('local'), 5);
    expect(local.shareVariance).toBeGreaterThanOrEqual(local.totalVariance);
    expect(() => valuationCountNoise(spec('distributed'), 10_001)).toThrow(RangeError);
  });
});
