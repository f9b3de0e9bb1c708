import { parseSubmission } from './submission.js';
import type { AgreedSchema } from '@tessera/data';
import { JobSpecError } from './job-spec.js';

/** An encrypted-scoring job: an analyst's linear model, encrypted, evaluated on every participant's data set. */
export interface ScoreSpec {
  name: string;
  kind: 'score';
  dataset: string;
  /** The model's label column (ignored when a participant's data lacks it). */
  label: string;
  /** The model's encoded features, as agreed when it was trained. */
  features: AgreedSchema['features'];
  /** Group rows by this column and report each declared segment; without it, one segment "all". */
  segmentBy?: string;
  segments: string[];
  /**
   * Differential privacy of the segment totals (absent: exact totals). Each participant clips every
   * row's encoded features to L2 norm `clip`, adds integer discrete Gaussian noise to its fixed-point
   * per-segment sums (features and row count) and only then scores them: `distributed` adds a share
   * sized for `minParticipants` answers less `corruptFraction` of them colluding, `local` the whole
   * noise at each participant (private even if the analyst and coordinator collude).
   */
  privacy?: ScorePrivacy;
  /** At least 2: one participant's totals are never released alone. */
  minParticipants: number;
  roundTimeoutSeconds: number;
  waitForParticipantsSeconds: number;
}

export interface ScorePrivacy {
  mode: 'distributed' | 'local';
  epsilon: number;
  delta: number;
  /** L2 bound on one row's encoded features (raw units, not standardised): rows above it are scaled down. */
  clip: number;
  /** Share of the minParticipants answers that may collude with the coordinator and analyst (distributed mode). */
  corruptFraction: number;
}

type Obj = Record<string, unknown>;
const PRIVACY_FIELDS = ['mode', 'epsilon', 'delta', 'clip', 'corruptFraction'];
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const FIELDS = [
  'name',
  'kind',
  'dataset',
  'label',
  'features',
  'segmentBy',
  'segments',
  'privacy',
  'minParticipants',
  'roundTimeoutSeconds',
  'waitForParticipantsSeconds',
  'submission',
];

export function parseScoreSpec(input: unknown): ScoreSpec {
  if (!isObj(input)) throw new JobSpecError('(root)', 'a score job spec is an object');
  for (const k of Object.keys(input))
    if (!FIELDS.includes(k)) throw new JobSpecError(k, `unknown field; known fields: ${FIELDS.join(', ')}`);
  parseSubmission(input.submission);
  const text = (k: string, fallback?: string): string => {
    const v = input[k] ?? fallback;
    if (typeof v !== 'string' || !v) throw new JobSpecError(k, `must be a non-empty string, got ${JSON.stringify(v)}`);
    return v;
  };
  const positive = (k: string, fallback: number, int = false): number => {
    const v = input[k] ?? fallback;
    if (typeof v !== 'number' || !(v > 0) || (int && !Number.isInteger(v)))
      throw new JobSpecError(k, `must be a positive ${int ? 'integer' : 'number'}, got ${JSON.stringify(v)}`);
    return v;
  };
  const features = input.features;
  if (
    !Array.isArray(features) ||
    features.length === 0 ||
    features.some((f) => !isObj(f) || typeof f.name !== 'string' || (f.kind !== 'numeric' && f.kind !== 'categorical'))
  ) {
    throw new JobSpecError(
      'features',
      "must list the model's features as {name, kind: numeric|categorical, categories?}",
    );
  }
  const segmentBy = input.segmentBy === undefined ? undefined : text('segmentBy');
  const segments = input.segments ?? (segmentBy ? undefined : ['all']);
  if (
    !Array.isArray(segments) ||
    segments.length === 0 ||
    segments.some((s) => typeof s !== 'string') ||
    new Set(segments).size !== segments.length
  ) {
    throw new JobSpecError(
      'segments',
      segmentBy
        ? `must list the distinct values of ${segmentBy} to report ` +
            '(declared, so every participant answers the same segments)'
        : 'must be a list of distinct names',
    );
  }
  if (segments.length > 64) throw new JobSpecError('segments', `at most 64 segments, got ${segments.length}`);
  const minParticipants = positive('minParticipants', 2, true);
  if (minParticipants < 2)
    throw new JobSpecError(
      'minParticipants',
      `must be at least 2, got ${minParticipants}: one participant's segment totals are never released alone`,
    );
  const privacy = input.privacy === undefined ? undefined : parseScorePrivacy(input.privacy);
  return {
    name: text('name', `score-${String(input.dataset ?? '')}`),
    kind: 'score',
    dataset: text('dataset'),
    label: text('label'),
    features: (features as Obj[]).map((f) => ({
      name: f.name as string,
      kind: f.kind as 'numeric' | 'categorical',
      ...(Array.isArray(f.categories) ? { categories: f.categories.map(String) } : {}),
    })),
    ...(segmentBy ? { segmentBy } : {}),
    segments: segments as string[],
    ...(privacy ? { privacy } : {}),
    minParticipants,
    roundTimeoutSeconds: positive('roundTimeoutSeconds', 120),
    waitForParticipantsSeconds: positive('waitForParticipantsSeconds', 120),
  };
}

function parseScorePrivacy(p: unknown): ScorePrivacy {
  if (!isObj(p)) throw new JobSpecError('privacy', 'must be an object {mode, epsilon, delta, clip, corruptFraction}');
  for (const k of Object.keys(p))
    if (!PRIVACY_FIELDS.includes(k))
      throw new JobSpecError(`privacy.${k}`, `unknown field; known fields: ${PRIVACY_FIELDS.join(', ')}`);
  const mode = p.mode ?? 'distributed';
  if (mode !== 'distributed' && mode !== 'local')
    throw new JobSpecError(
      'privacy.mode',
      `must be distributed or local (each participant adds its own noise), got ${JSON.stringify(mode)}`,
    );
  const epsilon = p.epsilon ?? 1,
    delta = p.delta ?? 1e-6,
    corruptFraction = p.corruptFraction ?? 0;
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon))
    throw new JobSpecError('privacy.epsilon', `must be a positive number, got ${JSON.stringify(epsilon)}`);
  if (typeof delta !== 'number' || !(delta > 0 && delta < 1))
    throw new JobSpecError('privacy.delta', `must be between 0 and 1, got ${JSON.stringify(delta)}`);
  if (typeof p.clip !== 'number' || !(p.clip > 0) || !Number.isFinite(p.clip))
    throw new JobSpecError(
      'privacy.clip',
      "is required: the L2 bound on one row's encoded features (raw units), a positive number, " +
        `got ${JSON.stringify(p.clip)}`,
    );
  if (typeof corruptFraction !== 'number' || !(corruptFraction >= 0 && corruptFraction < 1))
    throw new JobSpecError(
      'privacy.corruptFraction',
      `must be at least 0 and below 1, got ${JSON.stringify(corruptFraction)}`,
    );
  return { mode, epsilon, delta, clip: p.clip, corruptFraction };
}
