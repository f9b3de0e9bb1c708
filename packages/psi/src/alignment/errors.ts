/**
 * Why an alignment input or outcome was refused. Message-level refusals (a bad point, a wrong count, a replayed
 * stage) are `PsiError`s as in the cardinality protocol; these are about the caller's input and the outcome.
 */
export type AlignmentErrorCode =
  /** The same identifier (after normalisation) on more than one row of one side. */
  | 'duplicate-ids'
  /** An identifier that is not a string, or is empty after normalisation. */
  | 'bad-id'
  /** A salt that is missing or shorter than `MIN_SALT_BYTES`. */
  | 'bad-salt'
  /** An option out of range (worker count, set-size limit). */
  | 'bad-options'
  /** The two sides share no identifier. */
  | 'empty-intersection'
  /** The peer's confirmation names another intersection size or order than this side computed. */
  | 'disagreement';

export class AlignmentError extends Error {
  override readonly name = 'AlignmentError';

  constructor(
    readonly code: AlignmentErrorCode,
    message: string,
  ) {
    super(message);
  }
}
