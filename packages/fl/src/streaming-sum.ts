import { checkChunk } from './check-chunk.js';
import type { SummedUpdates } from './strategy.js';

/** Running weighted sum of vectors that arrive in chunks; memory O(d). */
export class StreamingSum {
  private readonly sum: Float64Array;
  private totalWeight = 0;
  private contributors = 0;

  constructor(readonly dimension: number) {
    if (!(Number.isInteger(dimension) && dimension >= 0))
      throw new RangeError(`dimension must be an integer >= 0, got ${dimension}`);
    this.sum = new Float64Array(dimension);
  }

  /**
   * Adds weight·values into [offset, offset+values.length); rejects (before adding anything) chunks out of bounds or
   * with non-finite values.
   */
  addChunk(offset: number, values: ArrayLike<number>, weight: number): void {
    if (!Number.isFinite(weight)) throw new RangeError(`chunk at offset ${offset} has non-finite weight ${weight}`);
    checkChunk(offset, values, this.dimension);
    // checkChunk: offset + values.length <= dimension = sum.length.
    for (let k = 0; k < values.length; k++) this.sum[offset + k]! += weight * values[k]!;
  }

  /** Record one finished contribution of the given weight. */
  commit(weight: number): void {
    if (!(Number.isFinite(weight) && weight >= 0))
      throw new RangeError(`contribution weight must be finite and >= 0, got ${weight}`);
    this.totalWeight += weight;
    this.contributors++;
  }

  /** A snapshot of the sum so far. */
  result(): SummedUpdates {
    return { weightedSum: this.sum.slice(), totalWeight: this.totalWeight, contributors: this.contributors };
  }
}
