import { calibrateJobNoise, type ShareSizing } from '@tessera/fl';
import {
  accountingSampleRate,
  encodedFeaturesOf,
  PRIVATE_STATISTICS_RELEASES,
  queryNoiseMultiplier,
  catalogueMultiplier,
  catalogueReleases,
  recommendReleases,
  scoreNoise,
} from '@tessera/jobs';
import type { CatalogueJobSpec, RecommendJobSpec } from '@tessera/jobs';
import type { PrivacyPlan } from './privacy-plan.js';
import type { TaskSpec } from './task-spec.js';

/**
 * The privacy of a job as this node derives it from the spec the analyst submitted (and signed),
 * never from the coordinator's announcement: the noise multiplier from its own calibration, the
 * sampling rate the accountant may use against the coordinator (1 in distributed and local modes),
 * and what sizes its own noise share.
 */
export interface OwnPlan extends PrivacyPlan {
  /** Record-level clip (unit record) or update clip (unit participant) the spec fixes. */
  clip: number;
  /** Unit participant with adaptive clipping: the clip moves each round, so it is not checked. */
  adaptiveClip?: { bitNoiseStd?: number };
  /** Survivor floor, dropout and collusion assumptions (distributed mode); n comes from the round. */
  sizing: Omit<ShareSizing, 'n'>;
  /** Training rounds the spec allows: FIT tasks beyond it are refused. */
  maxRound: number;
}

const calibrated = new Map<string, number>();

/** The spec's own plan, or undefined for a job without differential privacy (or of a kind with none). */
export function ownPlanOf(t: TaskSpec): OwnPlan | undefined {
  if (t.kind === 'train') {
    const s = t.spec,
      p = s.privacy;
    if (p.mode === 'none') return undefined;
    const sampleRate = accountingSampleRate(s);
    const key = JSON.stringify([p.epsilon, p.delta, sampleRate, s.rounds]);
    let z = calibrated.get(key);
    if (z === undefined) {
      z = calibrateJobNoise({
        epsilon: p.epsilon,
        delta: p.delta,
        sampleRate,
        rounds: s.rounds,
        fullReleases: PRIVATE_STATISTICS_RELEASES,
      });
      calibrated.set(key, z);
    }
    return {
      mode: p.mode,
      unit: p.unit,
      noiseMultiplier: z,
      sampleRate,
      rounds: s.rounds,
      fullReleases: PRIVATE_STATISTICS_RELEASES,
      epsilon: p.epsilon,
      delta: p.delta,
      clip: p.clip,
      maxRound: s.rounds,
      ...(p.adaptiveClip
        ? {
            adaptiveClip: {
              ...(p.adaptiveClip.bitNoiseStd !== undefined ? { bitNoiseStd: p.adaptiveClip.bitNoiseStd } : {}),
            },
          }
        : {}),
      sizing: {
        dropoutRate: s.secure.dropoutRate,
        corruptFraction: s.secure.corruptFraction,
        ...(p.survivorFloor !== undefined ? { survivorFloor: p.survivorFloor } : {}),
      },
    };
  }
  if (t.kind === 'query') {
    const p = t.spec.privacy;
    if (p.mode === 'none') return undefined;
    return {
      mode: p.mode,
      unit: 'record',
      noiseMultiplier: queryNoiseMultiplier(p),
      sampleRate: 1,
      rounds: 0,
      fullReleases: 1,
      epsilon: p.epsilon,
      delta: p.delta,
      clip: 0,
      maxRound: 1,
      sizing: { dropoutRate: t.spec.secure.dropoutRate, corruptFraction: t.spec.secure.corruptFraction },
    };
  }
  if (t.kind === 'score') {
    const p = t.spec.privacy;
    if (!p) return undefined;
    // One release of noised segment sums (score-privacy.ts), calibrated like a single query.
    return {
      mode: p.mode,
      unit: 'record',
      noiseMultiplier: scoreNoise(p, t.spec.minParticipants, encodedFeaturesOf(t.spec)).noiseMultiplier,
      sampleRate: 1,
      rounds: 0,
      fullReleases: 1,
      epsilon: p.epsilon,
      delta: p.delta,
      clip: p.clip,
      maxRound: 1,
      sizing: {
        dropoutRate: 0,
        corruptFraction: p.corruptFraction,
        survivorFloor: t.spec.minParticipants,
      },
    };
  }
  if (t.kind === 'recommend') return recommendPlan(t.spec);
  if (t.kind === 'catalogue') return cataloguePlan(t.spec);
  return undefined;
}

/**
 * Customer-level DP of a recommend job (recommend-privacy.ts): every round's item update and the evaluation are full
 * Gaussian releases (sample rate 1) of one noise multiplier, calibrated as recommendNoise calibrates it. A customer
 * is this node's unit record; the survivor floor comes with each round's cohort.
 */
function recommendPlan(s: RecommendJobSpec): OwnPlan | undefined {
  const p = s.privacy;
  if (p.mode === 'none') return undefined;
  const releases = recommendReleases(s);
  const key = JSON.stringify(['recommend', p.epsilon, p.delta, releases]);
  let z = calibrated.get(key);
  if (z === undefined) {
    z = calibrateJobNoise({ epsilon: p.epsilon, delta: p.delta, sampleRate: 1, rounds: 0, fullReleases: releases });
    calibrated.set(key, z);
  }
  return {
    mode: p.mode,
    unit: 'record',
    noiseMultiplier: z,
    sampleRate: 1,
    rounds: 0,
    fullReleases: releases,
    epsilon: p.epsilon,
    delta: p.delta,
    clip: p.clip,
    maxRound: releases,
    sizing: { dropoutRate: s.secure.dropoutRate, corruptFraction: s.secure.corruptFraction },
  };
}

/**
 * Customer-level DP of a catalogue job (catalogue-privacy.ts): up to maxLength + 1 rounds, each a full Gaussian
 * release (sample rate 1) of one noise multiplier. Its L2 bound is sqrt(maxItemsPerCustomer) votes, the clip.
 */
function cataloguePlan(s: CatalogueJobSpec): OwnPlan {
  const p = s.privacy;
  const releases = catalogueReleases(s);
  return {
    mode: p.mode,
    unit: 'record',
    noiseMultiplier: catalogueMultiplier(s).z,
    sampleRate: 1,
    rounds: 0,
    fullReleases: releases,
    epsilon: p.epsilon,
    delta: p.delta,
    clip: Math.sqrt(s.maxItemsPerCustomer),
    maxRound: releases,
    sizing: { dropoutRate: s.secure.dropoutRate, corruptFraction: s.secure.corruptFraction },
  };
}
