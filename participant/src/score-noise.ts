// Private encrypted scoring: each segment's clipped fixed-point sums, with this node's integer noise share added.
import type { Random } from '@tessera/crypto';
import { discreteGaussianSampler } from '@tessera/dp';
import type { ScoreNoise } from '@tessera/jobs';

/** Integers at or above this could lose exactness in a double: the sums are refused before that. */
const EXACT_LIMIT = 2 ** 52;

/** A segment's features sum and row count, ready to score: noisy values divided by the fixed-point scale. */
export interface SegmentSums {
  sum: Float64Array;
  count: number;
}

/**
 * Accumulates rows into per-segment integer vectors (round(scale·x), countWeight), x the row's encoded
 * features scaled down to L2 norm at most `clip` (the bound the sensitivity in scoreNoise assumes),
 * then adds an independent discrete Gaussian share of `noise.shareVariance` to every coordinate
 * (features and count) of every segment, in integers; only the noisy integers are divided by the
 * scale (a power of two: exact) or the count weight for the encrypted scoring. No float carries noise.
 */
export class NoisySegmentSums {
  private readonly sums: Float64Array[];
  private readonly rows: number[];

  constructor(
    segments: number,
    private readonly d: number,
    private readonly clip: number,
    private readonly noise: Pick<ScoreNoise, 'scale' | 'countWeight' | 'shareVariance'>,
  ) {
    this.sums = Array.from({ length: segments }, () => new Float64Array(d + 1));
    this.rows = Array.from({ length: segments }, () => 0);
  }

  /** Adds row `x[base, base + d)` to segment `s`. */
  add(s: number, x: Float64Array, base: number): void {
    const sum = this.sums[s];
    if (!sum) throw new RangeError(`segment ${s} is not one of the ${this.sums.length} declared`);
    let norm2 = 0;
    for (let j = 0; j < this.d; j++) norm2 += x[base + j]! ** 2;
    const norm = Math.sqrt(norm2);
    const factor = (norm > this.clip ? this.clip / norm : 1) * this.noise.scale;
    for (let j = 0; j < this.d; j++) sum[j]! += Math.round(x[base + j]! * factor);
    sum[this.d]! += this.noise.countWeight;
    this.rows[s]!++;
  }

  /** Rows added to segment `s` (exact; never released). */
  rowsIn(s: number): number {
    return this.rows[s] ?? 0;
  }

  /** Every segment's noisy sums, in real units; each call draws fresh noise, so call it once. */
  release(rng: Random): SegmentSums[] {
    const draw = discreteGaussianSampler(this.noise.shareVariance, rng);
    return this.sums.map((exact, s) => {
      const noisy = new Float64Array(this.d + 1);
      for (let j = 0; j <= this.d; j++) {
        const v = exact[j]! + draw();
        if (!(Math.abs(v) < EXACT_LIMIT))
          throw new RangeError(
            `segment ${s}: a fixed-point sum reached ${v}, beyond exact integers; ` +
              'lower privacy.clip or score fewer rows',
          );
        noisy[j] = v / (j < this.d ? this.noise.scale : this.noise.countWeight);
      }
      return { sum: noisy.subarray(0, this.d), count: noisy[this.d]! };
    });
  }
}
