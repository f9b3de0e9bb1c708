// What a product's view tells the analyst its valuation released and cost, job by job: the valuation's own
// epsilon, its noise, and for a private report valued by its row counts the factor the report's noise grew by.
import { describe, expect, it } from 'vitest';
import type { JobValuation } from '@tessera/payouts';
import { releaseOf } from '../src/sales/product-listing.js';
import type { JobRecord } from '../src/store/store.js';

const job = (id: string, spec: object): JobRecord => ({
  id,
  name: id,
  specJson: JSON.stringify(spec),
  status: 'completed',
  roundsCompleted: 1,
  roundsTotal: 1,
  createdAt: 0,
  updatedAt: 0,
  error: '',
  contextJson: '{}',
  owner: 'analyst',
});

const records = (v: Partial<JobValuation>): JobValuation => ({
  method: 'records',
  members: [{ participant: 'p-1', value: 10 }],
  epsilon: 0,
  delta: 1e-6,
  noiseStd: 12.5,
  note: 'released jointly with the query at epsilon 1',
  ...v,
});

const query = (sql: string, privacy: object) => ({
  kind: 'query',
  sql,
  bounds: { value: [0, 500] },
  domains: { region: ['north', 'south'] },
  privacy,
  valuation: 'records',
});

describe("a product's releases: what each job's valuation released and cost", () => {
  it("a private COUNT report: no epsilon of its own, the report's noise x sqrt(2), the count noise kept", () => {
    const spec = query('SELECT region, COUNT(*) FROM orders GROUP BY region', { mode: 'distributed', epsilon: 1 });
    expect(releaseOf(job('job-a', spec), records({}))).toEqual({
      job: 'job-a',
      method: 'records',
      epsilon: 0,
      delta: 1e-6,
      noiseStd: 12.5,
      note: 'released jointly with the query at epsilon 1',
      reportNoiseFactor: Math.SQRT2,
    });
  });

  it('a report of larger sensitivity grows less: sqrt(r^2 + 1) / r', () => {
    const spec = query('SELECT region, COUNT(*), SUM(value) FROM orders GROUP BY region', {
      mode: 'distributed',
      epsilon: 1,
    });
    const factor = releaseOf(job('job-b', spec), records({})).reportNoiseFactor!;
    expect(factor).toBeGreaterThan(1);
    expect(factor).toBeLessThan(Math.SQRT2);
  });

  it('an exact report, a DP training job and equal shares carry no report factor; their own epsilon is kept', () => {
    const exact = query('SELECT COUNT(*) FROM orders', { mode: 'none' });
    expect(releaseOf(job('job-c', exact), records({ noiseStd: 0, note: 'exact' }))).not.toHaveProperty(
      'reportNoiseFactor',
    );
    const train = releaseOf(
      job('job-d', { kind: 'train' }),
      records({ epsilon: 0.5, delta: 1e-5, noiseStd: 3.2, note: 'one VALUATION_COUNT sum' }),
    );
    expect(train).toMatchObject({ epsilon: 0.5, delta: 1e-5, noiseStd: 3.2 });
    expect(train).not.toHaveProperty('reportNoiseFactor');
    const equal = releaseOf(job('job-e', { kind: 'query', sql: 'not parsed' }), {
      ...records({ noiseStd: 0 }),
      method: 'equal',
      note: 'equal shares: releases nothing',
    });
    expect(equal).toMatchObject({ method: 'equal', epsilon: 0, noiseStd: 0 });
  });

  it('a spec this coordinator cannot parse any more: the release without the factor, not a failure', () => {
    const r = releaseOf(job('job-f', { kind: 'query', sql: 'SELEKT' }), records({}));
    expect(r).toMatchObject({ job: 'job-f', noiseStd: 12.5 });
    expect(r).not.toHaveProperty('reportNoiseFactor');
  });
});
