/** Why a client certificate is not issued; the message names what to change. */
export type ClientCertificateErrorCode =
  /** The TLS public key sent is not an ECDSA P-256 SubjectPublicKeyInfo. */
  'bad-tls-key';

export class ClientCertificateError extends Error {
  constructor(
    readonly code: ClientCertificateErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ClientCertificateError';
  }
}
