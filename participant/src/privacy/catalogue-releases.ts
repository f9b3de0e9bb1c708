// A catalogue job's rounds at this node: each round released a few times at most.
import { tessera } from '@tessera/proto';
import type { PrivacyLedger } from './privacy-ledger.js';
import type { Authorisation } from './spec-authorisation.js';
import { PrivacyRefusal } from './task-spec.js';

const pb = tessera.v1;

/** Times this node releases one round of a catalogue job: its first attempt and the coordinator's retries. */
export const CATALOGUE_RELEASE_ATTEMPTS = 3;

/**
 * Refuses a catalogue round this node already released CATALOGUE_RELEASE_ATTEMPTS times for its job: every admitted
 * round is charged (privacy-guard.ts), but a data set without a privacy budget has nothing to exhaust, and a
 * coordinator replaying one round (one set of prefixes) could average its noise away and read a lone customer's
 * item. Counted by the ledger's charges, in the admitting transaction.
 */
export function checkCatalogueReleases(
  ledger: PrivacyLedger,
  task: tessera.v1.ITask,
  stage: number,
  auth: Authorisation,
): void {
  if (stage !== pb.Stage.CATALOGUE || auth.spec?.kind !== 'catalogue') return;
  const jobId = task.ref?.jobId ?? '';
  const round = Number(task.ref?.round ?? 0);
  const released = ledger.charges(task.dataset ?? '').filter((c) => c.jobId === jobId && c.round === round).length;
  if (released < CATALOGUE_RELEASE_ATTEMPTS) return;
  throw new PrivacyRefusal(
    `privacy check: round ${round} of catalogue job ${JSON.stringify(jobId)} was already released here ` +
      `${released} times (at most ${CATALOGUE_RELEASE_ATTEMPTS}: its first attempt and the retries); replaying it ` +
      'would average its noise away; the analyst re-submits the job to run it again; refused before reading any data',
  );
}
