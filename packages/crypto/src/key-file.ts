import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateSigningKeyPair, signingKeyPairFromSecret, type SigningKeyPair } from './identity.js';
import { makePrivateDirectory, readSecretFile } from './private-files.js';

const HEADER = 'tessera-ed25519-secret-key';

/** Reads an identity key file written by `saveSigningKeyPair`, or creates one (mode 0600) if absent. */
export function loadOrCreateSigningKeyPair(path: string): SigningKeyPair {
  if (existsSync(path)) return loadSigningKeyPair(path);
  const pair = generateSigningKeyPair();
  saveSigningKeyPair(path, pair);
  return pair;
}

/** Reads an identity key file; one that other users can access is refused (LoosePermissionsError names the fix). */
export function loadSigningKeyPair(path: string): SigningKeyPair {
  const text = readSecretFile(path).trim();
  const [header, hex] = text.split(/\s+/);
  if (header !== HEADER || !hex || !/^[0-9a-f]{64}$/.test(hex)) {
    throw new Error(
      `${path} is not a Tessera identity key file (expected "${HEADER} <64 hex digits>"); ` +
        'move it away to create a new identity',
    );
  }
  return signingKeyPairFromSecret(new Uint8Array(Buffer.from(hex, 'hex')));
}

export function saveSigningKeyPair(path: string, pair: SigningKeyPair): void {
  makePrivateDirectory(dirname(path));
  writeFileSync(path, `${HEADER} ${Buffer.from(pair.secretKey).toString('hex')}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
