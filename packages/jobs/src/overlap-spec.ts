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
}

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
];

export function parseOverlapSpec(input: unknown): OverlapSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new JobSpecError('(root)', 'an overlap job spec is an object');
  const o = input as Obj;
  for (const k of Object.keys(o))
    if (!FIELDS.includes(k)) throw new JobSpecError(k, `unknown field; known fields: ${FIELDS.join(', ')}`);
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
  };
}
