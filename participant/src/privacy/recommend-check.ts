// A recommend step against the analyst-signed recommend spec: phase, round, item model, encoding and noise.
import {
  RECOMMEND_FRACTION_BITS,
  recommendEvaluationLength,
  recommendNoise,
  recommendUpdateLength,
  type RecommendJobSpec,
  type RecommendNoise,
} from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { cohortNoise, requireSignedKindSpec } from './signed-release-spec.js';
import type { PrivacyRefusal } from './task-spec.js';

/** The refusal of a task field that differs from the signed spec (spec-authorisation.ts makes it). */
type Diff = (field: string, spec: unknown, task: unknown) => PrivacyRefusal;

const Phase = tessera.v1.RecommendTask.Phase;

/**
 * A recommend step reads the merchant's interactions only for a job an analyst signed: the task must carry a recommend
 * spec with a signature that verified (authorisationOf), whatever else it says.
 */
export const requireSignedRecommendSpec = (auth: { analyst: string; spec?: { kind: string } }): void =>
  requireSignedKindSpec(auth, 'recommend', 'interactions');

/** The length of the vector a recommend step sums: the item update (TRAIN) or the evaluation sums (EVALUATE). */
export function recommendLengthOf(task: tessera.v1.ITask, spec: RecommendJobSpec): number {
  const items = spec.catalogue.items.length;
  return Number(task.recommend?.phase) === Phase.EVALUATE
    ? recommendEvaluationLength(items)
    : recommendUpdateLength(spec.model.algorithm, items, spec.model.k);
}

/**
 * The noise of this step's release as this node computes it from the signed spec and the round's cohort (never from
 * what the coordinator announces), or undefined for a job without differential privacy; PrivacyRefusal when the
 * round cannot carry it.
 */
export function recommendNoiseOf(task: tessera.v1.ITask, spec: RecommendJobSpec): RecommendNoise | undefined {
  if (spec.privacy.mode === 'none') return undefined;
  return cohortNoise(task, 'recommend', (n) => recommendNoise(spec, n, recommendLengthOf(task, spec)));
}

/**
 * The survivor floor of an exact recommend step (privacy.mode none): its whole cohort. SecAgg+ lets the coordinator
 * call a node dropped and still unmask the others' sum; with two rounds of one item model (ALS's update is a function
 * of it) the sum with the node and the sum without would give its update. So this node helps unmask an exact round
 * only when every node of the cohort (bound for the whole job: exact-cohort.ts) survives. Undefined otherwise.
 */
export function exactRecommendFloor(
  task: tessera.v1.ITask,
  spec: RecommendJobSpec,
): { shareVariance: number; minSurvivors: number } | undefined {
  if (spec.privacy.mode !== 'none' || !task.secure) return undefined;
  return { shareVariance: 0, minSurvivors: (task.secure.participantIds ?? []).length };
}

/**
 * The step's phase and round within the spec (TRAIN rounds 1..rounds; EVALUATE only with evaluation.holdOut 'last',
 * as round rounds + 1), the item model's length (items x (k + 1)), and its encoding: exact wide sums at
 * RECOMMEND_FRACTION_BITS without privacy, else the fixed-point level this node computes (recommend-privacy.ts).
 */
export function checkRecommend(task: tessera.v1.ITask, spec: RecommendJobSpec, diff: Diff): void {
  const step = task.recommend;
  if (!step) throw diff('recommend step (Task.recommend)', 'a TRAIN or EVALUATE step', 'none');
  const phase = Number(step.phase ?? 0);
  const round = Number(step.round ?? 0);
  if (phase === Phase.TRAIN) {
    if (!(round >= 1 && round <= spec.rounds))
      throw diff('recommend.round of a TRAIN step', `1..${spec.rounds}`, round);
  } else if (phase === Phase.EVALUATE) {
    if (spec.evaluation.holdOut !== 'last')
      throw diff('recommend phase (evaluation.holdOut)', 'TRAIN only (holdOut "none")', 'EVALUATE');
    if (round !== spec.rounds + 1) throw diff('recommend.round of the EVALUATE step', spec.rounds + 1, round);
  } else throw diff('recommend phase', 'TRAIN or EVALUATE', Phase[phase] ?? phase);
  // The round the node's records key by (exact cohorts, charges) is the step's own.
  const refRound = Number(task.ref?.round ?? 0);
  if (refRound !== round) throw diff('task round (ref.round) of the recommend step', round, refRound);
  const items = spec.catalogue.items.length;
  const modelLength = Number(task.modelLength ?? 0);
  if (modelLength !== items * (spec.model.k + 1))
    throw diff('item model length (Task.model_length, items x (k + 1))', items * (spec.model.k + 1), modelLength);
  const dpLevel = Number(step.dpLevel ?? 0);
  if (spec.privacy.mode === 'none') {
    if (dpLevel > 0) throw diff('recommend encoding (dpLevel)', 'exact (privacy.mode none)', dpLevel);
    const bits = Number(step.wideFractionBits ?? 0);
    if (bits !== RECOMMEND_FRACTION_BITS) throw diff('recommend.wideFractionBits', RECOMMEND_FRACTION_BITS, bits);
    return;
  }
  if (!task.secure) return; // the secure mode check refuses it
  const noise = recommendNoiseOf(task, spec)!;
  if (dpLevel !== noise.level) throw diff('recommend.dpLevel (fixed-point level)', noise.level, dpLevel);
}
