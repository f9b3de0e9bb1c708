/**
 * Bounds how many contributions are being received at once. Each upload is staged in a
 * buffer of length d until it is complete and then added to the running sum, so peak memory is
 * (slots + 1) * d whatever the number of participants; a participant waiting for a slot simply
 * stops being read, and gRPC flow control holds its sender back.
 */
export class UploadSlots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  private readonly pool = new Map<number, Float64Array[]>();

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`upload slots must be a positive integer, got ${size}`);
    this.free = size;
  }

  async acquire(dimension: number): Promise<Float64Array> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    const buffers = this.pool.get(dimension);
    const buffer = buffers?.pop() ?? new Float64Array(dimension);
    buffer.fill(0);
    return buffer;
  }

  release(buffer: Float64Array): void {
    const buffers = this.pool.get(buffer.length) ?? [];
    if (buffers.length < this.size) buffers.push(buffer);
    this.pool.clear();
    this.pool.set(buffer.length, buffers);
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
