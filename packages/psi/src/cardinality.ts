import { PsiError } from './errors.js';
import { psiReady } from './group.js';
import { PsiParty } from './party.js';

/**
 * |A ∩ B| by running both parties of the protocol in memory (for tests, demos and the benchmark). Duplicate
 * identifiers within one list count once. Throws if the two parties disagree (they cannot, unless there is a bug).
 * Needs `await psiReady()` first.
 */
export function psiCardinality(
  a: readonly string[],
  b: readonly string[],
  options: { maxSetSize?: number } = {},
): number {
  const maxPeerSetSize = options.maxSetSize ?? Math.max(new Set(a).size, new Set(b).size);
  const alice = PsiParty.start(a, { role: 'initiator', maxPeerSetSize });
  const bob = PsiParty.start(b, { role: 'responder', maxPeerSetSize });
  const toBob = alice.party.receive(bob.message);
  const toAlice = bob.party.receive(alice.message);
  const seenByAlice = alice.party.finish(toAlice);
  const seenByBob = bob.party.finish(toBob);
  if (seenByAlice !== seenByBob) throw new PsiError('bad-message', `parties disagree: ${seenByAlice} vs ${seenByBob}`);
  return seenByAlice;
}

export interface PsiThroughput {
  /** Identifiers per side. */
  readonly n: number;
  /** Wall-clock seconds for the whole in-memory run (both sides, one thread). */
  readonly seconds: number;
  /** n / (seconds / 2): identifiers per second per side, each side having one core for half the run. */
  readonly idsPerSecondPerSide: number;
}

/**
 * Runs `psiCardinality` on two sets of `n` identifiers overlapping in floor(n/2), on this thread, and reports
 * identifiers per second per side. Both sides do the same work (n hash-to-group, 2n scalar multiplications and
 * 2n point validations each), so one side's time is taken as half the total. Awaits `psiReady()` itself (the
 * one-off initialisation is not timed).
 */
export async function measurePsiThroughput(n: number): Promise<number> {
  return (await measurePsiThroughputDetailed(n)).idsPerSecondPerSide;
}

export async function measurePsiThroughputDetailed(n: number): Promise<PsiThroughput> {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  await psiReady();
  const overlap = Math.floor(n / 2);
  const a = Array.from({ length: n }, (_, i) => `user-${i}`);
  const b = Array.from({ length: n }, (_, i) => `user-${i + n - overlap}`);
  const t0 = performance.now();
  const got = psiCardinality(a, b);
  const seconds = (performance.now() - t0) / 1000;
  if (got !== overlap) throw new Error(`measurePsiThroughput: expected ${overlap} common identifiers, got ${got}`);
  return { n, seconds, idsPerSecondPerSide: n / (seconds / 2) };
}
