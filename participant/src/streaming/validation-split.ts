// Which scanned rows are validation rows, decided per row so that no index list is held.
import { createHash } from 'node:crypto';

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
function mix(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * A row is a validation row when a hash of (seed, its 0-based position in the scan) falls under `fraction`: the split
 * is the same on every scan and every epoch, and about `fraction` of the rows. Not secret (the job's seed is known to
 * the coordinator), exactly as the in-memory split by that seed; under differential privacy there is no split.
 */
export function validationRows(seed: string, fraction: number): (position: number) => boolean {
  if (!(fraction > 0)) return () => false;
  const digest = createHash('sha256').update(`validation-split/${seed}`).digest();
  const k1 = digest.readUInt32LE(0);
  const k2 = digest.readUInt32LE(4);
  const threshold = Math.min(1, fraction) * 2 ** 32;
  return (position) => {
    const low = position >>> 0;
    const high = Math.floor(position / 2 ** 32);
    return mix(mix(low ^ k1) ^ high ^ k2) < threshold;
  };
}
