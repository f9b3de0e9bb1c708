/**
 * Why a PSI message or call was refused. A method that throws a `PsiError` has changed nothing: the party is
 * still in the stage it was in and may take the next (correct) message.
 */
export type PsiErrorCode =
  /** A message of the wrong kind or version, or a field of the wrong type. */
  | 'bad-message'
  /** `points` is not exactly `count` encodings of 32 bytes. */
  | 'wrong-length'
  /** A 32-byte string that is not a canonical ristretto255 encoding, or the identity element. */
  | 'bad-point'
  /** The same point twice in one message. */
  | 'duplicate'
  /** More points than the declared limit (`maxPeerSetSize`), or an input set over the limit. */
  | 'too-large'
  /** A returned set whose size is not this party's own set size. */
  | 'wrong-count'
  /** A message for another session. */
  | 'wrong-session'
  /** A message that claims to come from this party's own role (for example its own message reflected back). */
  | 'wrong-role'
  /** A message that this stage does not take yet (for example `finish()` before `receive()`). */
  | 'out-of-order'
  /** A stage used again after it moved on (a second `receive()`, or anything after `finish()`). */
  | 'replay';

export class PsiError extends Error {
  override readonly name = 'PsiError';

  constructor(
    readonly code: PsiErrorCode,
    message: string,
  ) {
    super(message);
  }
}
