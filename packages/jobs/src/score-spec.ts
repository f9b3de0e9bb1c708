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
  minParticipants: number;
  roundTimeoutSeconds: number;
  waitForParticipantsSeconds: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const FIELDS = [
  'name',
  'kind',
  'dataset',
  'label',
  'features',
  'segmentBy',
  'segments',
  'minParticipants',
  'roundTimeoutSeconds',
  'waitForParticipantsSeconds',
];

export function parseScoreSpec(input: unknown): ScoreSpec {
  if (!isObj(input)) throw new JobSpecError('(root)', 'a score job spec is an object');
  for (const k of Object.keys(input))
    if (!FIELDS.includes(k)) throw new JobSpecError(k, `unknown field; known fields: ${FIELDS.join(', ')}`);
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
    minParticipants: positive('minParticipants', 2, true),
    roundTimeoutSeconds: positive('roundTimeoutSeconds', 120),
    waitForParticipantsSeconds: positive('waitForParticipantsSeconds', 120),
  };
}
