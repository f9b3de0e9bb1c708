import type { Random } from '@tessera/crypto';
import { MAX_SAFE } from './rational.js';

const TWO_32 = 4294967296;

/** Uniform integer in [0, n) for an integer 1 <= n <= 2^53 - 1, without bias (rejection sampling). */
export function uniformBelow(n: number, rng: Random): number {
  if (n <= TWO_32) return rng.int(n);
  if (!(n <= MAX_SAFE) || !Number.isInteger(n))
    throw new RangeError(`uniformBelow needs an integer 1 <= n < 2^53, got ${n}`);
  const highRange = Math.ceil(n / TWO_32); // <= 2^21, so every candidate below is an exact double
  for (;;) {
    const candidate = rng.int(highRange) * TWO_32 + rng.int(TWO_32);
    if (candidate < n) return candidate;
  }
}

/** Uniform bigint in [0, n) for n >= 1, without bias (rejection sampling on whole bytes). */
export function uniformBelowBig(n: bigint, rng: Random): bigint {
  if (n < 1n) throw new RangeError(`uniformBelowBig needs n >= 1, got ${n}`);
  if (n <= BigInt(MAX_SAFE)) return BigInt(uniformBelow(Number(n), rng));
  const bits = n.toString(2).length;
  const byteCount = Math.ceil(bits / 8);
  const topMask = (1 << (bits - 8 * (byteCount - 1))) - 1;
  for (;;) {
    const bytes = rng.bytes(byteCount);
    bytes[0]! &= topMask; // n > 2^53 - 1 here, so byteCount >= 7
    let candidate = 0n;
    for (const b of bytes) candidate = (candidate << 8n) | BigInt(b);
    if (candidate < n) return candidate;
  }
}
