/** A refused console request: a typed code, its HTTP status, and a message that says what to do. */
export type ConsoleErrorCode =
  | 'NOT_LOGGED_IN'
  | 'SESSION_EXPIRED'
  | 'FORBIDDEN'
  | 'CSRF'
  | 'CROSS_ORIGIN'
  | 'NOT_FOUND'
  | 'BAD_REQUEST'
  | 'LOGIN_REFUSED'
  | 'TOO_LARGE'
  | 'UNAVAILABLE'
  | 'INTERNAL';

const STATUS: Record<ConsoleErrorCode, number> = {
  NOT_LOGGED_IN: 401,
  SESSION_EXPIRED: 401,
  FORBIDDEN: 403,
  CSRF: 403,
  CROSS_ORIGIN: 403,
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
  LOGIN_REFUSED: 403,
  TOO_LARGE: 413,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export class ConsoleError extends Error {
  readonly status: number;
  constructor(
    readonly code: ConsoleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleError';
    this.status = STATUS[code];
  }
}
