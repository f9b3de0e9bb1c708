/**
 * Adaptive clipping by private quantile tracking (Andrew, Thakkar, McMahan, Ramaswamy 2021, "Differentially Private
 * Learning with Adaptive Clipping", NeurIPS 2021). Pure functions, floating point (this is not a sampling decision).
 *
 * Each round every participant reports the bit b_i = [||Δ_i|| <= C] alongside its clipped update; the server sees the
 * noisy sum of the bits (Gaussian noise of std sigma_b on the SUM), forms b̄ = noisySum / n and updates geometrically:
 *   C ← C · exp(-eta (b̄ - gamma)),
 * which drives C to the gamma-quantile of the update norms. Privacy: the bit query (centred as b - 1/2) has
 * sensitivity 1/2, so with update noise multiplier z_Δ the pair of Gaussian releases is equivalent to one Gaussian
 * mechanism with noise multiplier z where z^-2 = z_Δ^-2 + (2 sigma_b)^-2 (their Section 3); hence for a target z
 *   z_Δ = (z^-2 - (2 sigma_b)^-2)^(-1/2), which needs sigma_b > z/2.
 */
import { PrivacyParameterError } from '../accountant/errors.js';

export interface AdaptiveClipState {
  /** Current clipping norm C > 0. */
  readonly clip: number;
  /** Target quantile gamma in [0, 1] of the update norms (the fraction of updates left unclipped). */
  readonly targetQuantile: number;
  /** Learning rate eta > 0 of the geometric update. */
  readonly learningRate: number;
  /** Std sigma_b of the Gaussian noise added to the sum of the clip indicators (0 = noiseless, no privacy). */
  readonly bitNoiseStd: number;
}

function check(ok: boolean, parameter: string, message: string): void {
  if (!ok) throw new PrivacyParameterError(parameter, message);
}

/** Validates a state and returns it. */
export function adaptiveClipState(state: AdaptiveClipState): AdaptiveClipState {
  check(Number.isFinite(state.clip) && state.clip > 0, 'clip', `clip must be a finite number > 0 (got ${state.clip})`);
  check(
    state.targetQuantile >= 0 && state.targetQuantile <= 1,
    'targetQuantile',
    `targetQuantile must be in [0, 1] (got ${state.targetQuantile})`,
  );
  check(
    Number.isFinite(state.learningRate) && state.learningRate > 0,
    'learningRate',
    `learningRate must be a finite number > 0 (got ${state.learningRate})`,
  );
  check(
    Number.isFinite(state.bitNoiseStd) && state.bitNoiseStd >= 0,
    'bitNoiseStd',
    `bitNoiseStd must be a finite number >= 0 (got ${state.bitNoiseStd})`,
  );
  return state;
}

/** The participant's bit: 1 if its update norm is at most the clip C (unclipped), else 0. */
export function clipIndicator(updateNorm: number, clip: number): 0 | 1 {
  check(
    Number.isFinite(updateNorm) && updateNorm >= 0,
    'updateNorm',
    `updateNorm must be a finite number >= 0 (got ${updateNorm})`,
  );
  return updateNorm <= clip ? 1 : 0;
}

/**
 * The next clip C · exp(-eta (b̄ - gamma)) with b̄ = noisySumOfIndicators / participants (b̄ is not truncated to [0,
 * 1]).
 */
export function nextClip(state: AdaptiveClipState, noisySumOfIndicators: number, participants: number): number {
  adaptiveClipState(state);
  check(
    Number.isFinite(noisySumOfIndicators),
    'noisySumOfIndicators',
    `noisySumOfIndicators must be finite (got ${noisySumOfIndicators})`,
  );
  check(
    participants > 0 && Number.isFinite(participants),
    'participants',
    `participants must be > 0 (got ${participants}); pass the (expected) number of reporting participants`,
  );
  const unclippedFraction = noisySumOfIndicators / participants;
  return state.clip * Math.exp(-state.learningRate * (unclippedFraction - state.targetQuantile));
}

/** The state after one round: the same hyper-parameters with clip = nextClip(...). */
export function updateClipState(
  state: AdaptiveClipState,
  noisySumOfIndicators: number,
  participants: number,
): AdaptiveClipState {
  return { ...state, clip: nextClip(state, noisySumOfIndicators, participants) };
}

/**
 * The noise multiplier z_Δ for the clipped updates so that updates plus indicators together have noise multiplier z:
 * z_Δ = (z^-2 - (2 sigma_b)^-2)^(-1/2). Throws if sigma_b <= z/2 (the indicators alone would spend the whole budget).
 * z = 0 (no privacy) gives 0.
 */
export function effectiveNoiseMultiplier(noiseMultiplier: number, bitNoiseStd: number): number {
  check(
    Number.isFinite(noiseMultiplier) && noiseMultiplier >= 0,
    'noiseMultiplier',
    `noiseMultiplier must be a finite number >= 0 (got ${noiseMultiplier})`,
  );
  check(bitNoiseStd >= 0 && !Number.isNaN(bitNoiseStd), 'bitNoiseStd', `bitNoiseStd must be >= 0 (got ${bitNoiseStd})`);
  if (noiseMultiplier === 0) return 0;
  check(
    bitNoiseStd > noiseMultiplier / 2,
    'bitNoiseStd',
    `bitNoiseStd = ${bitNoiseStd} is too small for noise multiplier ${noiseMultiplier}: it must exceed z/2 ` +
      `= ${noiseMultiplier / 2}; increase bitNoiseStd (e.g. 0.05 × participants) or decrease the noise multiplier`,
  );
  return (noiseMultiplier ** -2 - (2 * bitNoiseStd) ** -2) ** -0.5;
}
