// An analyst of a coordinator whose data directory this process can read (an in-process federation, tests, the
// operator's own machine): registered directly by the operator's side, with a client certificate from the data
// directory's CA, so it needs no invitation.
import { certifyAnalyst } from '@tessera/coordinator';
import { AnalystClient, AnalystIdentity, newTlsKey, type AnalystKeys, type ChannelSecurity } from '@tessera/client';

export interface LocalAnalystOptions {
  /** The coordinator's data directory and address. */
  dataDir: string;
  address: string;
  /** How this process reaches the coordinator (TLS pinned to its anchor, or plaintext); the certificate is added. */
  security: ChannelSecurity;
  /** The analyst's name at the coordinator. */
  name: string;
  /** Its identity: analyst keys (needed for sealed jobs), an AnalystIdentity, or a fresh one by default. */
  identity?: AnalystKeys | AnalystIdentity;
}

/** Registers the analyst (or finds it registered with this identity) and connects as it. */
export async function connectLocalAnalyst(o: LocalAnalystOptions): Promise<AnalystClient> {
  const identity =
    o.identity instanceof AnalystIdentity
      ? o.identity
      : o.identity
        ? AnalystIdentity.of(o.identity)
        : AnalystIdentity.generate();
  const tlsKey = await newTlsKey();
  const { tls } = await certifyAnalyst(o.dataDir, o.name, identity.identity, tlsKey.publicKey);
  const security: ChannelSecurity =
    o.security.mode === 'tls' && tls
      ? { ...o.security, clientCertificate: { certPem: tls.certPem, keyPem: tlsKey.keyPem } }
      : o.security;
  return new AnalystClient(o.address, identity, security);
}
