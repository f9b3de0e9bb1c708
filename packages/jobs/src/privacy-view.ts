import { accountingSampleRate, participantSampling, type JobSpec } from './job-spec.js';

/**
 * What a training job's differential privacy guarantees, as the job view states it: the target,
 * what was spent so far (the worst participant, every charged attempt counted), how participants
 * were sampled and the rate the accountant used, and whom the guarantee holds against.
 */
export interface PrivacyView {
  mode: 'distributed' | 'central' | 'local';
  unit: 'record' | 'participant';
  /** The (epsilon, delta) the whole job was calibrated to. */
  epsilon: number;
  delta: number;
  noiseMultiplier: number;
  /** Epsilon spent so far by the participant charged most (retried attempts included). */
  spentEpsilon: number;
  /** How each round's participants are drawn: all of them, Poisson (central mode, CSPRNG), or a fixed-size draw. */
  sampling: 'all' | 'poisson' | 'fixed-size';
  /** The participant sampling rate the accountant used (1 unless Poisson sampling by a trusted coordinator). */
  accountantSampleRate: number;
  /** Distributed mode: the survivors a release needs, or how the default is derived. */
  survivorFloor?: number | string;
  /** Under DP no validation split is taken: every row trains, and no federated evaluation runs. */
  validationSplit: 'none';
  /** The parties the guarantee holds against, and under which assumptions. */
  protectsAgainst: string;
  /**
   * A payout valued by records: its own release of one noisy row count per contributor, at (epsilon, delta) on top of
   * the training's; `released` once the counts were summed (each contributor charged it).
   */
  valuation?: { method: 'records'; epsilon: number; delta: number; released: boolean };
}

export function privacyViewOf(spec: JobSpec, noiseMultiplier: number, spentEpsilon: number): PrivacyView | undefined {
  const p = spec.privacy;
  if (p.mode === 'none') return undefined;
  const fraction = spec.secure.corruptFraction;
  const colluders = `up to secure.corruptFraction = ${fraction} of each round's participants colluding with it`;
  const protectsAgainst =
    p.mode === 'central'
      ? 'the analyst and anyone who sees the model; not the coordinator, which adds the noise and sees the exact sum'
      : p.mode === 'distributed'
        ? `the analyst and the coordinator, with ${colluders}; each participant checks and adds its own noise share`
        : 'the analyst, the coordinator and every other participant: ' +
          'each participant adds the whole noise to its own contribution';
  return {
    mode: p.mode,
    unit: p.unit,
    epsilon: p.epsilon,
    delta: p.delta,
    noiseMultiplier,
    spentEpsilon,
    sampling: participantSampling(spec),
    accountantSampleRate: accountingSampleRate(spec),
    ...(p.mode === 'distributed'
      ? {
          survivorFloor:
            p.survivorFloor ?? `default: each round's participants less ${spec.secure.dropoutRate} expected dropouts`,
        }
      : {}),
    validationSplit: 'none',
    protectsAgainst,
  };
}
