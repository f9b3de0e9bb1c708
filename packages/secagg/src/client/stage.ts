// What every stage of one SecAgg+ client round shares: who it is, the secrets handed from stage to stage,
// its refusals, and the stage base class.
import type { Share } from '@tessera/crypto';
import type { ResolvedConfig } from '../config.js';
import { SecAggError } from '../errors.js';
import type { AdvertiseKeys } from '../messages.js';

/** What every client stage knows about itself. */
export interface Self {
  readonly config: ResolvedConfig;
  readonly index: number;
  /** Ed25519 with this participant's identity key (its advertisement in stage 1, its survivor set in stage 4). */
  readonly sign: (context: string, message: Uint8Array) => Uint8Array;
}

/** A neighbour that advertised valid keys, with the secrets this client derived for it. */
export interface Peer {
  readonly advertisement: AdvertiseKeys;
  /** AES-256-GCM key for the shares exchanged with this neighbour. */
  readonly shareKey: Uint8Array;
  /** s_{u,v}, the pairwise mask seed. */
  readonly maskSeed: Uint8Array;
}

/** The two shares one holder keeps of a participant's secrets: of its self-mask seed and of its masking key. */
export interface SharePair {
  readonly selfMask: Share;
  readonly maskingKey: Share;
}

/** Throws the SecAggError that refuses a message, naming this participant. */
export function fail(
  self: Self,
  code: ConstructorParameters<typeof SecAggError>[0],
  message: string,
  participant?: number,
): never {
  throw new SecAggError(code, `participant ${self.index}: ${message}`, participant);
}

/** A stage object may move on once; using it afterwards is refused with 'replay'. */
export abstract class ClientStage {
  private moved = false;
  protected abstract readonly self: Self;

  /** The participant's index in the round. */
  get index(): number {
    return this.self.index;
  }

  protected checkNotMoved(what: string): void {
    if (this.moved) fail(this.self, 'replay', `${what} was already done in this stage; use the state it returned`);
  }

  protected moveOn(): void {
    this.moved = true;
  }
}

/** Hex of a public key, to compare keys by value. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
