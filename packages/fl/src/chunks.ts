import { checkChunk } from './check-chunk.js';

export interface Chunk {
  offset: number;
  values: Float64Array;
}

/** Consecutive zero-copy slices of `v` of at most `chunkSize` values each. */
export function* chunksOf(v: Float64Array, chunkSize: number): Generator<Chunk> {
  if (!(Number.isInteger(chunkSize) && chunkSize >= 1))
    throw new RangeError(`chunkSize must be an integer >= 1, got ${chunkSize}`);
  for (let offset = 0; offset < v.length; offset += chunkSize) {
    yield { offset, values: v.subarray(offset, Math.min(v.length, offset + chunkSize)) };
  }
}

/** Reassembles a vector of known length from chunks arriving in any order, each position exactly once. */
export class ChunkAssembler {
  private readonly values: Float64Array;
  private readonly filled: Uint8Array;
  private received = 0;

  constructor(readonly total: number) {
    if (!(Number.isInteger(total) && total >= 0)) throw new RangeError(`total must be an integer >= 0, got ${total}`);
    this.values = new Float64Array(total);
    this.filled = new Uint8Array(total);
  }

  /**
   * Rejects, with a RangeError naming the offset and before storing anything, chunks out of range, overlapping earlier
   * ones, or holding NaN/±Infinity.
   */
  add(offset: number, values: ArrayLike<number>): void {
    checkChunk(offset, values, this.total);
    const overlap = this.filled.subarray(offset, offset + values.length).indexOf(1);
    if (overlap !== -1) {
      throw new RangeError(`chunk at offset ${offset} overlaps values already received (at index ${offset + overlap})`);
    }
    this.values.set(values, offset);
    this.filled.fill(1, offset, offset + values.length);
    this.received += values.length;
  }

  get complete(): boolean {
    return this.received === this.total;
  }

  /** The assembled vector (owned by the caller from now on); throws naming the first missing offset if incomplete. */
  result(): Float64Array {
    if (!this.complete) {
      throw new RangeError(
        `vector incomplete: ${this.total - this.received} of ${this.total} values missing, ` +
          `first at offset ${this.filled.indexOf(0)}`,
      );
    }
    return this.values;
  }
}
