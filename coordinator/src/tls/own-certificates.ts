// The coordinator's own PKI in <dataDir>/tls: a private CA created on first start, and a server certificate it issues.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import {
  createCertificateAuthority,
  issueServerCertificate,
  type CertificateAuthority,
  type IssuedCertificate,
} from '@tessera/transport';
import { readSecretFile } from '@tessera/crypto';
import { privateDirectory, writeCertificate, writePrivateKey } from './private-files.js';
import { tlsFiles } from './tls-files.js';
import { TlsSetupError } from './tls-setup-error.js';

/** A server certificate this close to its end is replaced at start. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

/** The own CA, created (key 0600 in a 0700 directory) the first time. */
export async function ownCertificateAuthority(dataDir: string): Promise<CertificateAuthority> {
  const f = tlsFiles(dataDir);
  privateDirectory(f.dir);
  const cert = existsSync(f.caCert);
  const key = existsSync(f.caKey);
  if (cert && key) return { certPem: readFileSync(f.caCert, 'utf8'), keyPem: readSecretFile(f.caKey) };
  if (cert || key)
    throw new TlsSetupError(
      'INCOMPLETE_FILES',
      `${cert ? f.caCert : f.caKey} is there without ${cert ? f.caKey : f.caCert}: restore it from a backup of the ` +
        `data directory, or move ${f.dir} away to create a new CA (participants and analysts must then pin its ` +
        'new fingerprint)',
    );
  const ca = await createCertificateAuthority();
  writePrivateKey(f.caKey, ca.keyPem);
  writeCertificate(f.caCert, ca.certPem);
  return ca;
}

/**
 * The own server certificate, issued by `ca` for this machine's names and `host` (the listen address) when it is
 * missing, due to end within 30 days, issued by another CA, or not valid for `host`.
 */
export async function ownServerCertificate(
  dataDir: string,
  ca: CertificateAuthority,
  host: string,
): Promise<IssuedCertificate> {
  const f = tlsFiles(dataDir);
  if (existsSync(f.serverCert) && existsSync(f.serverKey)) {
    const current = { certPem: readFileSync(f.serverCert, 'utf8'), keyPem: readSecretFile(f.serverKey) };
    if (stillGood(new X509Certificate(current.certPem), new X509Certificate(ca.certPem), host)) return current;
  }
  const names = serverNames(host);
  const issued = await issueServerCertificate(ca, names);
  writePrivateKey(f.serverKey, issued.keyPem);
  writeCertificate(f.serverCert, issued.certPem);
  return issued;
}

function stillGood(cert: X509Certificate, ca: X509Certificate, host: string): boolean {
  const fresh = new Date(cert.validTo).getTime() - Date.now() > RENEW_BEFORE_MS;
  const ours = cert.checkIssued(ca) && cert.verify(ca.publicKey);
  const forHost = isWildcard(host) || (isIP(host) ? cert.checkIP(host) : cert.checkHost(host)) !== undefined;
  return fresh && ours && forHost;
}

const isWildcard = (host: string) => host === '0.0.0.0' || host === '::' || host === '';

/** localhost, the loopback addresses, this machine's host name, and the listen host when it is a specific one. */
function serverNames(host: string): { dns: string[]; ip: string[] } {
  const dns = new Set(['localhost']);
  const ip = new Set(['127.0.0.1', '::1']);
  const own = hostname();
  if (/^[A-Za-z0-9.-]+$/.test(own)) dns.add(own);
  if (!isWildcard(host)) (isIP(host) ? ip : dns).add(host);
  return { dns: [...dns], ip: [...ip] };
}
