import { describe, expect, it } from 'vitest';
import { gaussianDelta } from '@tessera/dp';
import { calibrateJobNoise, jobEpsilon } from '@tessera/fl';
import { JobSpecError, parseQuerySpec, queryNoiseCalibration, queryNoiseMultiplier } from '../src/index.js';

const base = { kind: 'query', sql: 'SELECT COUNT(*), SUM(value) FROM orders', bounds: { value: [0, 500] } };

function fieldOf(input: unknown): string {
  try {
    parseQuerySpec(input);
  } catch (e) {
    expect(e).toBeInstanceOf(JobSpecError);
    return (e as JobSpecError).field;
  }
  throw new Error('expected a JobSpecError');
}

describe('query spec: privacy.unit', () => {
  it('defaults to record, and a customer unit carries its column and cap (default 1) into the plan', () => {
    const record = parseQuerySpec({ ...base, privacy: { mode: 'distributed' } });
    expect(record.spec.privacy).toMatchObject({ unit: 'record' });
    expect(record.spec.privacy.userColumn).toBeUndefined();
    const customer = parseQuerySpec({
      ...base,
      privacy: { mode: 'distributed', unit: 'customer', userColumn: 'customer_id' },
    });
    expect(customer.spec.privacy).toMatchObject({ unit: 'customer', userColumn: 'customer_id', maxRowsPerUser: 1 });
    expect(customer.plan.unit).toEqual({ unit: 'customer', userColumn: 'customer_id', maxRowsPerUser: 1 });
    const four = parseQuerySpec({
      ...base,
      privacy: { mode: 'central', unit: 'customer', userColumn: 'customer_id', maxRowsPerUser: 4 },
    });
    expect(four.plan.sensitivity).toBeCloseTo(4 * record.plan.sensitivity, 12);
  });

  it('refuses contradictory or incomplete privacy fields, naming the field', () => {
    const cases: Array<[object, string]> = [
      [{ mode: 'distributed', userColumn: 'customer_id' }, 'privacy.userColumn'],
      [{ mode: 'distributed', unit: 'record', maxRowsPerUser: 2 }, 'privacy.maxRowsPerUser'],
      [{ mode: 'distributed', unit: 'customer' }, 'privacy.userColumn'],
      [{ mode: 'distributed', unit: 'customer', userColumn: '' }, 'privacy.userColumn'],
      [{ mode: 'distributed', unit: 'customer', userColumn: 'c', maxRowsPerUser: 0 }, 'privacy.maxRowsPerUser'],
      [{ mode: 'distributed', unit: 'customer', userColumn: 'c', maxRowsPerUser: 2.5 }, 'privacy.maxRowsPerUser'],
      [{ mode: 'none', unit: 'customer', userColumn: 'c' }, 'privacy.unit'],
      [{ mode: 'distributed', unit: 'participant' }, 'privacy.unit'],
      [{ mode: 'distributed', unit: 'household' }, 'privacy.unit'],
      [{ mode: 'distributed', userColumns: 'c' }, 'privacy.userColumns'],
    ];
    for (const [privacy, field] of cases) expect(fieldOf({ ...base, privacy }), JSON.stringify(privacy)).toBe(field);
    expect(() => parseQuerySpec({ ...base, privacy: { mode: 'distributed', userColumn: 'customer_id' } })).toThrow(
      /privacy\.unit is record.*set privacy\.unit to customer/,
    );
  });

  it('accepts its own privacy section again (record and customer, with and without DP)', () => {
    for (const privacy of [
      { mode: 'local', unit: 'customer', userColumn: 'customer_id', maxRowsPerUser: 3 },
      { mode: 'central' },
      { mode: 'none' },
    ]) {
      const once = parseQuerySpec({ ...base, privacy }).spec.privacy;
      expect(parseQuerySpec({ ...base, privacy: JSON.parse(JSON.stringify(once)) }).spec.privacy).toEqual(once);
    }
  });
});

describe('queryNoiseMultiplier: one release calibrated by the analytic Gaussian where it is smaller', () => {
  it(
    'is the analytic Gaussian sigma (exact delta at epsilon), ' +
      '6-14% below the RDP conversion for the usual parameters',
    () => {
      for (const epsilon of [0.1, 0.5, 1, 2, 4, 8]) {
        for (const delta of [1e-5, 1e-6, 1e-8]) {
          const c = queryNoiseCalibration({ epsilon, delta });
          const rdp = calibrateJobNoise({ epsilon, delta, sampleRate: 1, rounds: 0, fullReleases: 1 });
          expect(c.rdpNoiseMultiplier).toBe(rdp);
          expect(c.noiseMultiplier).toBe(Math.min(c.analyticNoiseMultiplier, rdp));
          expect(queryNoiseMultiplier({ epsilon, delta })).toBe(c.noiseMultiplier);
          // The guarantee: the Gaussian mechanism at this multiplier is (epsilon, delta)-DP, by its exact privacy
          // profile.
          expect(gaussianDelta(c.noiseMultiplier, epsilon, 1)).toBeLessThanOrEqual(delta);
          expect(c.method).toBe('analytic-gaussian');
          const saving = 1 - c.noiseMultiplier / rdp;
          expect(saving, `epsilon ${epsilon}, delta ${delta}: ${saving}`).toBeGreaterThan(0.03);
          expect(saving).toBeLessThan(0.2);
          // The ledgers' RDP view of the same release reads somewhat above epsilon (a true but looser bound).
          expect(
            jobEpsilon({ noiseMultiplier: c.noiseMultiplier, sampleRate: 1, rounds: 0, fullReleases: 1 }, delta),
          ).toBeGreaterThan(epsilon);
        }
      }
      const at1 = queryNoiseCalibration({ epsilon: 1, delta: 1e-6 });
      expect(1 - at1.noiseMultiplier / at1.rdpNoiseMultiplier).toBeGreaterThan(0.06);
      expect(1 - at1.noiseMultiplier / at1.rdpNoiseMultiplier).toBeLessThan(0.14);
    },
  );
});
