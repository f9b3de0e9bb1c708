import { tessera } from '@tessera/proto';
import type { OwnersRefusal } from './stage.js';

const pb = tessera.v1;

/** Whether a participant's refusal was on its owner's terms (privacy, consent, query rules), not a failure. */
export const ownersRefusal = (kind: tessera.v1.RefusalKind | null | undefined): kind is OwnersRefusal =>
  kind === pb.RefusalKind.REFUSAL_PRIVACY ||
  kind === pb.RefusalKind.REFUSAL_CONSENT ||
  kind === pb.RefusalKind.REFUSAL_QUERY_RULES;

/** The refusals among a stage's failures, with their reasons, for job.refusals. */
export function refusalReasons(outcome: {
  failures: ReadonlyMap<string, string>;
  refusals: ReadonlyMap<string, OwnersRefusal>;
}): Map<string, string> {
  return new Map([...outcome.refusals.keys()].map((id) => [id, outcome.failures.get(id) ?? '']));
}
