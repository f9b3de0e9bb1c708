// What an analyst keeps beside its key file after joining a coordinator: the coordinator's address, the TLS anchor it
// pinned, and the client certificate the coordinator's CA issued for the analyst's TLS key (with that key). One file,
// owner-only, so every later command needs only --keys.
import { chmodSync, closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { LoosePermissionsError, readSecretFile } from '@tessera/crypto';
import type { ChannelSecurity } from '@tessera/transport';
import { AnalystKeysError } from './sealed/analyst-keys.js';

export const ANALYST_CREDENTIALS_FORMAT = 'tessera-analyst-credentials';
const VERSION = 1;

/** An analyst's credentials at one coordinator. */
export interface AnalystCredentials {
  /** The analyst's name at the coordinator (chosen by its operator). */
  name: string;
  /** host:port of the coordinator. */
  coordinator: string;
  /** TLS: the pinned trust anchor, and the client certificate with its key (PEM). Absent for --insecure. */
  tls?: { anchorPem: string; certPem: string; keyPem: string };
}

/** Where the credentials of a key file live: analyst-keys.json -> analyst-keys.coordinator.json. */
export function credentialsPathFor(keysPath: string): string {
  return keysPath.endsWith('.json') ? `${keysPath.slice(0, -5)}.coordinator.json` : `${keysPath}.coordinator.json`;
}

/** How the analyst's channel to its coordinator is secured by these credentials. */
export function securityOf(c: AnalystCredentials): ChannelSecurity {
  return c.tls
    ? { mode: 'tls', anchorPem: c.tls.anchorPem, clientCertificate: { certPem: c.tls.certPem, keyPem: c.tls.keyPem } }
    : { mode: 'insecure' };
}

/** Writes the credentials (mode 0600: they hold the TLS key), replacing earlier ones. */
export function saveAnalystCredentials(path: string, c: AnalystCredentials): void {
  const text = `${JSON.stringify({ format: ANALYST_CREDENTIALS_FORMAT, version: VERSION, ...c }, null, 2)}\n`;
  let fd: number;
  try {
    fd = openSync(path, 'w', 0o600);
  } catch (e) {
    throw new AnalystKeysError(`cannot write analyst credentials to ${path}: ${(e as Error).message}`);
  }
  try {
    chmodSync(path, 0o600); // the mode of openSync applies only to a new file
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** The credentials beside a key file, or undefined when the analyst has not joined a coordinator with it yet. */
export function loadAnalystCredentials(path: string): AnalystCredentials | undefined {
  if (!existsSync(path)) return undefined;
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(readSecretFile(path)) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof LoosePermissionsError) throw e;
    throw new AnalystKeysError(`${path}: not an analyst credentials file (${(e as Error).message})`);
  }
  const text = (field: string, v: unknown): string => {
    if (typeof v !== 'string' || v === '') throw new AnalystKeysError(`${path}: ${field} must be a non-empty string`);
    return v;
  };
  if (doc.format !== ANALYST_CREDENTIALS_FORMAT || doc.version !== VERSION)
    throw new AnalystKeysError(`${path}: not an analyst credentials file (format ${ANALYST_CREDENTIALS_FORMAT} 1)`);
  const tls = doc.tls as Record<string, unknown> | undefined;
  return {
    name: text('name', doc.name),
    coordinator: text('coordinator', doc.coordinator),
    ...(tls
      ? {
          tls: {
            anchorPem: text('tls.anchorPem', tls.anchorPem),
            certPem: text('tls.certPem', tls.certPem),
            keyPem: text('tls.keyPem', tls.keyPem),
          },
        }
      : {}),
  };
}
