import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AnalystIdentity, ChannelSecurity } from '@tessera/sdk';
import { DEFAULT_ANALYST_KEYS } from './commands/keys.js';
import { analystSecurity } from './transport-flags.js';
import { UsageError } from './ui/errors.js';

export const DEFAULT_COORDINATOR_DIR = join('.tessera', 'coordinator');
export const DEFAULT_PARTICIPANT_CONFIG = join('.tessera', 'participant', 'participant.yaml');
export const DEFAULT_LISTEN = '127.0.0.1:7070';
export const ADDRESS_FILE = 'address';

export interface AnalystConnection {
  address: string;
  /** The analyst's identity, from the key file: it signs every job spec (and every call in plaintext). */
  identity: AnalystIdentity;
  /** TLS pinned to the coordinator's anchor with the analyst's client certificate, or plaintext on loopback. */
  security: ChannelSecurity;
}

/** --keys for every analyst command: the identity, and the credentials saved beside it at join. */
export const KEYS_OPTION = [
  '--keys <file>',
  'your analyst key file (tessera keys create): its identity signs every job, and the certificate saved beside it ' +
    `when you joined the coordinator authenticates you (default TESSERA_ANALYST_KEYS, else ./${DEFAULT_ANALYST_KEYS})`,
] as const;

/** The analyst key file of a command: --keys, TESSERA_ANALYST_KEYS, or ./analyst-keys.json. */
export const keysFileOf = (o: { keys?: string }) =>
  resolve(o.keys ?? process.env.TESSERA_ANALYST_KEYS ?? DEFAULT_ANALYST_KEYS);

/**
 * How an analyst command reaches the coordinator, as which analyst. The address: --coordinator, TESSERA_COORDINATOR,
 * the credentials saved at join, or the files a local `tessera coordinator start` wrote. The channel: as
 * analystSecurity says (a pinned fingerprint, the credentials' anchor, the data directory's certificate, or
 * --insecure), with the client certificate from the credentials beside the key file.
 */
export async function analystConnection(opts: {
  coordinator?: string;
  keys?: string;
  dataDir?: string;
  tlsFingerprint?: string;
  insecure?: boolean;
}): Promise<AnalystConnection> {
  const { credentialsPathFor, loadAnalystCredentials, loadAnalystIdentity } = await import('@tessera/sdk');
  const keysFile = keysFileOf(opts);
  const identity = loadAnalystIdentity(keysFile); // a damaged key file is named before anything is sent
  const credentials = loadAnalystCredentials(credentialsPathFor(keysFile));
  const dir = resolve(opts.dataDir ?? DEFAULT_COORDINATOR_DIR);
  const fromFile = (name: string) =>
    existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8').trim() : undefined;
  const address =
    opts.coordinator ??
    process.env.TESSERA_COORDINATOR ??
    credentials?.coordinator ??
    fromFile(ADDRESS_FILE) ??
    DEFAULT_LISTEN;
  const channel = await analystSecurity(address, dir, { ...opts, anchorPem: credentials?.tls?.anchorPem });
  if (channel.mode === 'insecure') return { address, identity, security: channel };
  if (!credentials?.tls)
    throw new UsageError(
      `no client certificate for the analyst keys in ${keysFile}: join the coordinator first with the invitation ` +
        `its operator gives you (tessera analyst join INVITATION --keys ${keysFile}); on the coordinator's machine ` +
        `the operator can instead run tessera coordinator analysts add NAME --keys ${keysFile}`,
    );
  const { certPem, keyPem } = credentials.tls;
  return { address, identity, security: { ...channel, clientCertificate: { certPem, keyPem } } };
}

export const connectionOptions = `
Identity: --keys FILE (default TESSERA_ANALYST_KEYS, else ./${DEFAULT_ANALYST_KEYS}), joined to the coordinator with
tessera analyst join; the credentials saved beside it (FILE.coordinator.json) name the coordinator and your certificate.
Connection: --coordinator HOST:PORT or TESSERA_COORDINATOR override the address; --data-dir DIR of a coordinator on
this machine (default ${DEFAULT_COORDINATOR_DIR}) supplies the address and certificate when nothing else does.
TLS: the coordinator's certificate is pinned by --tls-fingerprint SHA256 (or TESSERA_TLS_FINGERPRINT), or read from
the credentials or --data-dir; --insecure (plaintext, calls signed by your identity) only for a coordinator on
loopback started with --insecure.`;
