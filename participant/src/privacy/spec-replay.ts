// Spec replay: a spec the analyst signed runs under one job id only, the first this node admitted it under.
import { sha256Hex } from '@tessera/crypto';
import type { tessera } from '@tessera/proto';
import type { Authorisation } from './spec-authorisation.js';
import type { PrivacyLedger } from './privacy-ledger.js';
import { PrivacyRefusal } from './task-spec.js';

/**
 * The key a signed spec is remembered by: SHA-256 over the analyst's identity and the hash of the exact spec text it
 * signed (not the signature's bytes, so a second valid encoding of the same signature is the same spec). An unsigned
 * spec has none: the coordinator could write any, so tying it to a job would protect nothing.
 */
export function signedSpecHash(task: tessera.v1.ITask, auth: Authorisation): string | undefined {
  const text = task.specJson ?? '';
  if (!auth.analyst || !text) return undefined;
  return sha256Hex(new TextEncoder().encode(`tessera/v1/spec-job\n${auth.analyst}\n${sha256Hex(text)}`));
}

/**
 * Refuses a task whose signed spec this node already admitted under another job id: without this a coordinator could
 * rerun an exact query or training spec under new job ids with other cohorts and difference the sums. The analyst's
 * client signs a fresh `submission.nonce` into each spec it submits, so a re-submission is a new spec and runs.
 */
export function checkNotReplayed(ledger: PrivacyLedger, task: tessera.v1.ITask, auth: Authorisation): void {
  const hash = signedSpecHash(task, auth);
  if (!hash) return;
  const jobId = task.ref?.jobId ?? '';
  const first = ledger.specJob(hash);
  if (first !== undefined && first !== jobId)
    throw new PrivacyRefusal(
      `privacy check: the analyst's signed job spec (hash ${hash.slice(0, 16)}…) already ran here as job ` +
        `${JSON.stringify(first)}; the coordinator cannot rerun it as job ${JSON.stringify(jobId)} (the analyst ` +
        're-submits the job to run it again: its client signs a fresh submission nonce); ' +
        'refused before reading any data',
    );
}

/** Records the job id of the first task admitted under a signed spec (in the admitting ledger transaction). */
export function bindSpecToJob(ledger: PrivacyLedger, task: tessera.v1.ITask, auth: Authorisation): void {
  const hash = signedSpecHash(task, auth);
  if (hash) ledger.bindSpecJob(hash, task.ref?.jobId ?? '', Date.now());
}
