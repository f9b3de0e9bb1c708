/** What went wrong in an operator's analyst command; the message says what to do. */
export type AnalystErrorCode =
  | 'bad-name'
  | 'name-taken'
  | 'bad-public-key'
  | 'key-taken'
  | 'unknown-analyst'
  | 'analyst-revoked'
  | 'no-coordinator-data';

/** A refused analyst-administration request, with a code for programs and a message for people. */
export class AnalystError extends Error {
  constructor(
    readonly code: AnalystErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AnalystError';
  }
}
