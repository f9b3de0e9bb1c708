// Files under <dataDir>/tls: the directory 0700, private keys 0600 (read back with @tessera/crypto's readSecretFile,
// which refuses a key other users can access).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';

/** Creates the directory (and parents) if missing and makes it 0700: it holds the coordinator's CA key. */
export function privateDirectory(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
}

/** Writes a private key readable by its owner only. */
export function writePrivateKey(path: string, pem: string): void {
  writeFileSync(path, pem, { mode: 0o600 });
  chmodSync(path, 0o600); // the mode applies only to a new file
}

/** Writes a certificate (public). */
export function writeCertificate(path: string, pem: string): void {
  writeFileSync(path, pem, { mode: 0o644 });
}
