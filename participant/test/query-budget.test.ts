import { describe, expect, it } from 'vitest';
import { queryNoiseCalibration } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { PrivacyGuard } from '../src/privacy/privacy-guard.js';
import { PrivacyLedger } from '../src/privacy/privacy-ledger.js';

const pb = tessera.v1;

/** A private query task as an honest coordinator sends it (ADVERTISE_KEYS of its secure sum). */
function queryTask(jobId: string, epsilon: number, delta: number): tessera.v1.ITask {
  const spec = {
    kind: 'query',
    sql: 'SELECT COUNT(*) FROM patients',
    privacy: { mode: 'distributed', epsilon, delta },
  };
  const z = queryNoiseCalibration({ epsilon, delta }).noiseMultiplier;
  return {
    ref: { jobId, round: 1, stage: pb.Stage.ADVERTISE_KEYS, attempt: 1 },
    dataset: 'patients',
    specJson: JSON.stringify(spec),
    query: { sql: spec.sql, options: {}, dpLevel: 1000, maxRecords: 1_000_000 },
    privacyPlan: {
      mode: pb.PrivacyPlan.Mode.DISTRIBUTED,
      unit: pb.PrivacyPlan.Unit.RECORD,
      noiseMultiplier: z,
      sampleRate: 1,
      rounds: 0,
      fullReleases: 1,
      epsilon,
      delta,
    },
    secure: { participantIds: ['a', 'b', 'c'], computation: pb.Stage.QUERY, modulus: 2 ** 32, noiseVariance: 1e15 },
  };
}

/**
 * A single query's noise is calibrated to (epsilon, delta) by the analytic Gaussian, 5-12% less
 * noise than the RDP conversion needs. Its RDP curve, converted back, reads a little above epsilon;
 * the ledger also keeps the release's own (epsilon, delta), so a budget of exactly epsilon admits
 * the query it was sized for, and composes further releases by the tighter of the two bounds.
 */
describe('a participant charges a single query at the (epsilon, delta) it was calibrated to', () => {
  it('admits one epsilon-1 query on an epsilon-1 budget, refuses a second, and reports 1 spent', () => {
    const ledger = new PrivacyLedger(':memory:');
    const guard = new PrivacyGuard(ledger, { patients: { epsilon: 1, delta: 1e-6, unit: 'record' } });
    const calibration = queryNoiseCalibration({ epsilon: 1, delta: 1e-6 });
    expect(calibration.method).toBe('analytic-gaussian');
    // Its RDP curve alone converts to more than 1: charging by RDP only would refuse it.
    expect(guard.epsilonOf(guardRdp(guard, 'q1'), 1e-6)).toBeGreaterThan(1.05);
    const first = guard.admit(queryTask('q1', 1, 1e-6), pb.Stage.QUERY);
    expect(first.epsilon).toBeCloseTo(1, 12);
    expect(guard.report()[0].spentEpsilon).toBeCloseTo(1, 12);
    let message = '';
    try {
      guard.admit(queryTask('q2', 0.1, 1e-8), pb.Stage.QUERY);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/would be exceeded: spent 1\.000, this query asks for 0\.\d+, 1\.\d+ in all/);
    expect(ledger.charges('patients')).toHaveLength(1);
  });

  it("composes by the tighter of basic composition (while the deltas fit the budget's delta) and RDP", () => {
    const ledger = new PrivacyLedger(':memory:');
    const guard = new PrivacyGuard(ledger, { patients: { epsilon: 10, delta: 1e-6, unit: 'record' } });
    const rdpSpent = () => guard.epsilonOf(ledger.spentRdp('patients', ledger.charges('patients')[0].rdp.length), 1e-6);
    guard.admit(queryTask('q1', 0.5, 4e-7), pb.Stage.QUERY);
    guard.admit(queryTask('q2', 0.5, 4e-7), pb.Stage.QUERY);
    expect(guard.report()[0].spentEpsilon).toBeCloseTo(Math.min(1, rdpSpent()), 12);
    // A third at delta 4e-7 makes the deltas 1.2e-6 > 1e-6: only the RDP bound applies.
    guard.admit(queryTask('q3', 0.5, 4e-7), pb.Stage.QUERY);
    expect(guard.report()[0].spentEpsilon).toBeCloseTo(rdpSpent(), 12);
  });
});

/** The RDP curve a query task is charged, as the guard computes it. */
function guardRdp(guard: PrivacyGuard, jobId: string): number[] {
  return guard.requestOf(queryTask(jobId, 1, 1e-6), pb.Stage.QUERY).release!.rdp;
}
