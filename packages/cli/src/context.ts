import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ChannelSecurity } from '@tessera/sdk';
import { analystSecurity } from './transport-flags.js';
import { UsageError } from './ui/errors.js';

export const DEFAULT_COORDINATOR_DIR = join('.tessera', 'coordinator');
export const DEFAULT_PARTICIPANT_CONFIG = join('.tessera', 'participant', 'participant.yaml');
export const DEFAULT_LISTEN = '127.0.0.1:7070';
export const ADDRESS_FILE = 'address';

export interface AnalystConnection {
  address: string;
  token: string;
  /** TLS pinned to the coordinator's anchor, or plaintext on loopback (--insecure). */
  security: ChannelSecurity;
}

/**
 * Where the analyst commands find the coordinator and its token: flags first, then
 * TESSERA_COORDINATOR / TESSERA_TOKEN, then the files a local `tessera coordinator start` wrote. The channel is
 * secured as analystSecurity says (a pinned fingerprint, the data directory's certificate, or --insecure).
 */
export async function analystConnection(opts: {
  coordinator?: string;
  token?: string;
  dataDir?: string;
  tlsFingerprint?: string;
  insecure?: boolean;
}): Promise<AnalystConnection> {
  const dir = resolve(opts.dataDir ?? DEFAULT_COORDINATOR_DIR);
  const fromFile = (name: string) =>
    existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8').trim() : undefined;
  const address = opts.coordinator ?? process.env.TESSERA_COORDINATOR ?? fromFile(ADDRESS_FILE) ?? DEFAULT_LISTEN;
  const token = opts.token ?? process.env.TESSERA_TOKEN ?? fromFile('analyst-token');
  if (!token) {
    throw new UsageError(
      'no analyst token: pass --token, set TESSERA_TOKEN, ' +
        `or point --data-dir at the coordinator's data directory (looked in ${dir})`,
    );
  }
  return { address, token, security: await analystSecurity(address, dir, opts) };
}

export const connectionOptions = `
Connection: --coordinator HOST:PORT and --token TOKEN, or TESSERA_COORDINATOR and TESSERA_TOKEN,
or --data-dir DIR of a coordinator on this machine (default ${DEFAULT_COORDINATOR_DIR}).
TLS: the coordinator's certificate is pinned by --tls-fingerprint SHA256 (or TESSERA_TLS_FINGERPRINT), or read from
--data-dir; --insecure (plaintext) only for a coordinator on loopback started with --insecure.`;
