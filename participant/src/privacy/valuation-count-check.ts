// A VALUATION_COUNT task against the analyst-signed training spec: the payout asks for records under differential
// privacy, the slots name this node once, the node trained in the job, and the noise is the one it computes itself.
import { jobRdp } from '@tessera/fl';
import {
  JobSpecError,
  VALUATION_COUNT_MAX_SLOTS,
  valuationCountNoise,
  type JobSpec,
  type ValuationCountNoise,
} from '@tessera/jobs';
import type { tessera } from '@tessera/proto';
import type { PrivacyLedger } from './privacy-ledger.js';
import { PrivacyRefusal, taskSpecOf } from './task-spec.js';

/** Times this node releases one job's counts: the first attempt and the coordinator's retries, each charged. */
export const VALUATION_COUNT_RELEASES = 3;

const refuse = (why: string) =>
  new PrivacyRefusal(`privacy check: valuation count: ${why}; refused before reading any data`);

/** Whether a training spec asks for a count release after its last round: `payout.valuation: records` under DP. */
function asksForValuationCount(spec: JobSpec): boolean {
  return spec.privacy.mode !== 'none' && spec.payout?.valuation === 'records' && spec.payout.epsilon !== undefined;
}

/** The analyst-signed training spec of a VALUATION_COUNT task, whose payout asks for records under DP. */
export function valuationCountSpecOf(task: tessera.v1.ITask): JobSpec {
  const parsed = taskSpecOf(task);
  if (!parsed) throw refuse("the task carries no job spec (it must carry the analyst-signed training job's)");
  if (parsed.kind !== 'train') throw refuse(`the task's spec is a ${parsed.kind} job, not a training job`);
  if (!parsed.signed || !parsed.analyst) throw refuse("the training job's spec carries no analyst signature");
  const spec = parsed.spec;
  if (!asksForValuationCount(spec))
    throw refuse(
      `the signed spec asks for no noisy count release (privacy.mode ${spec.privacy.mode}, ` +
        `payout.valuation ${spec.payout?.valuation ?? 'none'})`,
    );
  return spec;
}

/** The noise of the task's count sum as this node computes it from the signed spec and the slots. */
export function valuationCountNoiseOf(task: tessera.v1.ITask, spec: JobSpec): ValuationCountNoise {
  const n = (task.valuationCount?.slots ?? []).length;
  try {
    return valuationCountNoise(spec, n);
  } catch (e) {
    if (e instanceof JobSpecError || e instanceof RangeError)
      throw refuse(`${n} slots cannot carry the payout's noise (${e.message})`);
    throw e;
  }
}

/**
 * The task's shape against the signed spec and this node (`self`): the round after the last training round; slots
 * that name this node exactly once, no one twice, at most VALUATION_COUNT_MAX_SLOTS, the secure round's cohort in that
 * order; the fixed-point level and (distributed, local) noise share this node computes; returns the node's slot.
 */
export function checkValuationCount(task: tessera.v1.ITask, spec: JobSpec, self: string): number {
  const slots = task.valuationCount?.slots ?? [];
  const round = Number(task.ref?.round ?? 0);
  if (round !== spec.rounds + 1)
    throw refuse(`the task's round ${round} is not the one after the job's ${spec.rounds} training rounds`);
  if (slots.length > VALUATION_COUNT_MAX_SLOTS)
    throw refuse(`the task has ${slots.length} slots, more than ${VALUATION_COUNT_MAX_SLOTS}`);
  if (new Set(slots).size !== slots.length) throw refuse('the slots name a participant more than once');
  const own = slots.indexOf(self);
  if (own < 0) throw refuse(`the slots do not name this node (${self})`);
  const cohort = task.secure?.participantIds ?? [];
  if (!task.secure) throw refuse("outside secure aggregation the coordinator would see this node's own count");
  if (cohort.length !== slots.length || cohort.some((id, i) => id !== slots[i]))
    throw refuse("the secure round's participants are not the slots, in order");
  const noise = valuationCountNoiseOf(task, spec);
  const level = Number(task.valuationCount?.dpLevel ?? 0);
  if (level !== noise.level) throw refuse(`the task's dp_level ${level} is not the ${noise.level} the spec gives`);
  const announced = Number(task.secure.noiseVariance ?? 0);
  if (noise.mode !== 'central' && Math.abs(announced - noise.shareVariance) > 1)
    throw refuse(
      `the task announces noise of variance ${announced} per share, not the ${noise.shareVariance} this node ` +
        `computes (${noise.mode}, epsilon ${noise.epsilon} at delta ${noise.delta}, ${slots.length} slots)`,
    );
  return own;
}

/** A job's counts are released here at most VALUATION_COUNT_RELEASES times (counted by the ledger's charges). */
export function checkValuationCountReleases(ledger: PrivacyLedger, task: tessera.v1.ITask, spec: JobSpec): void {
  const jobId = task.ref?.jobId ?? '';
  const released = ledger
    .charges(task.dataset ?? '')
    .filter((c) => c.jobId === jobId && c.round === spec.rounds + 1).length;
  if (released >= VALUATION_COUNT_RELEASES)
    throw refuse(
      `job ${JSON.stringify(jobId)}'s counts were already released here ${released} times (at most ` +
        `${VALUATION_COUNT_RELEASES}: the first attempt and the retries); replaying it would average its noise away`,
    );
}

/** A count release's cost, as the privacy guard charges it. */
export interface ValuationCountRelease {
  rdp: number[];
  sampleRate: number;
  approx: { epsilon: number; delta: number };
}

/** The release's charge: one Gaussian release at its own z, with the (epsilon, delta) it was calibrated to. */
export function valuationCountRelease(task: tessera.v1.ITask): ValuationCountRelease {
  return releaseOf(valuationCountNoiseOf(task, valuationCountSpecOf(task)));
}

function releaseOf(noise: ValuationCountNoise): ValuationCountRelease {
  return {
    rdp: jobRdp(noise.noiseMultiplier, 1, 0, 1),
    sampleRate: 1,
    approx: { epsilon: noise.epsilon, delta: noise.delta },
  };
}

/**
 * The count release a training task's signed spec will ask of this node after its last round, as
 * valuationCountRelease will charge it, for the whole job's check at admission; undefined when the spec (absent,
 * not a training job's, unsigned, or without `payout.valuation: records` under DP) asks for none the node would
 * compute. Its z and (epsilon, delta) do not depend on the slots, so one slot sizes it.
 */
export function valuationCountReleaseOfJob(task: tessera.v1.ITask): ValuationCountRelease | undefined {
  const parsed = taskSpecOf(task);
  if (parsed?.kind !== 'train' || !parsed.signed || !parsed.analyst) return undefined;
  if (!asksForValuationCount(parsed.spec)) return undefined;
  try {
    return releaseOf(valuationCountNoise(parsed.spec, 1));
  } catch (e) {
    if (e instanceof JobSpecError || e instanceof RangeError)
      throw refuse(`the signed spec's payout cannot size its count release (${e.message})`);
    throw e;
  }
}

/** The noise floor of the task (its share and the survivors an unmask needs), for the secure contribution. */
export function valuationCountFloor(task: tessera.v1.ITask): { shareVariance: number; minSurvivors: number } {
  const noise = valuationCountNoiseOf(task, valuationCountSpecOf(task));
  return { shareVariance: noise.shareVariance, minSurvivors: noise.minSurvivors };
}
