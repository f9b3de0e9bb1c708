// The TLS flags of the commands that connect to a coordinator, and how an analyst command secures its channel.
import type { ChannelSecurity } from '@tessera/sdk';
import { UsageError } from './ui/errors.js';

/** --tls-fingerprint for analyst commands (participant init has its own wording: the token carries one). */
export const TLS_FINGERPRINT_OPTION = [
  '--tls-fingerprint <sha256>',
  "the coordinator's TLS fingerprint to pin (tlsFingerprint in tessera coordinator start --json); " +
    'default TESSERA_TLS_FINGERPRINT, else the certificate in --data-dir',
] as const;

export const INSECURE_OPTION = [
  '--insecure',
  'plaintext instead of TLS, for a coordinator on loopback started with --insecure (refused for other addresses)',
] as const;

/** Refuses --insecure off loopback and prints the plaintext warning to stderr. */
export async function allowInsecure(address: string, who: string): Promise<void> {
  const { assertInsecureAllowed, insecureWarning } = await import('@tessera/transport');
  assertInsecureAllowed(address, who);
  process.stderr.write(`${insecureWarning(address)}\n`);
}

/**
 * An analyst's channel: plaintext with --insecure; TLS pinned to --tls-fingerprint (or TESSERA_TLS_FINGERPRINT) at
 * first contact; else TLS trusting `anchorPem` (pinned when the analyst joined), else the anchor a local coordinator
 * wrote to its data directory.
 */
export async function analystSecurity(
  address: string,
  dataDir: string,
  o: { tlsFingerprint?: string; insecure?: boolean; anchorPem?: string | undefined },
): Promise<ChannelSecurity> {
  if (o.insecure) {
    await allowInsecure(address, 'this analyst');
    return { mode: 'insecure' };
  }
  const { pinAnchor, readTrustAnchor } = await import('@tessera/sdk');
  const fingerprint = o.tlsFingerprint ?? process.env.TESSERA_TLS_FINGERPRINT;
  if (fingerprint) return { mode: 'tls', anchorPem: (await pinAnchor(address, fingerprint)).anchorPem };
  const anchorPem = o.anchorPem ?? readTrustAnchor(dataDir);
  if (anchorPem) return { mode: 'tls', anchorPem };
  throw new UsageError(
    `no TLS certificate to trust for the coordinator at ${address}: pass --tls-fingerprint SHA256 (tlsFingerprint in ` +
      "tessera coordinator start --json) or set TESSERA_TLS_FINGERPRINT, point --data-dir at the coordinator's data " +
      `directory (looked in ${dataDir}), or pass --insecure for a loopback coordinator started with --insecure`,
  );
}
