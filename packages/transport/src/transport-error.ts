/** What went wrong on a channel or with a certificate; every refusal names the fix in its message. */
export type TransportErrorCode =
  /** The peer presented no certificate with the pinned fingerprint that its certificate chains to. */
  | 'PIN_MISMATCH'
  /** A fingerprint is not 64 hexadecimal characters (optionally colon-separated pairs). */
  | 'BAD_FINGERPRINT'
  /** Plaintext (--insecure) was asked for an address that is not loopback. */
  | 'INSECURE_NOT_LOOPBACK'
  /** A certificate or key file cannot be read or parsed, or the key does not belong to the certificate. */
  | 'BAD_CERTIFICATE'
  /** A certificate does not chain to the trust anchor, is outside its validity period, or is not a CA. */
  | 'CHAIN_INVALID'
  /** The peer could not be reached or did not complete a TLS handshake. */
  | 'UNREACHABLE'
  /** A host:port address cannot be parsed. */
  | 'BAD_ADDRESS';

export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}
