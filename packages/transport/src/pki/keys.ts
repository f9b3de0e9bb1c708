import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import { TransportError } from '../transport-error.js';
import { KEY_ALGORITHM } from './build-certificate.js';
import { toPem } from './pem.js';

/** A fresh ECDSA P-256 key pair from node:crypto, extractable so the private key can be saved (PKCS#8 PEM). */
export function generateKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

/** The PKCS#8 PEM of a private key. */
export async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return toPem(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** The DER SubjectPublicKeyInfo of a public key. */
export async function publicKeyDer(key: webcrypto.CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await webcrypto.subtle.exportKey('spki', key));
}

/** A signing key from its PEM (PKCS#8, or SEC1 "EC PRIVATE KEY" as openssl writes it); P-256 only. */
export function signingKeyFromPem(pem: string, source: string): Promise<webcrypto.CryptoKey> {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new TransportError('BAD_CERTIFICATE', `${source} is not a PEM private key: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new TransportError('BAD_CERTIFICATE', `${source}: the CA key must be an ECDSA P-256 key`);
  return webcrypto.subtle.importKey('pkcs8', key.export({ type: 'pkcs8', format: 'der' }), KEY_ALGORITHM, false, [
    'sign',
  ]);
}

/** The DER SubjectPublicKeyInfo of a public key given as PEM, DER SPKI or a KeyObject. */
export function subjectPublicKeyOf(key: string | Uint8Array | KeyObject): Uint8Array {
  const object =
    typeof key === 'string' || key instanceof Uint8Array
      ? createPublicKey(typeof key === 'string' ? key : { key: Buffer.from(key), format: 'der', type: 'spki' })
      : key;
  return new Uint8Array(object.export({ type: 'spki', format: 'der' }));
}
