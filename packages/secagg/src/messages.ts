import type { Share } from '@tessera/crypto';

/** Stage 1, client -> server -> neighbours: a participant's two X25519 public keys for this round, signed. */
export interface AdvertiseKeys {
  readonly index: number;
  /** c_u: key agreement for encrypting shares. */
  readonly encryptionKey: Uint8Array;
  /** s_u: key agreement for pairwise masks. */
  readonly maskingKey: Uint8Array;
  /**
   * Ed25519 with context 'tessera/secagg/advertise' over lengthPrefixed(roundId, u32(index), encryptionKey,
   * maskingKey).
   */
  readonly signature: Uint8Array;
}

/** One AES-256-GCM ciphertext of the (self-mask seed, masking key) share pair for neighbour `to`. */
export interface OutgoingShares {
  readonly to: number;
  readonly ciphertext: Uint8Array;
}

/** Stage 2, client -> server. */
export interface ShareKeys {
  readonly index: number;
  readonly shares: readonly OutgoingShares[];
}

/** Stage 2, server -> client: the ciphertexts addressed to the client. */
export interface IncomingShares {
  readonly from: number;
  readonly ciphertext: Uint8Array;
}

/** Stage 3, client -> server: y = x + PRG(b_u) + sum of signed pairwise masks, mod the modulus. */
export interface MaskedInput {
  readonly index: number;
  readonly y: Uint32Array;
}

/**
 * Stage 4 (ConsistencyCheck), server -> every survivor (the same request for all): the survivor set the client
 * signs, and from which it unmasks in stage 5.
 */
export interface ConsistencyCheckRequest {
  /** U3: participants whose masked input the server received. */
  readonly survivors: readonly number[];
  /** U2 \ U3: participants who sent shares but no masked input. */
  readonly dropped: readonly number[];
}

/**
 * Stage 4, client -> server: Ed25519 with context 'tessera/secagg/consistency' over
 * lengthPrefixed(roundId, u32(index), u32s(survivors), u32s(dropped)), the lists sorted.
 */
export interface ConsistencyCheckResponse {
  readonly index: number;
  readonly signature: Uint8Array;
}

/** One participant's consistency-check signature, as the server forwards it. */
export interface ConsistencySignature {
  readonly signer: number;
  readonly signature: Uint8Array;
}

/** Stage 5 (Unmask), server -> one client: the consistency-check signatures of that client's neighbours. */
export interface UnmaskRequest {
  readonly signatures: readonly ConsistencySignature[];
}

/** A Shamir share of participant `of`'s secret, held by the responder. */
export interface ShareOf {
  readonly of: number;
  readonly share: Share;
}

/** Stage 5, client -> server. */
export interface UnmaskResponse {
  readonly index: number;
  /** Shares of b_v for v in survivors that are the responder or its neighbours. */
  readonly selfMaskShares: readonly ShareOf[];
  /** Shares of s_v^SK for v in dropped that are the responder's neighbours. */
  readonly maskingKeyShares: readonly ShareOf[];
}
