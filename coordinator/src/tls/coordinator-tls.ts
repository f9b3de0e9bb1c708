// How the coordinator secures its port: TLS with its own CA or the operator's certificate, or plaintext on loopback.
import type { Logger } from '@tessera/transport';
import { X509Certificate } from 'node:crypto';
import {
  assertInsecureAllowed,
  certificatePem,
  fingerprintOf,
  insecureWarning,
  splitAddress,
  type CertificateAuthority,
  type ChannelSecurity,
  type ServerTls,
} from '@tessera/transport';
import { loadOperatorCertificate, type OperatorTlsFiles } from './operator-certificates.js';
import { ownCertificateAuthority, ownServerCertificate } from './own-certificates.js';
import { writeCertificate } from './private-files.js';
import { tlsFiles } from './tls-files.js';
import { TlsSetupError } from './tls-setup-error.js';

export type CoordinatorTransport =
  | {
      mode: 'tls';
      /** SHA-256 of the trust anchor's DER, 64 lowercase hex characters: what clients pin. */
      fingerprint: string;
      anchorPem: string;
      server: ServerTls;
      /** The own CA: it issues participants' and analysts' client certificates. */
      ca: CertificateAuthority;
    }
  | { mode: 'insecure' };

export interface TransportOptions {
  dataDir: string;
  listen: string;
  insecure?: boolean;
  tls?: OperatorTlsFiles;
  logger: Logger;
}

/**
 * Sets up the coordinator's transport. TLS: the own CA is created on first start (it also issues participants'
 * client certificates); the server presents the operator's certificate when given, else one from the own CA; the
 * anchor clients pin is written to <dataDir>/tls/anchor.pem. Plaintext: only on a loopback address, with a warning.
 */
export async function coordinatorTransport(o: TransportOptions): Promise<CoordinatorTransport> {
  if (o.insecure) {
    if (o.tls)
      throw new TlsSetupError('INCOMPLETE_FILES', '--insecure turns TLS off: drop it to use --tls-cert and --tls-key');
    assertInsecureAllowed(o.listen, 'the coordinator');
    o.logger.warn({ listen: o.listen }, insecureWarning(o.listen));
    return { mode: 'insecure' };
  }
  const ca = await ownCertificateAuthority(o.dataDir);
  const served = o.tls
    ? loadOperatorCertificate(o.tls)
    : await ownServerCertificate(o.dataDir, ca, splitAddress(o.listen).host).then((s) => ({
        certChainPem: s.certPem + ca.certPem,
        keyPem: s.keyPem,
        anchor: new X509Certificate(ca.certPem),
      }));
  const anchorPem = certificatePem(served.anchor);
  writeCertificate(tlsFiles(o.dataDir).anchor, anchorPem);
  return {
    mode: 'tls',
    fingerprint: fingerprintOf(served.anchor),
    anchorPem,
    server: { certChainPem: served.certChainPem, keyPem: served.keyPem, clientCaPem: ca.certPem },
    ca,
  };
}

/** How a client in this process reaches a coordinator with this transport. */
export function clientSecurityOf(t: CoordinatorTransport): ChannelSecurity {
  return t.mode === 'tls' ? { mode: 'tls', anchorPem: t.anchorPem } : { mode: 'insecure' };
}
