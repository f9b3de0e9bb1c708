// The attempts of one round of a multi-round job (recommend, catalogue): retried until a sum completes or they run out.
import type { ParticipantSession } from '../service/participant-session.js';

/** An attempt's outcome; either way with the participants that refused it on their owners' terms, and why. */
export type AttemptOutcome<T> = ({ ok: true; value: T } | { ok: false; reason: string }) & {
  refusals: ReadonlyMap<string, string>;
};

/** What the attempts of a round need from their job. */
export interface RoundAttempts {
  attempts: number;
  /** How messages name the round: "round 3", "round 2/5", "the evaluation". */
  what: string;
  signal: AbortSignal;
  publish(message: string): void;
  /** The participants to ask this attempt (waits for enough). */
  willing(): Promise<ParticipantSession[]>;
  /** Keeps an attempt's refusals in the job's context. */
  noteRefusals(found: ReadonlyMap<string, string>): Promise<void>;
}

/**
 * Waits for enough participants and runs `once` until it completes or `a.attempts` ran out (then throws with the last
 * reason); the refusals of every attempt are noted, so the next attempt does not ask those participants again.
 */
export async function withAttempts<T extends object>(
  a: RoundAttempts,
  once: (sessions: ParticipantSession[], attempt: number) => Promise<AttemptOutcome<T>>,
): Promise<T & { attempt: number }> {
  let last = '';
  for (let attempt = 1; attempt <= a.attempts; attempt++) {
    if (a.signal.aborted) throw new Error('cancelled');
    const sessions = await a.willing();
    const r = await once(sessions, attempt);
    await a.noteRefusals(r.refusals);
    if (r.ok) return { ...r.value, attempt };
    last = r.reason;
    if (!a.signal.aborted) a.publish(`${a.what} attempt ${attempt} failed: ${r.reason}`);
  }
  if (a.signal.aborted) throw new Error('cancelled');
  throw new Error(`${a.what} failed ${a.attempts} time(s); last: ${last}`);
}
