import { describe, expect, it } from 'vitest';
import { tessera } from '@tessera/proto';
import { announcedUnitOf, announcesDp, privacyPlanOf } from '../src/privacy/privacy-plan.js';

const pb = tessera.v1;
const PLAN: tessera.v1.IPrivacyPlan = {
  mode: pb.PrivacyPlan.Mode.DISTRIBUTED,
  unit: pb.PrivacyPlan.Unit.PARTICIPANT,
  noiseMultiplier: 1.2,
  sampleRate: 0.5,
  rounds: 4,
  fullReleases: 2,
  epsilon: 3,
  delta: 1e-5,
};
/** As the participant receives it: encoded and decoded, so absent fields read as the generated code leaves them. */
const wire = (task: tessera.v1.ITask) => pb.Task.decode(pb.Task.encode(task).finish());

describe('the privacy plan a task announces', () => {
  it('reads a whole plan, and none when the task has no plan or no mode', () => {
    expect(privacyPlanOf(wire({ privacyPlan: PLAN }))).toEqual({
      mode: 'distributed',
      unit: 'participant',
      noiseMultiplier: 1.2,
      sampleRate: 0.5,
      rounds: 4,
      fullReleases: 2,
      epsilon: 3,
      delta: 1e-5,
    });
    expect(privacyPlanOf(wire({}))).toBeUndefined();
    expect(
      privacyPlanOf(wire({ privacyPlan: { ...PLAN, mode: pb.PrivacyPlan.Mode.MODE_UNSPECIFIED } })),
    ).toBeUndefined();
    expect(announcesDp(wire({ privacyPlan: PLAN }))).toBe(true);
    expect(announcesDp(wire({ privacyPlan: { ...PLAN, mode: 0 } }))).toBe(false);
  });

  it('refuses a plan with a field absent that has no default, or an unknown mode or unit', () => {
    for (const field of ['noiseMultiplier', 'sampleRate', 'rounds'] as const) {
      const { [field]: _, ...rest } = PLAN;
      expect(() => privacyPlanOf(wire({ privacyPlan: rest })), field).toThrow(/privacy plan is malformed/);
    }
    expect(() => privacyPlanOf(wire({ privacyPlan: { ...PLAN, unit: 0 } }))).toThrow(/malformed/);
    expect(() => privacyPlanOf(wire({ privacyPlan: { ...PLAN, mode: 7 as tessera.v1.PrivacyPlan.Mode } }))).toThrow(
      /malformed/,
    );
    // Absent full releases are none, as before: a plan of rounds only.
    const { fullReleases: _, ...roundsOnly } = PLAN;
    expect(privacyPlanOf(wire({ privacyPlan: roundsOnly }))?.fullReleases).toBe(0);
  });

  it("takes a record-level FIT round's unit from its RecordDp, else the plan's", () => {
    expect(announcedUnitOf(wire({ privacyPlan: PLAN }))).toBe('participant');
    expect(announcedUnitOf(wire({ privacyPlan: PLAN, training: { recordDp: { clip: 1 } } }))).toBe('record');
    expect(announcedUnitOf(wire({ training: {} }))).toBeUndefined();
  });
});
