import { tessera } from '@tessera/proto';
import type { OwnersRefusal } from './stage.js';

const pb = tessera.v1;

/**
 * Whether a participant's refusal was on its owner's terms (privacy, consent, query rules) or its data set cannot serve
 * the job (REFUSAL_DATA), not a passing failure: either way the participant is not asked again for this job.
 */
export const ownersRefusal = (kind: tessera.v1.RefusalKind | null | undefined): kind is OwnersRefusal =>
  kind === pb.RefusalKind.REFUSAL_PRIVACY ||
  kind === pb.RefusalKind.REFUSAL_CONSENT ||
  kind === pb.RefusalKind.REFUSAL_QUERY_RULES ||
  kind === pb.RefusalKind.REFUSAL_DATA;

/** The refusals among a stage's failures, with their reasons, for job.refusals. */
export function refusalReasons(outcome: {
  failures: ReadonlyMap<string, string>;
  refusals: ReadonlyMap<string, OwnersRefusal>;
}): Map<string, string> {
  return new Map([...outcome.refusals.keys()].map((id) => [id, outcome.failures.get(id) ?? '']));
}
