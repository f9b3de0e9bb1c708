/**
 * Which shared customers are held out to measure the joint model: a customer is in the test set when
 * SHA-256(domain || seed || 0 || its normalised identifier), read as a number in [0, 1), is below testFraction.
 * Each party decides from its own identifiers, so both agree on every shared customer without exchanging anything,
 * and a run's baselines (the CLI demo's centralised and guest-only models) can use exactly the same rows. The split
 * is public (the seed is in the job spec); it says nothing about which customers are shared.
 */
import { createHash } from 'node:crypto';
import { normaliseIdentifier } from '@tessera/psi';

const DOMAIN = 'tessera/v1/vertical-held-out\0';

/** True when the customer with this identifier is held out for evaluation under (seed, testFraction). */
export function isHeldOut(id: string, seed: string, testFraction: number): boolean {
  if (!(testFraction > 0 && testFraction <= 0.5))
    throw new RangeError(`testFraction must be in (0, 0.5], got ${testFraction}`);
  const d = createHash('sha256')
    .update(DOMAIN)
    .update(seed, 'utf8')
    .update('\0')
    .update(normaliseIdentifier(id), 'utf8');
  const digest = d.digest();
  // 53 bits of the digest as a uniform double in [0, 1).
  const u = (digest.readUInt32BE(0) * 2 ** 21 + (digest.readUInt32BE(4) >>> 11)) / 2 ** 53;
  return u < testFraction;
}

/**
 * The training and test positions (increasing) of aligned rows whose identifiers, in the agreed order, are `ids`.
 * Refuses a split that leaves either side empty, naming the fix.
 */
export function heldOutSplit(
  ids: readonly string[],
  seed: string,
  testFraction: number,
): { train: Uint32Array; test: Uint32Array } {
  const train: number[] = [];
  const test: number[] = [];
  ids.forEach((id, i) => {
    (isHeldOut(id, seed, testFraction) ? test : train).push(i);
  });
  if (test.length === 0 || train.length < 2)
    throw new RangeError(
      `the ${ids.length} shared customers leave ${test.length} to test and ${train.length} to train at testFraction ` +
        `${testFraction}; share more customers or change testFraction`,
    );
  return { train: Uint32Array.from(train), test: Uint32Array.from(test) };
}
