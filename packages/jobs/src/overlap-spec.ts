import { parseSubmission } from './submission.js';
import { JobSpecError } from './job-spec.js';
import { overCap, SPEC_CAPS } from './spec-caps.js';

/**
 * An audience-overlap job: two participants learn how many customer identifiers they share, and nothing else about each
 * other's sets.
 */
export interface OverlapSpec {
  name: string;
  kind: 'overlap';
  dataset: string;
  /** The identifier column both data sets carry (e.g. a hashed e-mail or customer number). */
  column: string;
  /** The two participants, by id. */
  participants: [string, string];
  /** The most identifiers either side may put in; the relay refuses a larger set (at most the psiSetSize cap). */
  maxSetSize: number;
  roundTimeoutSeconds: number;
  waitForParticipantsSeconds: number;
  /**
   * The released count's differential privacy: the counting participant adds discrete Laplace noise of
   * scale 1/epsilon (an identifier in or out of either set moves the count by at most 1), and each
   * participant charges epsilon (at delta 0) to its privacy ledger. Default epsilon 1.
   */
  privacy: OverlapPrivacy;
}

export interface OverlapPrivacy {
  epsilon: number;
}

/** The epsilon of an overlap job that does not name one. */
export const DEFAULT_OVERLAP_EPSILON = 1;
/** Bounds on an overlap's epsilon: below 0.001 the noise swamps any count; above 10 it hides nothing. */
export const OVERLAP_EPSILON_RANGE = { min: 0.001, max: 10 } as const;

type Obj = Record<string, unknown>;
const FIELDS = [
  'name',
  'kind',
  'dataset',
  'column',
  'participants',
  'maxSetSize',
  'roundTimeoutSeconds',
  'waitForParticipantsSeconds',
  'privacy',
  'submission',
];

export function parseOverlapSpec(input: unknown): OverlapSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new JobSpecError('(root)', 'an overlap job spec is an object');
  const o = input as Obj;
  for (const k of Object.keys(o))
    if (!FIELDS.includes(k)) throw new JobSpecError(k, `unknown field; known fields: ${FIELDS.join(', ')}`);
  parseSubmission(o.submission);
  const text = (k: string): string => {
    if (typeof o[k] !== 'string' || !o[k])
      throw new JobSpecError(k, `must be a non-empty string, got ${JSON.stringify(o[k])}`);
    return o[k] as string;
  };
  const p = o.participants;
  if (!Array.isArray(p) || p.length !== 2 || p.some((x) => typeof x !== 'string' || !x) || p[0] === p[1]) {
    throw new JobSpecError('participants', `must name two different participants, got ${JSON.stringify(p)}`);
  }
  const positive = (k: string, fallback: number): number => {
    const v = o[k] ?? fallback;
    if (typeof v !== 'number' || !(v > 0))
      throw new JobSpecError(k, `must be a positive number, got ${JSON.stringify(v)}`);
    return v;
  };
  const maxSetSize = o.maxSetSize ?? SPEC_CAPS.psiSetSize;
  if (typeof maxSetSize !== 'number' || !Number.isInteger(maxSetSize) || maxSetSize < 1)
    throw new JobSpecError('maxSetSize', `must be a positive integer, got ${JSON.stringify(maxSetSize)}`);
  if (maxSetSize > SPEC_CAPS.psiSetSize) throw overCap('maxSetSize', 'psiSetSize', maxSetSize);
  return {
    name: typeof o.name === 'string' && o.name ? o.name : `overlap-${text('dataset')}`,
    kind: 'overlap',
    dataset: text('dataset'),
    column: text('column'),
    participants: [p[0] as string, p[1] as string],
    maxSetSize,
    roundTimeoutSeconds: positive('roundTimeoutSeconds', 300),
    waitForParticipantsSeconds: positive('waitForParticipantsSeconds', 120),
    privacy: parseOverlapPrivacy(o.privacy),
  };
}

function parseOverlapPrivacy(v: unknown): OverlapPrivacy {
  if (v === undefined) return { epsilon: DEFAULT_OVERLAP_EPSILON };
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new JobSpecError('privacy', `must be a mapping like { epsilon: 1 }, got ${JSON.stringify(v)}`);
  for (const k of Object.keys(v))
    if (k !== 'epsilon') throw new JobSpecError(`privacy.${k}`, 'unknown field; known fields: epsilon');
  const epsilon = (v as Obj).epsilon ?? DEFAULT_OVERLAP_EPSILON;
  const { min, max } = OVERLAP_EPSILON_RANGE;
  if (typeof epsilon !== 'number' || !(epsilon >= min && epsilon <= max))
    throw new JobSpecError(
      'privacy.epsilon',
      `must be a number from ${min} to ${max} (the noise on the released count has scale 1/epsilon), ` +
        `got ${JSON.stringify(epsilon)}`,
    );
  return { epsilon };
}
