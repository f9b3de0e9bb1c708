import { DEFAULT_RESOURCE_LIMITS } from '../limits/resource-limits.js';

/**
 * Bounds how many contributions are being received at once. Each upload is staged in a
 * buffer of length d until it is complete and then added to the running sum, so peak memory is
 * (slots + 1) * d whatever the number of participants; a participant waiting for a slot simply
 * stops being read, and gRPC flow control holds its sender back. Sealed uploads take a slot without a
 * buffer (`reserve`): they hold their ciphertexts, each at most the size one can take. A granted slot that
 * sees no chunk for `idleMs` is taken back (StagedUpload, SealedUpload).
 */
type Buffer = Float64Array | Uint32Array;

export class UploadSlots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  private readonly pool = new Map<string, Buffer[]>();

  constructor(
    readonly size: number,
    /** How long a granted upload may go without a chunk before its slot is taken back. */
    readonly idleMs: number = DEFAULT_RESOURCE_LIMITS.uploadIdleSeconds * 1000,
    /** Told how many seconds each slot was waited for (0 when one was free): tessera_upload_slot_wait_seconds. */
    private readonly onWait?: (seconds: number) => void,
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`upload slots must be a positive integer, got ${size}`);
    this.free = size;
  }

  private async slot(): Promise<void> {
    const asked = performance.now();
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.onWait?.((performance.now() - asked) / 1000);
  }

  /** A slot without a staging buffer; give it back with `unreserve`. */
  async reserve(): Promise<void> {
    await this.slot();
  }

  unreserve(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }

  async acquire(dimension: number): Promise<Float64Array> {
    await this.slot();
    return this.take(`f64/${dimension}`, () => new Float64Array(dimension)) as Float64Array;
  }

  /** A staging buffer for ring elements (masked contributions). */
  async acquireWords(dimension: number): Promise<Uint32Array> {
    await this.slot();
    return this.take(`u32/${dimension}`, () => new Uint32Array(dimension)) as Uint32Array;
  }

  private take(key: string, make: () => Buffer): Buffer {
    const buffer = this.pool.get(key)?.pop() ?? make();
    buffer.fill(0);
    return buffer;
  }

  release(buffer: Buffer): void {
    const key = `${buffer instanceof Float64Array ? 'f64' : 'u32'}/${buffer.length}`;
    const buffers = this.pool.get(key) ?? [];
    if (buffers.length < this.size) buffers.push(buffer);
    this.pool.clear();
    this.pool.set(key, buffers);
    this.unreserve();
  }
}
