// What every stage of one SecAgg+ server round shares: its counts, its rejections, and the stage base class.
import { AEAD_OVERHEAD, SHARE_BYTES, type Share } from '@tessera/crypto';
import { describeIndex, type ResolvedConfig } from '../config.js';
import { SecAggError, type SecAggErrorCode } from '../errors.js';

/** Counts for the round report. */
export interface ServerStats {
  /** Messages accepted per stage. */
  readonly accepted: {
    advertiseKeys: number;
    shareKeys: number;
    maskedInput: number;
    consistencyCheck: number;
    unmask: number;
  };
  /** Messages rejected, by error code. */
  readonly rejected: Partial<Record<SecAggErrorCode, number>>;
}

/** Shared by all stages of one server round. */
export class Round {
  readonly stats: ServerStats = {
    accepted: { advertiseKeys: 0, shareKeys: 0, maskedInput: 0, consistencyCheck: 0, unmask: 0 },
    rejected: {},
  };
  constructor(readonly config: ResolvedConfig) {}

  /** Counts a rejected message and throws. */
  reject(code: SecAggErrorCode, message: string, participant?: number): never {
    this.stats.rejected[code] = (this.stats.rejected[code] ?? 0) + 1;
    throw new SecAggError(code, message, participant);
  }

  snapshot(): ServerStats {
    return { accepted: { ...this.stats.accepted }, rejected: { ...this.stats.rejected } };
  }
}

export const PROBE_SECRET = new Uint8Array(32).fill(7);
export const SHARE_CIPHERTEXT_BYTES = AEAD_OVERHEAD + 2 * SHARE_BYTES;
export const sorted = (xs: Iterable<number>): number[] => [...xs].sort((a, b) => a - b);

export abstract class ServerStage {
  private closed = false;
  protected abstract readonly round: Round;

  /** Counts of accepted and rejected messages so far in this round (all stages). */
  stats(): ServerStats {
    return this.round.snapshot();
  }

  protected checkOpen(stage: string, from: unknown): void {
    if (this.closed)
      this.round.reject(
        'replay',
        `${stage} message from participant ${describeIndex(from)}: the stage is closed`,
        typeof from === 'number' ? from : undefined,
      );
  }

  protected checkNotClosed(stage: string): void {
    if (this.closed) throw new SecAggError('replay', `${stage} was already closed; use the state close() returned`);
  }

  protected markClosed(): void {
    this.closed = true;
  }

  protected requireAtLeast(count: number, what: string): void {
    const t = this.round.config.threshold;
    if (count < t) throw new SecAggError('too-few', `${what}: ${count}, the threshold is ${t}`);
  }
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function push(map: Map<number, Share[]>, key: number, share: Share): void {
  const list = map.get(key);
  if (list) list.push(share);
  else map.set(key, [share]);
}

/**
 * How the masked inputs of a round reach the server: as plaintext vectors it sums (`receive`), or sealed
 * (encrypted under the analyst's BFV key and summed homomorphically outside this package: `receiveSealed`).
 * The first accepted masked input fixes the mode of the round.
 */
export type MaskedInputMode = 'plain' | 'sealed';
