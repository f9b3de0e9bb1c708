import * as grpc from '@grpc/grpc-js';
import { isIP } from 'node:net';
import { splitAddresses } from './address.js';
import { MemoryCertificateProvider } from './certificate-provider.js';
import { fingerprintOf } from './fingerprint.js';
import { assertInsecureAllowed } from './loopback.js';
import { pinnedServerIdentity } from './pin.js';
import { SERVER_NAME } from './pki/issue.js';

/**
 * How a client channel is secured: TLS whose only trust root is the pinned anchor (with an optional client
 * certificate for mutual TLS), or plaintext on loopback.
 */
export type ChannelSecurity =
  | { mode: 'tls'; anchorPem: string; clientCertificate?: { certPem: string; keyPem: string } }
  | { mode: 'insecure' };

/** The TLS material a server presents. */
export interface ServerTls {
  /** The server certificate followed by its issuers up to the trust anchor, PEM. */
  certChainPem: string;
  keyPem: string;
  /** The CA whose client certificates the server asks for (mutual TLS); clients without one still connect. */
  clientCaPem: string;
}

/**
 * Channel credentials and options for a client of `address`. TLS trusts only the pinned anchor and re-checks the pin
 * on every connection; an IP address is not a valid TLS server name, so the name every Tessera server certificate
 * carries is sent instead. Plaintext throws INSECURE_NOT_LOOPBACK off loopback.
 */
export function channelCredentials(
  address: string,
  security: ChannelSecurity,
): { credentials: grpc.ChannelCredentials; options: grpc.ChannelOptions } {
  if (security.mode === 'insecure') {
    assertInsecureAllowed(address, 'this client');
    return { credentials: grpc.credentials.createInsecure(), options: {} };
  }
  const client = security.clientCertificate;
  const credentials = grpc.credentials.createSsl(
    Buffer.from(security.anchorPem),
    client ? Buffer.from(client.keyPem) : null,
    client ? Buffer.from(client.certPem) : null,
    { checkServerIdentity: pinnedServerIdentity(address, fingerprintOf(security.anchorPem)) },
  );
  const options = isIP(splitAddresses(address)[0]!.host) ? { 'grpc.ssl_target_name_override': SERVER_NAME } : {};
  return { credentials, options };
}

/**
 * Server credentials that request, but do not require, a client certificate from `clientCaPem`: enrolment and
 * analysts connect without one on the same port, and the services check a presented certificate themselves
 * (call.getAuthContext().sslPeerCertificate). Returns the provider too, whose `update` rotates the certificates.
 */
export function serverCredentials(tls: ServerTls): {
  credentials: grpc.ServerCredentials;
  provider: MemoryCertificateProvider;
} {
  const provider = new MemoryCertificateProvider(Buffer.from(tls.clientCaPem), {
    certificate: Buffer.from(tls.certChainPem),
    privateKey: Buffer.from(tls.keyPem),
  });
  // grpc-js 1.14 names the parameters (ca, identity) but passes them on as (identity, ca): one provider serving
  // both roles works whichever way round they are taken.
  const credentials = grpc.experimental.createCertificateProviderServerCredentials(provider, provider, false);
  return { credentials, provider };
}
