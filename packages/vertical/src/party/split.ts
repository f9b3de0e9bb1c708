/**
 * The public train/test split of the aligned rows: a Fisher-Yates permutation of 0..size-1 driven by
 * SHA-256(domain || seed || counter), the last round(size * testFraction) positions held out. Both parties (and the
 * CLI's centralised and guest-only baselines) compute the same split from the same seed; it is public, not secret.
 */
import { createHash } from 'node:crypto';

const DOMAIN = 'tessera/v1/vertical-split';

/** 32-bit words from SHA-256(DOMAIN || 0 || seed || 0 || counter), counter = 0, 1, ... (8 words per block). */
class HashWords {
  private block = new Uint32Array(0);
  private at = 0;
  private counter = 0n;

  constructor(private readonly seed: string) {}

  next(): number {
    if (this.at === this.block.length) {
      const count = Buffer.alloc(8);
      count.writeBigUInt64BE(this.counter++);
      const digest = createHash('sha256')
        .update(DOMAIN)
        .update(Buffer.from([0]))
        .update(this.seed, 'utf8')
        .update(Buffer.from([0]))
        .update(count)
        .digest();
      this.block = Uint32Array.from({ length: 8 }, (_, i) => digest.readUInt32BE(4 * i));
      this.at = 0;
    }
    return this.block[this.at++]!; // at < 8 = block.length
  }

  /** Uniform in 0..bound-1 (bound <= 2^32), by rejection: no modulo bias. */
  below(bound: number): number {
    const limit = 2 ** 32 - (2 ** 32 % bound);
    for (;;) {
      const w = this.next();
      if (w < limit) return w % bound;
    }
  }
}

/** How many of `size` aligned rows are held out: round(size * testFraction), at least 1 and leaving 1 to train. */
export function testRowCount(size: number, testFraction: number): number {
  if (!Number.isSafeInteger(size) || size < 2) throw new RangeError(`the split needs at least 2 rows, got ${size}`);
  if (!(testFraction > 0 && testFraction <= 0.5))
    throw new RangeError(`testFraction must be in (0, 0.5], got ${testFraction}`);
  return Math.min(size - 1, Math.max(1, Math.round(size * testFraction)));
}

/**
 * Splits aligned indices 0..size-1 into training and test rows (each in increasing order), deterministically from
 * `seed`. Same (size, seed, testFraction), same split, on any machine.
 */
export function splitAligned(
  size: number,
  seed: string,
  testFraction: number,
): { train: Uint32Array; test: Uint32Array } {
  const held = testRowCount(size, testFraction);
  const order = Uint32Array.from({ length: size }, (_, i) => i);
  const words = new HashWords(seed);
  for (let i = size - 1; i > 0; i--) {
    const j = words.below(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  const test = order.slice(size - held).sort();
  const train = order.slice(0, size - held).sort();
  return { train, test };
}
