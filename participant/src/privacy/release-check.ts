import { statisticsParts, tessera } from '@tessera/proto';
import { noiseFloorOf, type NoiseFloor } from './noise-floor.js';
import { exactRecommendFloor } from './recommend-check.js';
import { ownPlanOf, type OwnPlan } from './own-plan.js';
import { overlapPlanOf } from './overlap-release.js';
import { announcedUnitOf, privacyPlanOf, type PrivacyPlan } from './privacy-plan.js';
import { PrivacyRefusal, taskSpecOf, type TaskSpec } from './task-spec.js';

const pb = tessera.v1;

/** What a checked task may do: the plan its releases are charged at (the node's own when the task carries a spec). */
export interface CheckedTask {
  spec?: TaskSpec;
  own?: OwnPlan;
  /** The plan to charge: the node's own, or the announced one for a task without a spec on an unprotected data set. */
  plan?: PrivacyPlan;
  /**
   * A private release through secure aggregation: the noise this node adds at least, and the survivors it needs; an
   * exact recommend step: its whole cohort must survive (recommend-check.ts).
   */
  floor?: NoiseFloor;
}

const STAGE = (s: number) =>
  (
    ({
      [pb.Stage.SCHEMA]: 'schema',
      [pb.Stage.STATISTICS]: 'statistics',
      [pb.Stage.FIT]: 'fit',
      [pb.Stage.EVALUATE]: 'evaluate',
      [pb.Stage.SCORE]: 'score',
      [pb.Stage.QUERY]: 'query',
      [pb.Stage.OVERLAP]: 'overlap',
      [pb.Stage.VALUATE]: 'valuate',
      [pb.Stage.VERTICAL]: 'vertical',
      [pb.Stage.VERTICAL_SCORE]: 'vertical-score',
      [pb.Stage.RECOMMEND]: 'recommend',
      [pb.Stage.CATALOGUE]: 'catalogue',
      [pb.Stage.VALUATION_COUNT]: 'valuation-count',
    }) as Record<number, string>
  )[s] ?? `stage ${s}`;

const near = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * Checks a task against the job's spec and this node's protection of the data set before any row
 * is read, or throws PrivacyRefusal with the reason. A data set is protected when it has a privacy
 * budget or the job's spec asks for differential privacy. On a protected data set:
 * - every task must carry the job's spec (a node cannot check a task against nothing);
 * - what the task announces (mode, unit, noise multiplier, sampling rate, rounds, clip) must be what
 *   the spec implies, with the noise multiplier at least this node's own calibration;
 * - only stages that are differentially private releases read data: the schema (the whole job's
 *   check), private statistics parts, FIT rounds within the spec's rounds, private queries, each
 *   through secure aggregation, and encrypted scoring whose spec asks for noised totals (each
 *   participant noises its own segment sums: score-noise.ts); evaluation, exact statistics, exact
 *   scoring, overlap and valuation are refused, whatever the budget left.
 */
export function checkTask(task: tessera.v1.ITask, stage: number, budgeted: boolean): CheckedTask {
  const spec = taskSpecOf(task);
  const own = spec ? ownPlanOf(spec) : undefined;
  const announced = privacyPlanOf(task);
  const dataset = task.dataset ?? '';
  if (budgeted && !spec) {
    throw new PrivacyRefusal(
      `data set "${dataset}" keeps a privacy budget, and this task carries no job spec to check it against; ` +
        'refused before reading any data',
    );
  }
  if (spec) compare(own, announced, spec);
  const isProtected = budgeted || own !== undefined;
  // An overlap whose spec carries its privacy: the count is released with noise and charged (overlap-release.ts).
  const overlap = spec?.kind === 'overlap' && stage === pb.Stage.OVERLAP ? overlapPlanOf(spec.spec) : undefined;
  if (isProtected && !overlap) checkStage(task, stage, own, dataset);
  const plan = own ?? overlap ?? (spec ? undefined : announced);
  const floor =
    own && task.secure && isRelease(task, stage)
      ? noiseFloorOf(task, own, spec)
      : stage === pb.Stage.RECOMMEND && spec?.kind === 'recommend'
        ? exactRecommendFloor(task, spec.spec)
        : undefined;
  return { ...(spec ? { spec } : {}), ...(own ? { own } : {}), ...(plan ? { plan } : {}), ...(floor ? { floor } : {}) };
}

/** A stage that releases a noisy sum: FIT, a private statistics part, a private query. */
function isRelease(task: tessera.v1.ITask, stage: number): boolean {
  return (
    stage === pb.Stage.FIT ||
    (stage === pb.Stage.STATISTICS && Boolean(task.statistics)) ||
    (stage === pb.Stage.QUERY && Number(task.query?.dpLevel) > 0) ||
    stage === pb.Stage.RECOMMEND ||
    stage === pb.Stage.CATALOGUE ||
    stage === pb.Stage.VALUATION_COUNT
  );
}

function compare(own: OwnPlan | undefined, announced: PrivacyPlan | undefined, spec: TaskSpec): void {
  const differs = (what: string) =>
    new PrivacyRefusal(
      `the task's ${what} differs from the job's ${spec.signed ? 'signed ' : ''}spec; refused before reading any data`,
    );
  if (!own) {
    if (announced) throw differs(`privacy plan (${announced.mode})`);
    return;
  }
  if (!announced)
    throw new PrivacyRefusal(
      `the job's spec asks for ${own.mode} differential privacy (epsilon ${own.epsilon}) ` +
        'and the task announces none; refused before reading any data',
    );
  if (announced.mode !== own.mode) throw differs(`privacy mode (${announced.mode}, spec: ${own.mode})`);
  if (spec.kind === 'train' && announced.unit !== own.unit)
    throw differs(`privacy unit (${announced.unit}, spec: ${own.unit})`);
  if (!near(announced.sampleRate, own.sampleRate))
    throw differs(`sample rate (${announced.sampleRate}, spec: ${own.sampleRate})`);
  // A recommend job's releases are all at sample rate 1, where a round and a full release cost the same: their sum.
  const releases = (p: PrivacyPlan) => p.rounds + p.fullReleases;
  const sameReleases =
    spec.kind === 'recommend'
      ? releases(announced) === releases(own)
      : announced.rounds === own.rounds && announced.fullReleases === own.fullReleases;
  if (!sameReleases) {
    throw differs(
      `number of releases (${announced.rounds} rounds and ${announced.fullReleases} statistics releases, ` +
        `spec: ${own.rounds} and ${own.fullReleases})`,
    );
  }
  if (!(announced.noiseMultiplier >= own.noiseMultiplier * (1 - 1e-9))) {
    throw differs(
      `noise multiplier (${announced.noiseMultiplier}, ` +
        `below the ${own.noiseMultiplier} the spec's epsilon ${own.epsilon} needs)`,
    );
  }
}

function checkStage(task: tessera.v1.ITask, stage: number, own: OwnPlan | undefined, dataset: string): void {
  const notRelease = (why: string) =>
    new PrivacyRefusal(
      `data set "${dataset}" is protected by differential privacy, and ${STAGE(stage)} ${why}; ` +
        'refused before reading any data',
    );
  const secure = task.secure;
  switch (stage) {
    case pb.Stage.SCHEMA:
      return;
    case pb.Stage.STATISTICS:
      if (statisticsParts.fromProto(task.statistics?.part) === undefined)
        throw notRelease(
          'without a private statistics part releases exact counts and sums, not a differentially private release',
        );
      if (!secure)
        throw notRelease("outside secure aggregation would show this node's own noisy vector to the coordinator");
      return;
    case pb.Stage.QUERY:
      if (!(Number(task.query?.dpLevel) > 0))
        throw notRelease('without differential privacy releases exact aggregates');
      if (!secure) throw notRelease("outside secure aggregation would show this node's own vector to the coordinator");
      return;
    case pb.Stage.FIT: {
      if (!own) throw notRelease('of a job without differential privacy is not a private release');
      if (!secure) throw notRelease("outside secure aggregation would show this node's own update to the coordinator");
      const round = Number(task.ref?.round ?? 0);
      if (round < 1 || round > own.maxRound)
        throw new PrivacyRefusal(
          `round ${round} is outside the ${own.maxRound} rounds of the job's spec; refused before reading any data`,
        );
      if (own.unit === 'record') {
        if (announcedUnitOf(task) !== 'record')
          throw new PrivacyRefusal(
            "the job's spec protects single records and the task is not a record-level round; " +
              'refused before reading any data',
          );
        const recordClip = task.training?.recordDp?.clip ?? undefined;
        if (!near(Number(recordClip), own.clip))
          throw new PrivacyRefusal(
            `the task's record clip ${String(recordClip)} differs from the job's spec (privacy.clip ${own.clip}); ` +
              'refused before reading any data',
          );
      } else if (!own.adaptiveClip && !near(Number(secure.clip), own.clip)) {
        throw new PrivacyRefusal(
          `the task's update clip ${String(secure.clip)} differs from the job's spec (privacy.clip ${own.clip}); ` +
            'refused before reading any data',
        );
      }
      return;
    }
    case pb.Stage.RECOMMEND:
    case pb.Stage.CATALOGUE:
      // Each step is one Gaussian release of the signed spec's noise (recommend-check.ts checks phase and round;
      // catalogue-check.ts a catalogue round's round, prefixes and level).
      if (!own) throw notRelease('of a job without differential privacy (privacy.mode none) is not a private release');
      if (!secure) throw notRelease("outside secure aggregation would show this node's own vector to the coordinator");
      return;
    case pb.Stage.VALUATION_COUNT:
      // One noisy count per contributor at the payout's own epsilon (valuation-count-check.ts checks its noise).
      if (!own) throw notRelease('of a job without differential privacy (privacy.mode none) is not a private release');
      if (!secure) throw notRelease("outside secure aggregation would show this node's own count to the coordinator");
      return;
    case pb.Stage.EVALUATE:
      throw notRelease(
        "releases exact loss, accuracy and AUC over this node's rows, which is not a differentially private release",
      );
    case pb.Stage.SCORE:
      // Noised at this node before encryption, from the signed spec's privacy (score-noise.ts).
      if (own && taskSpecOf(task)?.kind === 'score') return;
      throw notRelease(
        'releases exact score totals without privacy in its score spec, which is not a differentially private ' +
          'release; the analyst can ask for noised totals (privacy: {epsilon, delta, clip})',
      );
    case pb.Stage.OVERLAP:
      throw notRelease('releases an exact overlap count, which is not a differentially private release');
    case pb.Stage.VALUATE:
      throw notRelease("discloses this node's per-round updates, which is not a differentially private release");
    case pb.Stage.VERTICAL_SCORE:
      throw notRelease(
        'gives the guest exact scores of shared customers, which is not a differentially private release',
      );
    case pb.Stage.VERTICAL:
      throw notRelease(
        'releases exact held-out metrics and a jointly trained model, which is not a differentially private release',
      );
    default:
      throw notRelease('is not a stage this node knows to be private');
  }
}
