// The one mapping between the enums of the typed task configuration (task-config.proto) and the words the job
// spec, the ledger and the PSI protocol use, so the coordinator and the participant cannot disagree on them.
import { tessera } from './gen/tessera.js';

const pb = tessera.v1;

/** Both directions of one enum: a name to its wire value, and a wire value (unknown or unspecified: none) back. */
export interface EnumMapping<N extends string, V extends number> {
  toProto(name: N): V;
  fromProto(value: number | null | undefined): N | undefined;
}

function mapping<N extends string, V extends number>(table: Readonly<Record<N, V>>): EnumMapping<N, V> {
  const names = new Map<number, N>((Object.entries(table) as [N, V][]).map(([name, value]) => [value, name]));
  return {
    toProto: (name) => table[name],
    fromProto: (value) => (value === null || value === undefined ? undefined : names.get(value)),
  };
}

export const privacyModes = mapping({
  distributed: pb.PrivacyPlan.Mode.DISTRIBUTED,
  central: pb.PrivacyPlan.Mode.CENTRAL,
  local: pb.PrivacyPlan.Mode.LOCAL,
});

export const privacyUnits = mapping({
  record: pb.PrivacyPlan.Unit.RECORD,
  participant: pb.PrivacyPlan.Unit.PARTICIPANT,
});

export const statisticsParts = mapping({
  magnitudes: pb.StatisticsRelease.Part.MAGNITUDES,
  moments: pb.StatisticsRelease.Part.MOMENTS,
});

export const psiRoles = mapping({
  initiator: pb.OverlapTask.Role.INITIATOR,
  responder: pb.OverlapTask.Role.RESPONDER,
});
