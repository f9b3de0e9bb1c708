import type { PsiRole } from '../messages.js';

/** Protocol version carried in every alignment message. */
export const ALIGNMENT_VERSION = 1;

interface Envelope {
  readonly version: typeof ALIGNMENT_VERSION;
  readonly session: string;
  readonly from: PsiRole;
}

/**
 * Message 1, sender -> peer: H(k(x))^a for every row of the sender, where k is the salted key of the normalised
 * identifier, in a uniformly random order (the sender keeps the permutation). `points` is `count` 32-byte
 * ristretto255 encodings, concatenated.
 */
export interface AlignmentBlinded extends Envelope {
  readonly kind: 'psi-align/blinded';
  readonly count: number;
  readonly points: Uint8Array;
}

/**
 * Message 2, sender -> peer: the peer's message-1 points re-blinded with the sender's scalar, H(k(y))^{ab}, in the
 * order the peer sent them, so that the peer can map each back to its own row.
 */
export interface AlignmentReblinded extends Envelope {
  readonly kind: 'psi-align/reblinded';
  readonly count: number;
  readonly points: Uint8Array;
}

/**
 * Message 3, sender -> peer: the size of the intersection the sender found and a SHA-256 digest of its doubly
 * blinded values in the agreed (byte) order. Both sides already know both; it only confirms that they agree.
 */
export interface AlignmentConfirmation extends Envelope {
  readonly kind: 'psi-align/confirmation';
  readonly size: number;
  readonly digest: Uint8Array;
}

export type AlignmentMessage = AlignmentBlinded | AlignmentReblinded | AlignmentConfirmation;
