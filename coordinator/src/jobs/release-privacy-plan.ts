// The privacy plan of a job whose every release is a full Gaussian release under customer-level DP (recommend,
// catalogue): announced with every task, recomputed by the participants from the signed spec.
import { privacyModes, privacyUnits, type tessera } from '@tessera/proto';

/** The plan for `privacy` (the spec's section) at the noise multiplier and release count of `noise`. */
export function releasePrivacyPlan(
  privacy: { mode: 'distributed'; epsilon: number; delta: number },
  noise: { noiseMultiplier: number; releases: number },
): tessera.v1.IPrivacyPlan {
  // A customer-level guarantee implies the record-level one at the same epsilon: the ledgers' unit is the record.
  return {
    mode: privacyModes.toProto(privacy.mode),
    unit: privacyUnits.toProto('record'),
    noiseMultiplier: noise.noiseMultiplier,
    sampleRate: 1,
    rounds: 0,
    fullReleases: noise.releases,
    epsilon: privacy.epsilon,
    delta: privacy.delta,
  };
}
