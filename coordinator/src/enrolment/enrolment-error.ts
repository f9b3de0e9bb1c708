/** What went wrong in an operator's enrolment command or a participant's enrolment; the message says what to do. */
export type EnrolmentErrorCode =
  | 'bad-name'
  | 'bad-lifetime'
  | 'unknown-token-id'
  | 'token-already-used'
  | 'unknown-participant'
  | 'participant-revoked'
  | 'no-coordinator-data';

/** A refused enrolment-administration request, with a code for programs and a message for people. */
export class EnrolmentError extends Error {
  constructor(
    readonly code: EnrolmentErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EnrolmentError';
  }
}
