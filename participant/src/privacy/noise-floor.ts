import { effectiveNoiseMultiplier } from '@tessera/dp';
import {
  boundedMomentsLength,
  MAGNITUDE_BUCKETS,
  boundedMomentsSensitivity,
  fixedPointSensitivity,
  noiseShareVariance,
  releaseSensitivity,
  survivorFloor,
  type ShareSizing,
} from '@tessera/fl';
import { tessera } from '@tessera/proto';
import type { QueryPlan } from '@tessera/analytics';
import { JobSpecError, valuationPlan } from '@tessera/jobs';
import type { OwnPlan } from './own-plan.js';
import { catalogueNoiseOf } from './catalogue-check.js';
import { recommendNoiseOf } from './recommend-check.js';
import { valuationCountFloor } from './valuation-count-check.js';
import { PrivacyRefusal, type TaskSpec } from './task-spec.js';

const pb = tessera.v1;

/**
 * The noise this node must add to one release, computed here from its own plan (the signed spec)
 * and the release's public shape, never taken from the coordinator's word: the standard deviation
 * z·Δ on the sum, with Δ this node computes for the encoding it uses, and its share of it.
 */
export interface NoiseFloor {
  /** The integer variance this node adds at least (0 in central mode). */
  shareVariance: number;
  /** Distributed mode: the survivors an unmask request must name before this node helps release. */
  minSurvivors: number;
}

/**
 * The noise floor of a secure-aggregation task under this node's own plan, from the task alone
 * (before any row is read), or throws PrivacyRefusal when it cannot be computed or when the task
 * announces less noise than the floor.
 */
export function noiseFloorOf(task: tessera.v1.ITask, own: OwnPlan, spec: TaskSpec | undefined): NoiseFloor {
  const setup = task.secure!;
  // A recommend release's share and survivor floor are recommend-privacy.ts's; this node adds its own share itself.
  if (setup.computation === pb.Stage.RECOMMEND) {
    if (spec?.kind !== 'recommend') throw new PrivacyRefusal("a recommend task needs the recommend job's spec");
    const noise = recommendNoiseOf(task, spec.spec)!;
    return { shareVariance: noise.shareVariance, minSurvivors: noise.minSurvivors };
  }
  // A valuation count's share and floor are its own (payout.epsilon): valuation-count-check.ts.
  if (setup.computation === pb.Stage.VALUATION_COUNT) return valuationCountFloor(task);
  if (setup.computation === pb.Stage.CATALOGUE) {
    if (spec?.kind !== 'catalogue') throw new PrivacyRefusal("a catalogue task needs the catalogue job's spec");
    const noise = catalogueNoiseOf(task, spec.spec);
    return { shareVariance: noise.shareVariance, minSurvivors: noise.minSurvivors };
  }
  const n = (setup.participantIds ?? []).length;
  const sizing: ShareSizing = { n, ...own.sizing };
  const sigma = own.noiseMultiplier * sensitivityOf(task, own, spec, n);
  let shareVariance: number;
  try {
    shareVariance = noiseShareVariance(own.mode, sigma * sigma, sizing);
  } catch (e) {
    throw new PrivacyRefusal(`this round cannot carry the job's noise: ${(e as Error).message}`);
  }
  const announced = Number(setup.noiseVariance ?? 0);
  if (own.mode !== 'central' && !(announced >= shareVariance * (1 - 1e-9) - 1)) {
    throw new PrivacyRefusal(
      `the task asks this node to add noise of variance ${announced}, below the ${shareVariance} its own plan needs ` +
        `(${own.mode}, epsilon ${own.epsilon}, ` +
        `noise multiplier ${own.noiseMultiplier.toFixed(4)}, ${n} participants); refused before reading any data`,
    );
  }
  return { shareVariance, minSurvivors: own.mode === 'distributed' ? survivorFloor(sizing) : 0 };
}

/** Δ of the release a task computes, in its quantised units (the same bound the coordinator calibrates to). */
function sensitivityOf(task: tessera.v1.ITask, own: OwnPlan, spec: TaskSpec | undefined, n: number): number {
  const setup = task.secure!;
  const level = (what: string, value: number | null | undefined) => {
    const v = Number(value ?? undefined);
    if (!(Number.isInteger(v) && v >= 1))
      throw new PrivacyRefusal(`the task's ${what} ${String(value ?? undefined)} is not a positive integer`);
    return v;
  };
  switch (setup.computation) {
    case pb.Stage.FIT:
      if (own.unit === 'record') {
        const l = level('record level', task.training?.recordDp?.level);
        // The count coordinate is weighted at the level (addClippedRecord), as the coordinator calibrates.
        return releaseSensitivity({
          kind: 'record-fit',
          level: l,
          gradientLength: Number(task.modelLength ?? 0),
          countWeight: l,
        });
      }
      {
        const bits = Number(setup.bits);
        if (!(Number.isInteger(bits) && bits >= 2 && bits <= 31))
          throw new PrivacyRefusal(`the task's secure.bits ${setup.bits} is outside 2..31`);
        const updateLevel = 2 ** (bits - 1) - 1;
        // Adaptive clipping spends part of the budget on the clip indicator: the update's own noise multiplier is
        // larger.
        const z = own.noiseMultiplier;
        const ratio = own.adaptiveClip
          ? effectiveNoiseMultiplier(z, own.adaptiveClip.bitNoiseStd ?? Math.max(n / 20, z)) / z
          : 1;
        return (
          ratio *
          releaseSensitivity({ kind: 'participant-fit', level: updateLevel, length: Number(task.modelLength ?? 0) })
        );
      }
    case pb.Stage.STATISTICS: {
      const d = (task.features ?? []).reduce(
        (k, f) => k + (f.kind === pb.ColumnProfile.Kind.CATEGORICAL ? (f.categories ?? []).length : 1),
        0,
      );
      const magnitudes = task.statistics?.part === pb.StatisticsRelease.Part.MAGNITUDES;
      const unitNorm = magnitudes ? Math.sqrt(d) : boundedMomentsSensitivity(d);
      const unit = own.unit === 'participant' ? 'participant' : 'record';
      // Two records' vectors differ by at most replaceNorm (magnitudeNorms, boundedMomentsNorms): what the coordinator
      // calibrates to.
      const replaceNorm = magnitudes ? Math.sqrt(2 * d) : 2 * Math.sqrt(d);
      return releaseSensitivity({
        kind: 'statistics',
        unit,
        level: level('statistics level', task.statistics?.level),
        unitNorm,
        replaceNorm,
        length: magnitudes ? d * MAGNITUDE_BUCKETS : boundedMomentsLength(d),
      });
    }
    case pb.Stage.QUERY: {
      if (spec?.kind !== 'query') throw new PrivacyRefusal("a query task needs the query job's spec");
      // With valuation slots, the joint release of the report and the members' counts (query-valuation.ts).
      const slots = (task.query?.valuationSlots ?? []).length;
      const plan = slots > 0 ? valuationPlanOf(spec.plan, slots) : spec.plan;
      return fixedPointSensitivity(level('query level', task.query?.dpLevel), plan.sensitivity, plan.length);
    }
    default:
      throw new PrivacyRefusal(`stage ${setup.computation} has no private release`);
  }
}

/** The joint plan of a query with `slots` members' counts, or a PrivacyRefusal when no such plan can be. */
function valuationPlanOf(plan: QueryPlan, slots: number): QueryPlan {
  try {
    return valuationPlan(plan, slots);
  } catch (e) {
    if (e instanceof JobSpecError) throw new PrivacyRefusal(`the task's valuation slots: ${e.message}`);
    throw e;
  }
}
