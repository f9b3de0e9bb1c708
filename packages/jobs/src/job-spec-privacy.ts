import { isObj, JobSpecError, noUnknownKeys, num, section, show, str, type Obj } from './job-spec-fields.js';
import {
  JOB_SPEC_DEFAULTS,
  type AdaptiveClipSpec,
  type JobSpec,
  type PrivacySpec,
  type SecureSpec,
} from './job-spec-types.js';

// The `privacy` section of a training job spec, and what its differential privacy implies for the
// rest of the job (the validation split, the accountant's sampling rate).

/** The privacy section's fields that decide how the rest is read, and its explicit clip if given. */
export interface PrivacyHead {
  privacy: Obj;
  mode: PrivacySpec['mode'];
  unit: PrivacySpec['unit'];
  clip: number | undefined;
}

/**
 * Reads the privacy section's mode, unit and clip and refuses modes the secure mode cannot carry. parseJobSpec reads
 * this before the rest of the spec (and privacyOf after), so the first bad field named stays the same.
 */
export function privacyHead(input: Obj, secureMode: SecureSpec['mode']): PrivacyHead {
  const privacy = section(input, 'privacy', [
    'mode',
    'unit',
    'epsilon',
    'delta',
    'clip',
    'maxRecords',
    'adaptiveClip',
    'survivorFloor',
  ]);
  const privacyMode = str(privacy, 'mode', 'privacy.', JOB_SPEC_DEFAULTS.privacy.mode);
  if (!['none', 'distributed', 'central', 'local'].includes(privacyMode)) {
    throw new JobSpecError(
      'privacy.mode',
      'must be "none", "distributed" (noise shares added by participants before masking), "central" (noise added ' +
        `to the unmasked sum) or "local" (each participant adds the whole noise), got ${show(privacyMode)}`,
    );
  }
  const unit = str(privacy, 'unit', 'privacy.', JOB_SPEC_DEFAULTS.privacy.unit);
  if (unit !== 'participant' && unit !== 'record')
    throw new JobSpecError(
      'privacy.unit',
      `must be "participant" (one merchant's whole contribution) or "record" (one customer row), got ${show(unit)}`,
    );
  const privacyClip = privacy.clip === undefined ? undefined : num(privacy, 'clip', 'privacy.', 0, { exclusiveMin: 0 });
  if (secureMode === 'sealed' && privacyMode !== 'none') {
    throw new JobSpecError(
      'privacy.mode',
      'differential privacy is not available with secure.mode sealed yet (its private statistics need the ' +
        'coordinator to read a noisy histogram); use secure.mode masked, or privacy.mode none',
    );
  }
  if (privacyMode !== 'none' && secureMode === 'none') {
    throw new JobSpecError(
      'privacy.mode',
      `${privacyMode} differential privacy adds integer noise inside secure aggregation; ` +
        'set secure.mode to "masked" (or privacy.mode to "none")',
    );
  }
  return { privacy, mode: privacyMode as PrivacySpec['mode'], unit, clip: privacyClip };
}

/** The privacy spec with clip 0: parseJobSpec sets the clip once the secure clip is known. */
export function privacyOf({ privacy, mode, unit }: PrivacyHead): PrivacySpec {
  const d = JOB_SPEC_DEFAULTS;
  return {
    mode,
    unit,
    epsilon: num(privacy, 'epsilon', 'privacy.', d.privacy.epsilon, { exclusiveMin: 0 }),
    delta: num(privacy, 'delta', 'privacy.', d.privacy.delta, { exclusiveMin: 0, max: 0.999999 }),
    clip: 0,
    maxRecords: num(privacy, 'maxRecords', 'privacy.', d.privacy.maxRecords, { int: true, min: 1, max: 10_000_000 }),
    ...adaptiveClipOf(privacy, unit),
    ...(privacy.survivorFloor !== undefined
      ? { survivorFloor: num(privacy, 'survivorFloor', 'privacy.', 0, { int: true, min: 2 }) }
      : {}),
  };
}

/**
 * Refuses privacy fields that contradict each other, naming the field. (Fields a normalised spec
 * always carries, such as unit and epsilon with mode none, are not contradictions: they are unused.)
 */
export function checkPrivacyFields(_given: Obj, spec: JobSpec): void {
  const p = spec.privacy;
  if (p.survivorFloor !== undefined) {
    if (p.mode !== 'distributed')
      throw new JobSpecError(
        'privacy.survivorFloor',
        `sizes the noise shares of distributed mode; privacy.mode is ${p.mode}: remove it or use distributed`,
      );
  }
}

/**
 * Under differential privacy every row of a participant trains and no federated evaluation runs:
 * a validation split would be chosen by a seed the coordinator knows, so which rows are summed
 * would depend on it (issue 12). An explicit validationFraction is refused; the default becomes 0.
 */
export function noSplitUnderPrivacy(input: Obj, spec: JobSpec): void {
  if (spec.privacy.mode === 'none') return;
  if (input.validationFraction !== undefined && spec.validationFraction > 0) {
    throw new JobSpecError(
      'validationFraction',
      `is ${spec.validationFraction}, ` +
        'but under differential privacy every row trains and no federated evaluation runs ' +
        '(a split chosen by a seed the coordinator knows would break the guarantee); remove it or set it to 0',
    );
  }
  spec.validationFraction = 0;
}

function adaptiveClipOf(privacy: Obj, unit: string): { adaptiveClip?: AdaptiveClipSpec } {
  const v = privacy.adaptiveClip;
  if (v === undefined || v === false) return {};
  const a: Obj =
    v === true
      ? {}
      : isObj(v)
        ? v
        : (() => {
            throw new JobSpecError(
              'privacy.adaptiveClip',
              `must be true or an object with targetQuantile, learningRate, bitNoiseStd, got ${show(v)}`,
            );
          })();
  noUnknownKeys(a, ['targetQuantile', 'learningRate', 'bitNoiseStd'], 'privacy.adaptiveClip');
  if (unit !== 'participant')
    throw new JobSpecError(
      'privacy.adaptiveClip',
      'adapts the clip of whole participant updates; it needs privacy.unit participant ' +
        "(record-level jobs clip each record's gradient at privacy.clip)",
    );
  const path = 'privacy.adaptiveClip.';
  return {
    adaptiveClip: {
      targetQuantile: num(a, 'targetQuantile', path, 0.5, { min: 0, max: 1 }),
      learningRate: num(a, 'learningRate', path, 0.2, { exclusiveMin: 0 }),
      ...(a.bitNoiseStd !== undefined ? { bitNoiseStd: num(a, 'bitNoiseStd', path, 0, { exclusiveMin: 0 }) } : {}),
    },
  };
}

/**
 * Sampling rate the accountant uses. Amplification by sampling holds only against a party that
 * does not know the sample. The coordinator draws the participants of a round, so in distributed
 * and local modes (which protect against the coordinator) every round counts as if every
 * participant took part: q = 1. Only central mode (which trusts the coordinator) amplifies, with
 * the rate the coordinator really uses, by Poisson sampling from its CSPRNG (participantSampling).
 * Records are never subsampled for amplification: q = 1 for unit record.
 */
export const accountingSampleRate = (spec: JobSpec): number =>
  spec.privacy.unit === 'participant' && spec.privacy.mode === 'central' ? spec.strategy.fractionFit : 1;

/** How a round's participants are drawn, as the job view states it. */
export function participantSampling(spec: JobSpec): 'all' | 'poisson' | 'fixed-size' {
  if (spec.strategy.fractionFit >= 1) return 'all';
  return spec.privacy.mode === 'central' && spec.privacy.unit === 'participant' ? 'poisson' : 'fixed-size';
}

/** Releases of the differentially private statistics stage: the magnitude histogram and the bounded moments. */
export const PRIVATE_STATISTICS_RELEASES = 2;
