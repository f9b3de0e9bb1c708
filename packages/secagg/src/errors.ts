/**
 * Why a SecAgg message or request was refused. A method that throws a `SecAggError` has changed nothing:
 * the state that threw is still current and may take the next (correct) message.
 */
export type SecAggErrorCode =
  /** An advertisement whose Ed25519 signature does not verify under the sender's identity key for this round. */
  | 'bad-signature'
  /** A share or key addressed to or from a participant outside the sender's neighbourhood. */
  | 'not-neighbour'
  /** An advertised X25519 public key that is unusable (of low order: the shared secret would be public). */
  | 'bad-key'
  /** A vector or key of the wrong length. */
  | 'wrong-length'
  /** A vector entry not below the round's modulus. */
  | 'wrong-modulus'
  /** A share ciphertext that fails authentication, or a share that is malformed or for the wrong party or list. */
  | 'bad-share'
  /** A state used again after it moved on (for example a second masked input: two masks would leak x1 - x2). */
  | 'replay'
  /** The server asked for both the self-mask share and the masking-key share of one participant. */
  | 'both-shares-requested'
  /**
   * A consistency-check signature, forwarded to a client, that does not verify over the survivor set that client
   * was told: the server told participants different survivor sets (or altered a signature). The client does not
   * unmask.
   */
  | 'inconsistent-survivors'
  /** Fewer participants, neighbours, shares or responses than the threshold needs. */
  | 'too-few'
  /** An index outside 0..n-1, or a participant that is not part of this stage. */
  | 'unknown-participant'
  /** A second message from one participant in one stage, or a repeated entry in one message. */
  | 'duplicate'
  /**
   * A masked input of the other kind than the round's first one (a plaintext vector in a sealed round, or a
   * sealed one in a plaintext round), or `finish()` in a sealed round (the server holds no plaintext sum).
   */
  | 'wrong-mode';

export class SecAggError extends Error {
  override readonly name = 'SecAggError';

  constructor(
    readonly code: SecAggErrorCode,
    message: string,
    /** The participant the message came from or is about, when there is one. */
    readonly participant?: number,
  ) {
    super(message);
  }
}
