import { buildCertificate, KeyUsageBit } from './build-certificate.js';
import { generateKeyPair, privateKeyPem, publicKeyDer } from './keys.js';
import { toPem } from './pem.js';

/** A private certificate authority: its certificate and private key, both PEM. */
export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

const DAY_MS = 86_400_000;
/** Issued certificates may start a little before the clock of the machine that checks them. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** Creates a private CA: an ECDSA P-256 key and a self-signed certificate valid for `years` (default 10). */
export async function createCertificateAuthority(
  opts: { commonName?: string; years?: number; now?: Date } = {},
): Promise<CertificateAuthority> {
  const now = opts.now ?? new Date();
  const keys = await generateKeyPair();
  const der = await buildCertificate({
    commonName: opts.commonName ?? 'Tessera coordinator CA',
    subjectPublicKey: await publicKeyDer(keys.publicKey),
    signingKey: keys.privateKey,
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter: new Date(now.getTime() + (opts.years ?? 10) * 365 * DAY_MS),
    ca: true,
    keyUsage: [KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign],
  });
  return { certPem: toPem(der, 'CERTIFICATE'), keyPem: await privateKeyPem(keys.privateKey) };
}
