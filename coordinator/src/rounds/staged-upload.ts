import type { UploadSlots } from '../service/upload-slots.js';
import { UploadIdle } from './upload-idle.js';
import type { UploadLink } from './upload-link.js';

type Staging = Float64Array | Uint32Array;

/**
 * One participant's vector upload, pulled by the coordinator: on UploadReady it waits for a
 * staging slot (without blocking the participant's stream), then grants the upload; chunks must
 * arrive in order after the grant, each within the slots' idle deadline of the one before (or of the
 * grant), or the slot is taken back. Whatever happens, the slot is released exactly once.
 */
export class StagedUpload<B extends Staging> {
  private buffer: B | undefined;
  private received = 0;
  private requested = false;
  private ended = false;
  private readonly idle: UploadIdle;

  constructor(
    private readonly dimension: number,
    private readonly acquire: () => Promise<B>,
    private readonly slots: UploadSlots,
    private readonly link: UploadLink,
  ) {
    this.idle = new UploadIdle(slots.idleMs, link, () => this.end());
  }

  /** Called with the reason when the slot is taken back for idleness. */
  onIdle(listener: (reason: string) => void): void {
    this.idle.onIdle(listener);
  }

  /** Handles UploadReady; the grant follows asynchronously once a slot is free. */
  ready(total: number): string | undefined {
    if (this.requested) return 'this upload was already announced';
    if (total !== this.dimension) return `vector length ${total} does not match the expected ${this.dimension}`;
    this.requested = true;
    void this.acquire().then(async (buffer) => {
      if (this.ended) return this.slots.release(buffer);
      this.buffer = buffer;
      // From the grant on (even while it waits in a full stream), the slot is this participant's to use or lose.
      this.idle.touch();
      await this.link.grant().catch(() => this.end());
    });
    return undefined;
  }

  /** Checks placement and stores one chunk; a problem is returned as the rejection reason. */
  add(offset: number, total: number, values: ArrayLike<number>): string | undefined {
    if (!this.buffer)
      return this.requested ? 'chunk sent before the upload was granted' : 'chunk sent without UploadReady';
    if (total !== this.dimension) return `vector length ${total} does not match the expected ${this.dimension}`;
    if (offset !== this.received) return `chunk at offset ${offset} is out of order (expected offset ${this.received})`;
    if (offset + values.length > this.dimension)
      return `chunk at offset ${offset} with ${values.length} values runs past the vector length ${this.dimension}`;
    this.buffer.set(values, offset);
    this.received += values.length;
    this.idle.touch();
    return undefined;
  }

  /** The complete vector, or undefined while incomplete. */
  complete(): B | undefined {
    return this.buffer && this.received === this.dimension ? this.buffer : undefined;
  }

  get progress(): string {
    return `${this.received} of ${this.dimension}`;
  }

  end(): void {
    this.ended = true;
    this.idle.stop();
    if (this.buffer) this.slots.release(this.buffer);
    this.buffer = undefined;
  }
}
