import { decodeShare } from '@tessera/crypto';
import type { tessera } from '@tessera/proto';
import { SecAggError, type ServerAdvertiseKeys, type ServerMaskedInput, type ServerShareKeys, type ServerUnmask } from '@tessera/secagg';
import type { TaskKey } from '../service/task-ref.js';
import type { UploadSlots } from '../service/upload-slots.js';
import { Collector } from './collectors.js';
import type { Settle } from './stage.js';

/** Counts rejected messages by reason code for the round report. */
export class RejectionTally {
  readonly counts: Record<string, number> = {};
  note(code: string): void {
    this.counts[code] = (this.counts[code] ?? 0) + 1;
  }
}

/** Runs a secure-aggregation state's check; a SecAggError becomes the rejection reason (and is tallied). */
function attempt(tally: RejectionTally, fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof SecAggError) {
      tally.note(e.code);
      return e.message;
    }
    tally.note('malformed');
    return (e as Error).message;
  }
}

export class AdvertiseCollector extends Collector<true> {
  constructor(key: TaskKey, settle: Settle<true>, private readonly index: number, private readonly server: ServerAdvertiseKeys, private readonly tally: RejectionTally) {
    super(key, settle);
  }
  override onAdvertise(m: tessera.v1.IAdvertiseKeys): string | undefined {
    const problem = attempt(this.tally, () => this.server.receive({
      index: this.index, encryptionKey: m.encryptionKey ?? new Uint8Array(0), maskingKey: m.maskingKey ?? new Uint8Array(0), signature: m.signature ?? new Uint8Array(0),
    }));
    if (!problem) this.settle({ ok: true, result: true });
    return problem;
  }
}

export class ShareKeysCollector extends Collector<true> {
  constructor(key: TaskKey, settle: Settle<true>, private readonly index: number, private readonly server: ServerShareKeys, private readonly tally: RejectionTally) {
    super(key, settle);
  }
  override onShareKeys(m: tessera.v1.IShareKeys): string | undefined {
    const problem = attempt(this.tally, () => this.server.receive({
      index: this.index, shares: (m.shares ?? []).map((s) => ({ to: s.peer ?? -1, ciphertext: s.ciphertext ?? new Uint8Array(0) })),
    }));
    if (!problem) this.settle({ ok: true, result: true });
    return problem;
  }
}

/** Stages one participant's masked vector (in order, exact integers) and hands it to the server state when complete. */
export class MaskedInputCollector extends Collector<true> {
  private buffer: Uint32Array | undefined;
  private received = 0;
  private ended = false;

  constructor(
    key: TaskKey, settle: Settle<true>, private readonly index: number, private readonly server: ServerMaskedInput,
    private readonly dimension: number, private readonly modulus: number, private readonly slots: UploadSlots, private readonly tally: RejectionTally,
  ) {
    super(key, settle);
  }

  override async onMaskedChunk(chunk: tessera.v1.IWordChunk): Promise<string | undefined> {
    const offset = Number(chunk.offset ?? 0);
    const total = Number(chunk.total ?? 0);
    const words = chunk.words ?? [];
    const reject = (code: string, why: string) => { this.tally.note(code); return why; };
    if (total !== this.dimension) return reject('wrong-length', `masked vector length ${total} does not match the expected ${this.dimension}`);
    if (offset !== this.received) return reject('wrong-length', `masked chunk at offset ${offset} is out of order (expected offset ${this.received})`);
    if (offset + words.length > this.dimension) return reject('wrong-length', `masked chunk at offset ${offset} with ${words.length} words runs past the length ${this.dimension}`);
    for (let i = 0; i < words.length; i++) {
      if (!(words[i] < this.modulus)) return reject('wrong-modulus', `masked word ${words[i]} at index ${offset + i} is not below the modulus ${this.modulus}`);
    }
    if (!this.buffer) {
      const buffer = await this.slots.acquireWords(this.dimension);
      if (this.ended) {
        this.slots.release(buffer);
        return undefined;
      }
      this.buffer = buffer;
    }
    this.buffer.set(words, offset);
    this.received += words.length;
    return undefined;
  }

  override onDone(_done: tessera.v1.ITaskDone): string | undefined {
    if (!this.buffer || this.received !== this.dimension) {
      this.tally.note('wrong-length');
      return `the masked vector is incomplete: ${this.received} of ${this.dimension} words arrived before done`;
    }
    const problem = attempt(this.tally, () => this.server.receive({ index: this.index, y: this.buffer! }));
    if (problem) return problem;
    this.release();
    this.settle({ ok: true, result: true });
    return undefined;
  }

  override onRefused(reason: string): void {
    this.release();
    super.onRefused(reason);
  }

  override onDisconnect(): void {
    this.release();
    super.onDisconnect();
  }

  private release(): void {
    this.ended = true;
    if (this.buffer) this.slots.release(this.buffer);
    this.buffer = undefined;
  }
}

export class UnmaskCollector extends Collector<true> {
  constructor(key: TaskKey, settle: Settle<true>, private readonly index: number, private readonly server: ServerUnmask, private readonly tally: RejectionTally) {
    super(key, settle);
  }
  override onUnmask(m: tessera.v1.IUnmaskShares): string | undefined {
    const problem = attempt(this.tally, () => this.server.receive({
      index: this.index,
      selfMaskShares: (m.selfMaskShares ?? []).map((s) => ({ of: s.owner ?? -1, share: decodeShare(s.share ?? new Uint8Array(0)) })),
      maskingKeyShares: (m.maskingKeyShares ?? []).map((s) => ({ of: s.owner ?? -1, share: decodeShare(s.share ?? new Uint8Array(0)) })),
    }));
    if (!problem) this.settle({ ok: true, result: true });
    return problem;
  }
}
