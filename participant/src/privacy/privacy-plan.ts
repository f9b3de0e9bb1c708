import { privacyModes, privacyUnits, type tessera } from '@tessera/proto';

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
  const p = task.privacyPlan;
  if (!p?.mode) return undefined;
  // An absent number reads as NaN (never as 0), which no check below lets through.
  const num = (v: number | null | undefined) => (v === null || v === undefined ? Number.NaN : v);
  const mode = privacyModes.fromProto(p.mode) ?? `mode ${p.mode}`;
  const unit = privacyUnits.fromProto(p.unit) ?? `unit ${p.unit ?? 0}`;
  const plan = {
    mode,
    unit,
    noiseMultiplier: num(p.noiseMultiplier),
    sampleRate: num(p.sampleRate),
    rounds: num(p.rounds),
    fullReleases: p.fullReleases ?? 0,
    epsilon: num(p.epsilon),
    delta: num(p.delta),
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

/**
 * The unit a task's releases protect, as it announces it: record in a record-level FIT round (it carries RecordDp),
 * else the announced plan's (undefined without one). Not checked: the privacy guard compares the plan with the spec.
 */
export function announcedUnitOf(task: tessera.v1.ITask): 'record' | 'participant' | undefined {
  return task.training?.recordDp ? 'record' : privacyUnits.fromProto(task.privacyPlan?.unit);
}

/** The task announces differential privacy (its releases are accounted); malformed or not. */
export function announcesDp(task: tessera.v1.ITask): boolean {
  return Boolean(task.privacyPlan?.mode);
}
