import { fromConfigEntries, type tessera } from '@tessera/proto';

/**
 * What a differentially private job costs, as its tasks announce it: every FIT round is one
 * release of a Gaussian-noised sum with `noiseMultiplier` at Poisson sampling rate `sampleRate`.
 * The participant recomputes the cost from these numbers with its own accountant.
 */
export interface PrivacyPlan {
  mode: 'distributed' | 'central' | 'local';
  unit: 'record' | 'participant';
  noiseMultiplier: number;
  sampleRate: number;
  rounds: number;
  /** Releases of the private statistics stage, each over every unit (no sampling). */
  fullReleases: number;
  epsilon: number;
  delta: number;
}

/** The plan a task carries, or undefined for a job without differential privacy. */
export function privacyPlanOf(task: tessera.v1.ITask): PrivacyPlan | undefined {
  const c = fromConfigEntries(task.config);
  if (c.dpMode === undefined || c.dpMode === 'none') return undefined;
  const mode = String(c.dpMode);
  const unit = String(c.dpUnit);
  const plan = {
    mode,
    unit,
    noiseMultiplier: Number(c.dpNoiseMultiplier),
    sampleRate: Number(c.dpSampleRate),
    rounds: Number(c.dpRounds),
    fullReleases: Number(c.dpFullReleases ?? 0),
    epsilon: Number(c.dpEpsilon),
    delta: Number(c.dpDelta),
  };
  if (
    !['distributed', 'central', 'local'].includes(mode) ||
    !['record', 'participant'].includes(unit) ||
    !(plan.noiseMultiplier > 0) ||
    !(plan.sampleRate > 0 && plan.sampleRate <= 1) ||
    !(Number.isInteger(plan.rounds) && plan.rounds >= 0) ||
    !(Number.isInteger(plan.fullReleases) && plan.fullReleases >= 0) ||
    plan.rounds + plan.fullReleases < 1
  ) {
    throw new Error(`the task's privacy plan is malformed: ${JSON.stringify(plan)}`);
  }
  return plan as PrivacyPlan;
}
