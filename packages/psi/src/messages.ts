/**
 * Which side a party plays. The protocol is symmetric; the role only labels messages so that reflections are refused.
 */
export type PsiRole = 'initiator' | 'responder';

/** Protocol version carried in every message. */
export const PSI_VERSION = 1;

/** Bytes of one canonical ristretto255 encoding. */
export const POINT_BYTES = 32;

/**
 * Message 1, sender -> peer: the sender's identifiers hashed to ristretto255 and blinded with the sender's secret
 * scalar, H(x)^a, in a uniformly random order. `points` is `count` 32-byte encodings, concatenated.
 */
export interface PsiBlindedSet {
  readonly kind: 'psi/blinded';
  readonly version: typeof PSI_VERSION;
  readonly session: string;
  readonly from: PsiRole;
  readonly count: number;
  readonly points: Uint8Array;
}

/**
 * Message 2, sender -> peer: the peer's message-1 points re-blinded with the sender's scalar, H(y)^{ba}, shuffled
 * again so that the peer cannot tell which of its identifiers each point came from.
 */
export interface PsiReblindedSet {
  readonly kind: 'psi/reblinded';
  readonly version: typeof PSI_VERSION;
  readonly session: string;
  readonly from: PsiRole;
  readonly count: number;
  readonly points: Uint8Array;
}

export type PsiMessage = PsiBlindedSet | PsiReblindedSet;
