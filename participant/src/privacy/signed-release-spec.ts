// What a recommend or catalogue task needs before this node reads any data: the analyst-signed spec of its own kind,
// and a cohort that can carry the noise this node computes from that spec.
import { JobSpecError } from '@tessera/jobs';
import type { tessera } from '@tessera/proto';
import { PrivacyRefusal } from './task-spec.js';

/**
 * A `kind` task reads the merchant's data (`reads`: "item ids", "interactions") only for a job an analyst signed: the
 * task must carry a `kind` spec with a signature that verified (authorisationOf), whatever else it says.
 */
export function requireSignedKindSpec(
  auth: { analyst: string; spec?: { kind: string } },
  kind: 'catalogue' | 'recommend',
  reads: string,
): void {
  if (!auth.spec)
    throw new PrivacyRefusal(
      `privacy check: a ${kind} task must carry the analyst-signed ${kind} job spec, and this one carries none; ` +
        'refused before reading any data',
    );
  if (auth.spec.kind !== kind)
    throw new PrivacyRefusal(
      `privacy check: the task asks for stage ${kind}, which a ${auth.spec.kind} job does not have ` +
        `(the task's spec is a ${auth.spec.kind} job); refused before reading any data`,
    );
  if (!auth.analyst)
    throw new PrivacyRefusal(
      `privacy check: the ${kind} task's job spec carries no analyst signature; this node reads ${reads} only ` +
        'for a job an analyst signed (submit it signed); refused before reading any data',
    );
}

/**
 * The noise of a `kind` round as `compute` gives it for the round's cohort (n participants); a PrivacyRefusal when the
 * cohort cannot carry it (the spec functions throw a JobSpecError or a RangeError).
 */
export function cohortNoise<T>(
  task: tessera.v1.ITask,
  kind: 'catalogue' | 'recommend',
  compute: (participants: number) => T,
): T {
  const n = (task.secure?.participantIds ?? []).length;
  try {
    return compute(n);
  } catch (e) {
    if (e instanceof JobSpecError || e instanceof RangeError)
      throw new PrivacyRefusal(
        `privacy check: this round of ${n} participants cannot carry the ${kind} job's noise (${e.message}); ` +
          'refused before reading any data',
      );
    throw e;
  }
}
