import type { RoundRecord } from '../store/store.js';
import type { RoundFailureReason } from './metric-labels.js';

/**
 * The words a failed round's error carries for each cause, first match wins: the stage runner's own phrases for a
 * cancelled job and a missed deadline (rounds/stage.ts), a collector's for a disconnect (rounds/collectors.ts), then
 * the aggregators' and runners' summaries. A cause named for one participant is the round's cause: a round fails
 * when too few answer, and the error lists why each of the others did not.
 */
const CAUSES: readonly [RoundFailureReason, string][] = [
  ['cancelled', 'the job was cancelled'],
  ['timeout', 'no answer before the round deadline'],
  ['disconnected', 'disconnected during the round'],
  ['secure_aggregation', 'secure aggregation failed'],
  ['too_few_contributors', 'fewer than minParticipants'],
];

/** Why a failed round failed, as one of the fixed labels of tessera_round_failures_total (never its free text). */
export function roundFailureReason(round: Pick<RoundRecord, 'error'>): RoundFailureReason {
  return CAUSES.find(([, words]) => round.error.includes(words))?.[0] ?? 'error';
}
