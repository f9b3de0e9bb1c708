// The kind of a refusal, from the error that caused it, for TaskRefused.kind.
import { DataError } from '@tessera/data';
import { tessera } from '@tessera/proto';
import { ConsentRefusal } from './consent/consent-guard.js';
import { BudgetRefusal } from './privacy/privacy-guard.js';
import { ProtectionRefusal } from './privacy/protection-minimums.js';
import { PrivacyRefusal } from './privacy/task-spec.js';
import { QueryGuardRefusal } from './query-guard.js';

const pb = tessera.v1;

/**
 * Privacy, budget and protection-minimum refusals, consent refusals and query-rule refusals are the owner's terms;
 * anything else is a failure.
 */
export function refusalKindOf(e: unknown): tessera.v1.RefusalKind {
  // The node's own protection minimums are privacy terms of its owner too (job.refusals shows them).
  if (e instanceof PrivacyRefusal || e instanceof BudgetRefusal || e instanceof ProtectionRefusal)
    return pb.RefusalKind.REFUSAL_PRIVACY;
  if (e instanceof ConsentRefusal) return pb.RefusalKind.REFUSAL_CONSENT;
  if (e instanceof QueryGuardRefusal) return pb.RefusalKind.REFUSAL_QUERY_RULES;
  // The data set cannot serve the job (a missing column, a wrong type): asking again will not change that.
  if (e instanceof DataError) return pb.RefusalKind.REFUSAL_DATA;
  return pb.RefusalKind.REFUSAL_FAILURE;
}
