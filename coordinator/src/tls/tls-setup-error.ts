/** Why the coordinator cannot set up TLS; the message names the file or flag to change. */
export type TlsSetupErrorCode =
  /** --tls-cert and --tls-key come together; --tls-ca needs both. */
  | 'INCOMPLETE_FILES'
  /** An operator's certificate, key or CA that does not fit together. */
  | 'OPERATOR_CERTIFICATE';

export class TlsSetupError extends Error {
  constructor(
    readonly code: TlsSetupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TlsSetupError';
  }
}
