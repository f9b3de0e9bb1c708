/**
 * The SALE stage: before a sale is split, every member of the product is asked (a SALE task) whether its owner's
 * policy lets its data be sold to this buyer as this product. The node writes the sale to its audit log whatever it
 * decides, so every sale that includes a member is in that member's audit. TaskDone is consent; TaskRefused on the
 * owner's terms is a `policy` refusal; a member not connected, silent until the deadline, or failing is `unavailable`.
 */
import type { SaleRefusal } from '@tessera/payouts';
import { tessera } from '@tessera/proto';
import { MetricsCollector } from '../rounds/collectors.js';
import { runStage } from '../rounds/stage.js';
import type { ParticipantSession } from '../service/participant-session.js';
import type { SessionRegistry } from '../service/registry.js';
import type { TaskKey } from '../service/task-ref.js';

const pb = tessera.v1;

/** How long members have to answer a sale (and a member busy with a job's task, to become free). */
export const SALE_CONSENT_MS = 30_000;

/** Of the caller's deadline, what settling and answering a sale needs after the members have answered. */
export const SALE_ANSWER_MARGIN_MS = 2_000;

/**
 * How long members have to answer a sale whose caller waits until `deadline` (grpc's: a Date or ms; Infinity or
 * undefined: no deadline): SALE_CONSENT_MS, or less so that the sale is settled and answered before the caller gives
 * up (a sale written after its caller stopped waiting would surprise it).
 */
export function consentWindow(deadline: Date | number | undefined, now = Date.now()): number {
  const until = deadline instanceof Date ? deadline.getTime() : (deadline ?? Number.POSITIVE_INFINITY);
  return Math.max(0, Math.min(SALE_CONSENT_MS, until - now - SALE_ANSWER_MARGIN_MS));
}

/** What runStage says of a participant that did not answer by the deadline. */
const NO_ANSWER = 'no answer before the round deadline';

/** How often a member busy with another job's task is looked at again. */
const BUSY_POLL_MS = 100;

export interface SaleConsent {
  /** The members that consented. */
  consenting: Set<string>;
  /** The others, in the order of `members`, and why. */
  refusals: SaleRefusal[];
}

/** The task of sale `sale.saleId`: TaskRef {job_id: the sale id, round 1, stage SALE}. */
export const saleTaskKey = (saleId: string): TaskKey => ({ jobId: saleId, round: 1, stage: pb.Stage.SALE });

/**
 * The connected session of `id` once it has no task of a job open (a job's task is never interrupted: a session holds
 * one task at a time), or why not by `until`.
 */
async function freeSession(registry: SessionRegistry, id: string, until: number): Promise<ParticipantSession | string> {
  for (;;) {
    const session = registry.connected().find((s) => s.participantId === id);
    if (!session) return 'not connected to the coordinator when the sale was made';
    if (!session.busy) return session;
    if (Date.now() + BUSY_POLL_MS > until)
      return "busy with another job's task until the sale's deadline; sell again when it is free";
    await new Promise((resolve) => setTimeout(resolve, BUSY_POLL_MS));
  }
}

/** Asks one member; its consent (true) or its refusal. */
async function askMember(
  registry: SessionRegistry,
  participant: string,
  task: tessera.v1.ISaleTask,
  until: number,
  seconds: number,
): Promise<true | SaleRefusal> {
  const session = await freeSession(registry, participant, until);
  if (typeof session === 'string') return { participant, reason: session, kind: 'unavailable' };
  const key = saleTaskKey(task.saleId ?? '');
  const outcome = await runStage({
    key,
    sessions: [session],
    request: () => ({ message: { task: { ref: key, deadlineUnixMs: until, sale: task } } }),
    collector: (_s, settle) => new MetricsCollector(key, settle),
    deadlineMs: Math.max(0, until - Date.now()),
  });
  if (outcome.results.has(participant)) return true;
  if (outcome.refusals.has(participant))
    return { participant, reason: outcome.failures.get(participant) ?? 'refused', kind: 'policy' };
  const failure = outcome.failures.get(participant);
  const reason = failure === undefined || failure === NO_ANSWER ? `no answer within the sale's ${seconds} s` : failure;
  return { participant, reason, kind: 'unavailable' };
}

/**
 * Sends the SALE task to every one of `members` (all of the product's contributors, whatever their value) at once
 * and waits for each answer, at most `deadlineMs`.
 */
export async function askConsent(
  registry: SessionRegistry,
  members: readonly string[],
  task: tessera.v1.ISaleTask,
  deadlineMs = SALE_CONSENT_MS,
): Promise<SaleConsent> {
  const until = Date.now() + deadlineMs;
  const answers = await Promise.all(members.map((m) => askMember(registry, m, task, until, deadlineMs / 1000)));
  const consenting = new Set(members.filter((_, i) => answers[i] === true));
  return { consenting, refusals: answers.filter((a): a is SaleRefusal => a !== true) };
}
