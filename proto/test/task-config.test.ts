import { describe, expect, it } from 'vitest';
import {
  declaredQueryFromProto,
  declaredQueryToProto,
  fromStrategyConfig,
  privacyModes,
  privacyUnits,
  psiRoles,
  statisticsParts,
  tessera,
  toStrategyConfig,
} from '@tessera/proto';

const pb = tessera.v1;
const roundTrip = (task: tessera.v1.ITask) => pb.Task.decode(pb.Task.encode(task).finish());

describe('the typed task configuration on the wire', () => {
  it('maps each enum both ways, and an unspecified or unknown value to none', () => {
    expect(privacyModes.toProto('central')).toBe(pb.PrivacyPlan.Mode.CENTRAL);
    expect(privacyModes.fromProto(pb.PrivacyPlan.Mode.LOCAL)).toBe('local');
    expect(privacyUnits.fromProto(pb.PrivacyPlan.Unit.PARTICIPANT)).toBe('participant');
    expect(statisticsParts.fromProto(statisticsParts.toProto('moments'))).toBe('moments');
    expect(psiRoles.fromProto(psiRoles.toProto('responder'))).toBe('responder');
    for (const m of [privacyModes, privacyUnits, statisticsParts, psiRoles]) {
      expect(m.fromProto(0)).toBeUndefined();
      expect(m.fromProto(99)).toBeUndefined();
      expect(m.fromProto(null)).toBeUndefined();
    }
  });

  it('keeps an optional field that is zero apart from one that is absent', () => {
    const t = roundTrip({ training: { validationFraction: 0, recordDp: { clip: 1 } }, privacyPlan: { rounds: 0 } });
    expect(t.training?.validationFraction).toBe(0);
    expect(t.training?.seed ?? undefined).toBeUndefined();
    expect(t.training?.recordDp?.clip).toBe(1);
    expect(t.training?.recordDp?.level ?? undefined).toBeUndefined();
    expect(t.privacyPlan?.rounds).toBe(0);
    expect(t.privacyPlan?.noiseMultiplier ?? undefined).toBeUndefined();
    expect(t.statistics ?? undefined).toBeUndefined();
  });

  it("carries a strategy's config dict as numbers, text and flags", () => {
    const config = { round: 3, note: 'warm start', proximal: true };
    const t = roundTrip({ training: { strategyConfig: toStrategyConfig(config) } });
    expect(fromStrategyConfig(t.training?.strategyConfig)).toEqual(config);
  });

  it('carries a declared query, options and unit, and reads back what was declared', () => {
    const declared = {
      sql: 'SELECT region, HISTOGRAM(amount) FROM orders GROUP BY region',
      options: {
        bounds: { amount: [0, 500] as [number, number] },
        domains: { region: ['eu', 'us'] },
        bins: { amount: [0, 10, 100, 500] },
        minCount: 5,
        topK: { maxLength: 8, threshold: 2.5 },
      },
      unit: { unit: 'customer' as const, userColumn: 'customer_id', maxRowsPerUser: 3 },
    };
    const t = roundTrip({ query: { ...declaredQueryToProto(declared), dpLevel: 4096 } });
    expect(declaredQueryFromProto(t.query)).toEqual(declared);
    expect(t.query?.dpLevel).toBe(4096);
    const plain = { sql: 'SELECT COUNT(*) FROM orders', options: { bounds: {}, domains: {} } };
    expect(declaredQueryFromProto(roundTrip({ query: declaredQueryToProto(plain) }).query)).toEqual(plain);
    expect(declaredQueryFromProto(roundTrip({ query: { dpLevel: 1 } }).query)).toBeUndefined();
  });
});
