import { JobSpecError, num, type Obj } from './job-spec-fields.js';

/**
 * The largest values a job spec may ask for. The coordinator and the participants size memory, time and
 * retries from these fields, so a spec over a cap is refused at submission (and again wherever a task is
 * sized from it) with a JobSpecError naming the field and the cap, before anything is allocated.
 * The caps are generous: far above any job the project runs, far below what exhausts a machine.
 */
export const SPEC_CAPS = {
  /** Training rounds: every round is a model the store keeps and a deadline the job may wait out. */
  rounds: 10_000,
  /** Attempts of one round: each may wait a whole `roundTimeoutSeconds` for silent participants. */
  maxRoundAttempts: 100,
  /** Local passes over a participant's rows per round. */
  epochs: 1_000,
  /** Entries of a query's result vector (groups x counters + sections): each is a word every participant uploads. */
  queryVectorLength: 1 << 20,
  /**
   * Identifiers one side of an audience overlap may put in: its blinded set (32 bytes a point) travels in one
   * message, which must stay under the 8 MiB message limit (proto MAX_MESSAGE_BYTES).
   */
  psiSetSize: 250_000,
} as const;

export type SpecCap = keyof typeof SPEC_CAPS;

/** The refusal of a value over its cap: the field, the cap and where the caps are listed. */
export function overCap(field: string, cap: SpecCap, got: number): JobSpecError {
  return new JobSpecError(
    field,
    `must be at most ${SPEC_CAPS[cap]} (the ${cap} cap; docs/job-spec.md lists the caps), got ${got}`,
  );
}

/** `num` for a field with a cap: the field's own checks, then the cap. */
export function cappedNum(
  o: Obj,
  key: string,
  path: string,
  fallback: number,
  cap: SpecCap,
  check: { int?: boolean; min?: number },
): number {
  const v = num(o, key, path, fallback, check);
  if (v > SPEC_CAPS[cap]) throw overCap(path + key, cap, v);
  return v;
}

/** Refuses a query whose result vector is longer than the cap, before any participant allocates it. */
export function checkQueryVectorLength(length: number): void {
  if (length > SPEC_CAPS.queryVectorLength)
    throw new JobSpecError(
      'sql',
      `the query's result vector has ${length} entries, more than the ${SPEC_CAPS.queryVectorLength} of the ` +
        'queryVectorLength cap (docs/job-spec.md lists the caps); declare fewer domain values, bins or sketch cells',
    );
}
