/**
 * Why a homomorphic-encryption operation was refused. Every check happens before anything changes: an
 * object whose method threw a `HeError` is unchanged and may take the next (correct) call.
 */
export type HeErrorCode =
  /** `loadSeal()` has not finished: the wasm library must be loaded once before the synchronous API is used. */
  | 'not-loaded'
  /** Parameters below 128-bit security, or a plaintext modulus that is not a batching-friendly prime below 2^32. */
  | 'bad-parameters'
  /** No parameters satisfy the request (for example participants x 2^bits does not fit below the plaintext modulus). */
  | 'impossible'
  /** Bytes that are not a well-formed object of this library: truncated, corrupted, wrong kind, or refused by SEAL. */
  | 'bad-bytes'
  /** Bytes that were made under other encryption parameters (another parms id). */
  | 'wrong-parameters'
  /** A vector of the wrong length, a word not below the plaintext modulus, a chunk index out of range. */
  | 'bad-input'
  /**
   * A ciphertext whose invariant noise budget is 0: it no longer decrypts correctly (too many additions or the wrong
   * key).
   */
  | 'noise-exhausted'
  /** A method called on an object after `dispose()`, or a result asked for before every chunk has a contribution. */
  | 'bad-state';

export class HeError extends Error {
  override readonly name = 'HeError';

  constructor(
    readonly code: HeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The message of anything thrown (SEAL errors arrive as `Error`s with SEAL's own text). */
export function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
