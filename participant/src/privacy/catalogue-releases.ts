// A catalogue job's rounds at this node: each round released a few times at most, the job maxLength + 1 times.
import { catalogueReleases } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import type { PrivacyLedger } from './privacy-ledger.js';
import type { Authorisation } from './spec-authorisation.js';
import { PrivacyRefusal } from './task-spec.js';

const pb = tessera.v1;

/** Times this node releases one round of a catalogue job: its first attempt and the coordinator's retries. */
export const CATALOGUE_RELEASE_ATTEMPTS = 3;

/**
 * Refuses a catalogue round this node already released CATALOGUE_RELEASE_ATTEMPTS times for its job, or any round
 * once the job's releases here reach catalogueReleases(spec) (maxLength + 1, retries included): every admitted round
 * is charged (privacy-guard.ts), but a data set without a privacy budget has nothing to exhaust; a coordinator
 * replaying one round (one set of prefixes) could average its noise away and read a lone customer's item, and one
 * retrying every round would spend up to three times the releases the spec's epsilon is calibrated for. With both
 * caps, the spec's epsilon is all a job spends here. Counted by the ledger's charges, in the admitting transaction.
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
  const charges = ledger.charges(task.dataset ?? '').filter((c) => c.jobId === jobId);
  const job = `catalogue job ${JSON.stringify(jobId)}`;
  const released = charges.filter((c) => c.round === round).length;
  if (released >= CATALOGUE_RELEASE_ATTEMPTS)
    throw new PrivacyRefusal(
      `privacy check: round ${round} of ${job} was already released here ${released} times (at most ` +
        `${CATALOGUE_RELEASE_ATTEMPTS}: its first attempt and the retries); replaying it would average its noise ` +
        'away; the analyst re-submits the job to run it again; refused before reading any data',
    );
  const most = catalogueReleases(auth.spec.spec);
  if (charges.length < most) return;
  throw new PrivacyRefusal(
    `privacy check: ${job} was already released here ${charges.length} times in all (maxLength + 1 = ${most}, ` +
      "retries included, the releases the spec's epsilon covers); round " +
      `${round} would spend more than that epsilon; the analyst re-submits the job to run it again; ` +
      'refused before reading any data',
  );
}
