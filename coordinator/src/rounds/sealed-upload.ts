import type { UploadSlots } from '../service/upload-slots.js';
import { UploadIdle } from './upload-idle.js';
import type { UploadLink } from './upload-link.js';

/** Why a sealed chunk was refused, with the code the round's rejection tally counts it under. */
export interface SealedRefusal {
  code: 'wrong-length' | 'malformed' | 'ciphertext-size';
  why: string;
}

/**
 * One participant's encrypted vector (sealed mode), pulled like any upload: on UploadReady it waits for an upload
 * slot, then grants; the ciphertexts must arrive in order, each no larger than one under the round's parameters
 * can be, each within the idle deadline. So a participant holds at most `chunkCount x maxCiphertextBytes` of the
 * coordinator's memory, and only while it holds one of the few slots. The slot is given back exactly once.
 */
export class SealedUpload {
  private readonly chunks: Uint8Array[] = [];
  private announced = false;
  private granted = false;
  private ended = false;
  private readonly idle: UploadIdle;
  /** Bytes of ciphertext held now. */
  bytes = 0;

  constructor(
    private readonly chunkCount: number,
    readonly maxCiphertextBytes: number,
    private readonly slots: UploadSlots,
    private readonly link: UploadLink,
  ) {
    this.idle = new UploadIdle(slots.idleMs, link, () => this.end());
  }

  onIdle(listener: (reason: string) => void): void {
    this.idle.onIdle(listener);
  }

  /** Handles UploadReady; the grant follows once a slot is free. */
  ready(total: number): SealedRefusal | undefined {
    if (this.announced) return { code: 'wrong-length', why: 'this upload was already announced' };
    if (total !== this.chunkCount)
      return {
        code: 'wrong-length',
        why: `an encrypted vector of ${total} ciphertexts was announced; this round takes ${this.chunkCount}`,
      };
    this.announced = true;
    void this.slots.reserve().then(async () => {
      if (this.ended) return this.slots.unreserve();
      this.granted = true;
      this.idle.touch();
      await this.link.grant().catch(() => this.end());
    });
    return undefined;
  }

  /** Checks one ciphertext's place and size and keeps it; a problem is returned as the refusal. */
  add(index: number, total: number, ciphertext: Uint8Array): SealedRefusal | undefined {
    if (!this.granted)
      return {
        code: 'wrong-length',
        why: this.announced
          ? 'encrypted chunks arrived before the upload was granted'
          : 'encrypted chunks arrived before the upload was announced',
      };
    if (index !== this.chunks.length || total !== this.chunkCount)
      return {
        code: 'wrong-length',
        why:
          `ciphertext ${index} of ${total} does not continue the ${this.chunks.length} ` +
          `of ${this.chunkCount} received`,
      };
    if (ciphertext.length === 0) return { code: 'malformed', why: `ciphertext ${index} is empty` };
    if (ciphertext.length > this.maxCiphertextBytes)
      return {
        code: 'ciphertext-size',
        why:
          `ciphertext ${index} has ${ciphertext.length} bytes, more than the ${this.maxCiphertextBytes} one under ` +
          "this round's encryption parameters can take (limit: sealed ciphertext size)",
      };
    this.chunks.push(ciphertext);
    this.bytes += ciphertext.length;
    this.idle.touch();
    return undefined;
  }

  /** Every ciphertext, once all arrived; else undefined. */
  complete(): Uint8Array[] | undefined {
    return this.granted && this.chunks.length === this.chunkCount ? this.chunks : undefined;
  }

  get progress(): string {
    return `${this.chunks.length} of ${this.chunkCount}`;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.idle.stop();
    this.chunks.length = 0;
    this.bytes = 0;
    if (this.granted) this.slots.unreserve();
    this.granted = false;
  }
}
