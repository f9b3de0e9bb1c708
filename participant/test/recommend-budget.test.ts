// A private recommend job: its plan and level are the node's own from the signed spec, and its releases are charged.
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { jobEpsilon } from '@tessera/fl';
import { parseRecommendSpec, recommendNoise, recommendUpdateLength } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { PrivacyGuard } from '../src/privacy/privacy-guard.js';
import { PrivacyLedger } from '../src/privacy/privacy-ledger.js';
import { authoriseTask } from '../src/privacy/spec-authorisation.js';
import { recommendInput, recommendStep } from './support/recommend-fixture.js';

const pb = tessera.v1;
const analyst = generateSigningKeyPair();
const ITEMS = Array.from({ length: 20 }, (_, i) => `sku-${i}`);
const PRIVACY = { mode: 'distributed', epsilon: 8, delta: 1e-6, clip: 0.05, maxCustomers: 1000 };
/** Private ALS needs lambda well above the noise on its normal equations (recommend-privacy.ts). */
const MODEL = { algorithm: 'als', k: 3, lambda: 3 };
const N = 4;
const ids = Array.from({ length: N }, (_, i) => `p${i}`);
const setup = (): tessera.v1.ISecureSetup => ({
  participantIds: ids,
  computation: pb.Stage.RECOMMEND,
  modulus: 2 ** 32,
  threshold: 3,
  degree: N - 1,
});

/** A private step as the coordinator sends it: the level and plan recommendNoise gives, then `change`d. */
function privateStep(
  name: string,
  round: number,
  change: { dpLevel?: number; noiseMultiplier?: number; privacy?: object } = {},
): tessera.v1.ITask {
  const input = recommendInput('orders', ITEMS, { name, model: MODEL, privacy: change.privacy ?? PRIVACY });
  const spec = parseRecommendSpec(input);
  const evaluate = round === spec.rounds + 1;
  const length = evaluate ? 3 + ITEMS.length : recommendUpdateLength('als', ITEMS.length, spec.model.k);
  // The noise of the private job (also for a spec without privacy: a coordinator announcing it anyway).
  const noise = recommendNoise(
    parseRecommendSpec(recommendInput('orders', ITEMS, { model: MODEL, privacy: PRIVACY })),
    N,
    length,
  )!;
  const { task } = recommendStep(input, analyst, setup(), {
    jobId: name,
    round,
    ...(evaluate ? { phase: 'evaluate' as const } : {}),
  });
  const phase = evaluate ? pb.RecommendTask.Phase.EVALUATE : pb.RecommendTask.Phase.TRAIN;
  return {
    ...task,
    recommend: { phase, round, dpLevel: change.dpLevel ?? noise.level },
    privacyPlan: {
      mode: pb.PrivacyPlan.Mode.DISTRIBUTED,
      unit: pb.PrivacyPlan.Unit.RECORD,
      noiseMultiplier: change.noiseMultiplier ?? noise.noiseMultiplier,
      sampleRate: 1,
      rounds: 0,
      fullReleases: noise.releases,
      epsilon: spec.privacy.epsilon,
      delta: spec.privacy.delta,
    },
  };
}

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
};

describe('a private recommend job at a node with a privacy budget', () => {
  it('checks the whole job at its first round, then charges each of its rounds + 1 releases', () => {
    const ledger = new PrivacyLedger(':memory:');
    const guard = new PrivacyGuard(ledger, { orders: { epsilon: 8.5, delta: 1e-6, unit: 'record' } });
    const noise = recommendNoise(
      parseRecommendSpec(recommendInput('orders', ITEMS, { model: MODEL, privacy: PRIVACY })),
      N,
      1,
    )!;
    expect(noise.releases).toBe(4);
    for (let round = 1; round <= 4; round++) {
      const task = privateStep('job-a', round);
      authoriseTask(task, pb.Stage.RECOMMEND);
      const { checked } = guard.admit(task, pb.Stage.RECOMMEND);
      // The node's own noise share and survivor floor come from the signed spec, whatever the task announces.
      expect(checked.floor?.minSurvivors).toBeGreaterThanOrEqual(2);
      expect(checked.floor?.shareVariance).toBeGreaterThan(0);
    }
    expect(ledger.charges('orders')).toHaveLength(4);
    // Four releases at the job's noise multiplier: the job's epsilon, at most the spec's 8.
    const spent = guard.report()[0]!.spentEpsilon;
    const whole = jobEpsilon(
      { noiseMultiplier: noise.noiseMultiplier, sampleRate: 1, rounds: 0, fullReleases: 4 },
      1e-6,
    );
    expect(spent).toBeCloseTo(whole, 9);
    expect(spent).toBeLessThanOrEqual(8 * (1 + 1e-6));
    // A second job does not fit what is left: refused at its first round, before anything is charged.
    const message = refusal(() => guard.admit(privateStep('job-b', 1), pb.Stage.RECOMMEND));
    expect(message).toMatch(/would be exceeded: spent 8\.\d+, this recommend job asks for 8\.\d+ \(4 releases\)/);
    expect(ledger.charges('orders')).toHaveLength(4);
  });

  it('refuses a job without privacy on the budgeted data set, before reading any data', () => {
    const guard = new PrivacyGuard(new PrivacyLedger(':memory:'), {
      orders: { epsilon: 8, delta: 1e-6, unit: 'record' },
    });
    const input = recommendInput('orders', ITEMS, { name: 'exact' });
    const { task } = recommendStep(input, analyst, setup(), { jobId: 'exact', round: 1 });
    expect(refusal(() => guard.admit(task, pb.Stage.RECOMMEND))).toMatch(
      /data set "orders" is protected by differential privacy, and recommend of a job without differential privacy/,
    );
  });

  it('refuses a dp_level or noise multiplier other than the node computes from the signed spec', () => {
    const honest = privateStep('job-c', 1);
    const level = Number(honest.recommend!.dpLevel);
    expect(refusal(() => authoriseTask(privateStep('job-c', 1, { dpLevel: level * 2 }), pb.Stage.RECOMMEND))).toMatch(
      new RegExp(`recommend\\.dpLevel \\(fixed-point level\\) \\(${level * 2}\\) differs .*\\(${level}\\)`),
    );
    const guard = new PrivacyGuard(new PrivacyLedger(':memory:'), {});
    const z = Number(honest.privacyPlan!.noiseMultiplier);
    expect(refusal(() => guard.admit(privateStep('job-c', 1, { noiseMultiplier: z / 2 }), pb.Stage.RECOMMEND))).toMatch(
      /noise multiplier .* below the .* the spec's epsilon 8 needs/,
    );
    // A plan announced for a job whose signed spec has no privacy is refused as well.
    const exact = privateStep('job-d', 1, { privacy: { mode: 'none' } });
    expect(refusal(() => guard.admit(exact, pb.Stage.RECOMMEND))).toMatch(/privacy plan \(distributed\) differs/);
  });
});
