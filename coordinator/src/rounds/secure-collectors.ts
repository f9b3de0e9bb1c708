import { decodeShare } from '@tessera/crypto';
import type { tessera } from '@tessera/proto';
import {
  SecAggError,
  type ServerAdvertiseKeys,
  type ServerConsistencyCheck,
  type ServerMaskedInput,
  type ServerShareKeys,
  type ServerUnmask,
} from '@tessera/secagg';
import type { TaskKey } from '../service/task-ref.js';
import type { UploadSlots } from '../service/upload-slots.js';
import { Collector, UploadCollector } from './collectors.js';
import { SealedUpload, type SealedRefusal } from './sealed-upload.js';
import { StagedUpload } from './staged-upload.js';
import type { UploadLink } from './upload-link.js';
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
  constructor(
    key: TaskKey,
    settle: Settle<true>,
    private readonly index: number,
    private readonly server: ServerAdvertiseKeys,
    private readonly tally: RejectionTally,
  ) {
    super(key, settle);
  }
  override onAdvertise(m: tessera.v1.IAdvertiseKeys): string | undefined {
    const problem = attempt(this.tally, () =>
      this.server.receive({
        index: this.index,
        encryptionKey: m.encryptionKey ?? new Uint8Array(0),
        maskingKey: m.maskingKey ?? new Uint8Array(0),
        signature: m.signature ?? new Uint8Array(0),
      }),
    );
    if (!problem) this.settle({ ok: true, result: true });
    return problem;
  }
}

export class ShareKeysCollector extends Collector<true> {
  constructor(
    key: TaskKey,
    settle: Settle<true>,
    private readonly index: number,
    private readonly server: ServerShareKeys,
    private readonly tally: RejectionTally,
  ) {
    super(key, settle);
  }
  override onShareKeys(m: tessera.v1.IShareKeys): string | undefined {
    const problem = attempt(this.tally, () =>
      this.server.receive({
        index: this.index,
        shares: (m.shares ?? []).map((s) => ({ to: s.peer ?? -1, ciphertext: s.ciphertext ?? new Uint8Array(0) })),
      }),
    );
    if (!problem) this.settle({ ok: true, result: true });
    return problem;
  }
}

/**
 * Stages one participant's masked vector (pulled like any upload, exact integers) and hands it to the server state when
 * complete.
 */
export class MaskedInputCollector extends UploadCollector<true, StagedUpload<Uint32Array>> {
  constructor(
    key: TaskKey,
    settle: Settle<true>,
    private readonly index: number,
    /** The round's stage 3 state, or a replica's partial sum (partial-sum-holder.ts). */
    private readonly server: Pick<ServerMaskedInput, 'receive'>,
    dimension: number,
    private readonly modulus: number,
    slots: UploadSlots,
    link: UploadLink,
    private readonly tally: RejectionTally,
  ) {
    super(key, settle, new StagedUpload(dimension, () => slots.acquireWords(dimension), slots, link));
  }

  private reject(code: string, why: string | undefined): string | undefined {
    if (why) this.tally.note(code);
    return why;
  }

  override onReady(ready: tessera.v1.IUploadReady): string | undefined {
    return this.reject('wrong-length', this.upload.ready(Number(ready.total ?? 0)));
  }

  override async onMaskedChunk(chunk: tessera.v1.IWordChunk): Promise<string | undefined> {
    const offset = Number(chunk.offset ?? 0);
    const words = chunk.words ?? [];
    for (let i = 0; i < words.length; i++) {
      if (!(words[i]! < this.modulus))
        return this.reject(
          'wrong-modulus',
          `masked word ${words[i]} at index ${offset + i} is not below the modulus ${this.modulus}`,
        );
    }
    return this.reject('wrong-length', this.upload.add(offset, Number(chunk.total ?? 0), words));
  }

  override onDone(_done: tessera.v1.ITaskDone): string | undefined {
    const y = this.upload.complete();
    if (!y)
      return this.reject(
        'wrong-length',
        `the masked vector is incomplete: ${this.upload.progress} words arrived before done`,
      );
    return attempt(this.tally, () => this.server.receive({ index: this.index, y })) ?? this.succeed(true);
  }
}

/**
 * Sealed mode: one participant's masked vector arrives as BFV ciphertexts under the analyst's
 * key, through an upload slot (announced, granted, sent in order, each ciphertext within the size one can take,
 * then done). The complete set is added to the running ciphertext sum only then, through the server state, so a
 * broken upload never reaches the sum.
 */
export class SealedInputCollector extends UploadCollector<true, SealedUpload> {
  constructor(
    key: TaskKey,
    settle: Settle<true>,
    private readonly index: number,
    private readonly server: ServerMaskedInput,
    sealed: { chunkCount: number; maxCiphertextBytes: number },
    private readonly absorb: (chunks: Uint8Array[]) => void,
    slots: UploadSlots,
    link: UploadLink,
    private readonly tally: RejectionTally,
  ) {
    super(key, settle, new SealedUpload(sealed.chunkCount, sealed.maxCiphertextBytes, slots, link));
  }

  private reject(refusal: SealedRefusal | undefined): string | undefined {
    if (!refusal) return undefined;
    this.tally.note(refusal.code);
    return refusal.why;
  }

  override onReady(ready: tessera.v1.IUploadReady): string | undefined {
    return this.reject(this.upload.ready(Number(ready.total ?? 0)));
  }

  override onSealedChunk(chunk: tessera.v1.ISealedChunk): string | undefined {
    const bytes = chunk.ciphertext ?? new Uint8Array(0);
    return this.reject(this.upload.add(Number(chunk.index ?? -1), Number(chunk.total ?? 0), bytes));
  }

  override onDone(_done: tessera.v1.ITaskDone): string | undefined {
    const chunks = this.upload.complete();
    if (!chunks)
      return this.reject({
        code: 'wrong-length',
        why: `the encrypted vector is incomplete: ${this.upload.progress} ciphertexts arrived before done`,
      });
    const problem = attempt(this.tally, () => this.server.receiveSealed(this.index, () => this.absorb(chunks)));
    if (problem) return problem;
    return this.succeed(true);
  }
}

/** A survivor's signature over the survivor set it was shown (the server state checks it before counting it). */
export class ConsistencyCollector extends Collector<true> {
  constructor(
    key: TaskKey,
    settle: Settle<true>,
    private readonly index: number,
    private readonly server: ServerConsistencyCheck,
    private readonly tally: RejectionTally,
  ) {
    super(key, settle);
  }
  override onConsistency(m: tessera.v1.IConsistencySignature): string | undefined {
    const problem = attempt(this.tally, () =>
      this.server.receive({ index: this.index, signature: m.signature ?? new Uint8Array(0) }),
    );
    if (!problem) this.settle({ ok: true, result: true });
    return problem;
  }
}

export class UnmaskCollector extends Collector<true> {
  constructor(
    key: TaskKey,
    settle: Settle<true>,
    private readonly index: number,
    private readonly server: ServerUnmask,
    private readonly tally: RejectionTally,
  ) {
    super(key, settle);
  }
  override onUnmask(m: tessera.v1.IUnmaskShares): string | undefined {
    const problem = attempt(this.tally, () =>
      this.server.receive({
        index: this.index,
        selfMaskShares: (m.selfMaskShares ?? []).map((s) => ({
          of: s.owner ?? -1,
          share: decodeShare(s.share ?? new Uint8Array(0)),
        })),
        maskingKeyShares: (m.maskingKeyShares ?? []).map((s) => ({
          of: s.owner ?? -1,
          share: decodeShare(s.share ?? new Uint8Array(0)),
        })),
      }),
    );
    if (!problem) this.settle({ ok: true, result: true });
    return problem;
  }
}
