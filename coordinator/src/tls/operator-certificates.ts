// The operator's own certificate (--tls-cert, --tls-key, optionally --tls-ca), checked to fit together at start.
import { createPrivateKey, type X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { certificatePem, certificatesFromPem, isSelfSigned, TransportError, verifyChain } from '@tessera/transport';
import { readSecretFile } from '@tessera/crypto';
import { TlsSetupError } from './tls-setup-error.js';

/** The operator's files: the certificate (PEM, leaf first, then any intermediates), its key, and the CA to pin. */
export interface OperatorTlsFiles {
  certFile: string;
  keyFile: string;
  /** The root CA clients pin; without it clients pin the certificate itself, which must then be self-signed. */
  caFile?: string;
}

/** What the server presents and what clients pin. */
export interface OperatorCertificate {
  certChainPem: string;
  keyPem: string;
  anchor: X509Certificate;
}

export function loadOperatorCertificate(files: OperatorTlsFiles): OperatorCertificate {
  const read = (path: string, flag: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new TlsSetupError('OPERATOR_CERTIFICATE', `${flag} ${path} cannot be read: ${(e as Error).message}`);
    }
  };
  const [leaf, ...intermediates] = certificatesFromPem(
    read(files.certFile, '--tls-cert'),
    `--tls-cert ${files.certFile}`,
  );
  if (!leaf) throw new TlsSetupError('OPERATOR_CERTIFICATE', `--tls-cert ${files.certFile} has no certificate`);
  read(files.keyFile, '--tls-key'); // a missing file is named before its mode is checked
  const keyPem = readSecretFile(files.keyFile);
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyPem);
  } catch (e) {
    throw new TlsSetupError(
      'OPERATOR_CERTIFICATE',
      `--tls-key ${files.keyFile} is not a PEM private key: ${(e as Error).message}`,
    );
  }
  if (!leaf.checkPrivateKey(key))
    throw new TlsSetupError(
      'OPERATOR_CERTIFICATE',
      `--tls-key ${files.keyFile} is not the key of the certificate in --tls-cert ${files.certFile}`,
    );
  const anchor = files.caFile
    ? certificatesFromPem(read(files.caFile, '--tls-ca'), `--tls-ca ${files.caFile}`)[0]!
    : leaf;
  if (!isSelfSigned(anchor))
    throw new TlsSetupError(
      'OPERATOR_CERTIFICATE',
      files.caFile
        ? `--tls-ca ${files.caFile} is not a self-signed root certificate; give the root CA that issued the chain`
        : `--tls-cert ${files.certFile} is not self-signed: give the CA that issued it with --tls-ca, ` +
            'so clients can pin it',
    );
  try {
    verifyChain(leaf, anchor, intermediates);
  } catch (e) {
    if (e instanceof TransportError) throw new TlsSetupError('OPERATOR_CERTIFICATE', `--tls-cert: ${e.message}`);
    throw e;
  }
  const chain = [leaf, ...intermediates];
  if (!chain.some((c) => c.raw.equals(anchor.raw))) chain.push(anchor);
  return { certChainPem: chain.map(certificatePem).join(''), keyPem, anchor };
}
