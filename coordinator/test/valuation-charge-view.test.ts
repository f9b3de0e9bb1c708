// A DP training job's valuation count is charged by its members at every attempt whose tasks went out (a node charges
// each release it computes, a failed attempt's too): the job's valuation and privacy view show what was charged.
import { describe, expect, it } from 'vitest';
import { parseJobSpec } from '@tessera/jobs';
import { chargedRelease } from '../src/jobs/kinds/train/valuation-count.js';
import { jobMessage } from '../src/service/job-view.js';
import { SqliteStore } from '../src/store/sqlite-store.js';

const spec = parseJobSpec({
  dataset: 'patients',
  label: 'benign',
  rounds: 2,
  minParticipants: 3,
  privacy: { mode: 'distributed', unit: 'record', epsilon: 8, delta: 1e-5 },
  payout: { pool: 0, currency: 'CNY', valuation: 'records', epsilon: 0.5 },
});

describe("a DP payout's valuation count shows the epsilon its members were charged", () => {
  it('composes the attempts that went out: k attempts at (epsilon, delta) are (k x epsilon, k x delta)', () => {
    const noise = { epsilon: 0.5, delta: 1e-5 };
    expect(chargedRelease(noise, 1)).toEqual({ epsilon: 0.5, delta: 1e-5 });
    const three = chargedRelease(noise, 3);
    expect(three.epsilon).toBe(1.5);
    expect(three.delta).toBeCloseTo(3e-5, 15);
    expect(chargedRelease(noise, 0)).toEqual({ epsilon: 0, delta: 0 });
  });

  it("shows in the job's privacy view the valuation's epsilon as charged, released or not", async () => {
    const store = new SqliteStore(':memory:');
    const job = (id: string, context: object) => ({
      id,
      name: id,
      specJson: JSON.stringify(spec),
      status: 'completed' as const,
      roundsCompleted: 2,
      roundsTotal: 2,
      createdAt: 0,
      updatedAt: 0,
      error: '',
      contextJson: JSON.stringify({ privacy: { noiseMultiplier: 1.2 }, ...context }),
    });
    const viewOf = async (context: object) =>
      JSON.parse((await jobMessage(store, job('j', context))).privacyJson) as { valuation?: object };
    // Released at the second attempt: both attempts were charged.
    const released = {
      valuation: { method: 'records', members: [], epsilon: 1, delta: 2e-5, noiseStd: 7, note: '' },
    };
    expect((await viewOf(released)).valuation).toEqual({ method: 'records', epsilon: 1, delta: 2e-5, released: true });
    // Not released after three attempts that went out: charged three times all the same.
    const failed = {
      payouts: { status: 'failed', reason: 'x', entries: [], valuationEpsilon: 1.5, valuationDelta: 3e-5 },
    };
    expect((await viewOf(failed)).valuation).toEqual({ method: 'records', epsilon: 1.5, delta: 3e-5, released: false });
    // Not run yet: what the spec will charge once.
    expect((await viewOf({})).valuation).toEqual({ method: 'records', epsilon: 0.5, delta: 1e-5, released: false });
    await store.close();
  });
});
