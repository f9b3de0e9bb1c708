// First contact with a pinned peer (fetch its chain over node:tls, find the pinned anchor), and the per-connection
// re-check of the pin that gRPC channels run instead of a hostname check.
import { connect, type PeerCertificate } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { splitAddresses } from './address.js';
import { fingerprintOf, parseFingerprint, sameFingerprint, type Fingerprint } from './fingerprint.js';
import { certificatePem } from './pki/pem.js';
import { verifyChain } from './pki/verify-chain.js';
import { TransportError } from './transport-error.js';

/** The anchor a pinned peer's chain leads to: what a client keeps as its trust root. */
export interface PinnedAnchor {
  fingerprint: Fingerprint;
  anchorPem: string;
}

/** The certificates a peer presents, leaf first, without checking them (rejectUnauthorized false). */
export function fetchPeerChain(address: string, timeoutMs = 10_000): Promise<X509Certificate[]> {
  const { host, port } = splitAddresses(address)[0]!;
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      // Node warns when an IP address is sent as the server name (RFC 6066 forbids it): send none then.
      ...(isIP(host) ? {} : { servername: host }),
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
    });
    const fail = (why: string) => {
      socket.destroy();
      reject(
        new TransportError(
          'UNREACHABLE',
          `no TLS handshake with ${address}: ${why}; check the address and that the coordinator runs (a coordinator ` +
            'started with --insecure speaks plaintext: then pass --insecure too, on loopback only)',
        ),
      );
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer in ${timeoutMs / 1000} s`));
    socket.once('error', (e) => fail(e.message));
    socket.once('secureConnect', () => {
      const chain = chainOf(socket.getPeerCertificate(true));
      socket.end();
      if (chain.length === 0) fail('it presented no certificate');
      else resolve(chain);
    });
  });
}

/**
 * First contact: fetches the peer's chain and returns the certificate in it whose SHA-256 fingerprint is `pinned`,
 * after checking that the peer's own certificate chains to it. Throws PIN_MISMATCH naming both fingerprints when
 * the peer presents another chain.
 */
export async function pinAnchor(address: string, pinned: Fingerprint): Promise<PinnedAnchor> {
  const fingerprint = parseFingerprint(pinned);
  const chain = await fetchPeerChain(address);
  const anchor = chain.find((c) => sameFingerprint(fingerprintOf(c), fingerprint));
  if (!anchor) throw pinMismatch(address, fingerprint, chain);
  const [leaf, ...rest] = chain;
  verifyChain(leaf!, anchor, rest); // the chain has at least one certificate (fetchPeerChain)
  return { fingerprint, anchorPem: certificatePem(anchor) };
}

/**
 * A checkServerIdentity for node:tls and gRPC: accepts the connection only when the presented chain contains the
 * pinned certificate. The chain itself was verified against the pinned root before this runs; the pin replaces the
 * hostname check, so a certificate for any name is accepted from the holder of the pinned CA's key.
 */
export function pinnedServerIdentity(
  address: string,
  pinned: Fingerprint,
): (host: string, cert: PeerCertificate) => Error | undefined {
  return (_host, cert) => {
    const chain = chainOf(cert);
    return chain.some((c) => sameFingerprint(fingerprintOf(c), pinned))
      ? undefined
      : pinMismatch(address, pinned, chain);
  };
}

/**
 * Explains a failed TLS connection to a pinned peer: PIN_MISMATCH naming both fingerprints when the peer now
 * presents a chain without the pinned certificate (e.g. its CA was replaced), undefined when the pin still matches
 * or the peer cannot be reached.
 */
export async function explainPinFailure(address: string, pinned: Fingerprint): Promise<TransportError | undefined> {
  try {
    await pinAnchor(address, pinned);
    return undefined;
  } catch (e) {
    return e instanceof TransportError && e.code !== 'UNREACHABLE' ? e : undefined;
  }
}

function pinMismatch(address: string, pinned: Fingerprint, chain: readonly X509Certificate[]): TransportError {
  const top = chain.at(-1);
  const presented = top ? fingerprintOf(top) : '(no certificate)';
  return new TransportError(
    'PIN_MISMATCH',
    `the coordinator at ${address} presented TLS certificate fingerprint ${presented}, but the pinned fingerprint ` +
      `is ${pinned}: this is not the coordinator you enrolled with, or its certificate authority was replaced. ` +
      'Ask its operator for the current fingerprint (tessera coordinator start --json prints tlsFingerprint) and pin ' +
      'that one',
  );
}

/** The certificates of a detailed peer certificate (getPeerCertificate(true)), leaf first, each once. */
function chainOf(cert: PeerCertificate | undefined): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  let c = cert as (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined;
  while (c?.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    out.push(new X509Certificate(c.raw));
    c = c.issuerCertificate;
  }
  return out;
}
