// How this node reaches its coordinator: TLS pinned to the trust anchor saved at init, or plaintext on loopback.
import { readFileSync, writeFileSync } from 'node:fs';
import { enrolmentTokenFingerprint, INSECURE, type ChannelSecurity } from '@tessera/proto';
import {
  assertInsecureAllowed,
  explainPinFailure,
  fingerprintOf,
  parseFingerprint,
  pinAnchor,
  sameFingerprint,
} from '@tessera/transport';
import { clientCertificateOf } from './client-certificate.js';
import { ConfigError, type ParticipantConfig } from './config.js';
import { describeConnectionFailure } from './connection-diagnosis.js';

/** The channel security a config asks for; `file` names the config in errors. */
export function channelSecurityOf(config: ParticipantConfig, file = 'participant config'): ChannelSecurity {
  if (config.insecure) {
    assertInsecureAllowed(config.coordinator, 'this participant');
    return INSECURE;
  }
  if (!config.coordinatorCa)
    throw new ConfigError(
      file,
      'coordinatorCa',
      "is missing: the node trusts only the coordinator's TLS certificate pinned at init. Run tessera participant " +
        'init again with a new token, or set insecure: true for a coordinator on loopback started with --insecure',
    );
  let anchorPem: string;
  try {
    anchorPem = readFileSync(config.coordinatorCa, 'utf8');
  } catch {
    throw new ConfigError(
      file,
      'coordinatorCa',
      `${config.coordinatorCa} cannot be read; tessera participant init writes it (run it again with a new token)`,
    );
  }
  return { mode: 'tls', anchorPem, ...clientCertificateOf(config) };
}

/** How init reaches the coordinator: the token's fingerprint, or one given with --tls-fingerprint, or --insecure. */
export interface PinOptions {
  coordinator: string;
  token: string;
  tlsFingerprint?: string;
  insecure?: boolean;
}

/**
 * First contact at init: pins the coordinator's trust anchor from the fingerprint in the enrolment token (or
 * --tls-fingerprint, which must agree with it) and returns the channel security with the anchor to save.
 */
export async function pinCoordinator(o: PinOptions): Promise<ChannelSecurity> {
  if (o.insecure) {
    assertInsecureAllowed(o.coordinator, 'this participant');
    return INSECURE;
  }
  const fromToken = enrolmentTokenFingerprint(o.token);
  const given = o.tlsFingerprint === undefined ? undefined : parseFingerprint(o.tlsFingerprint, '--tls-fingerprint');
  if (given && fromToken && !sameFingerprint(given, fromToken))
    throw new ConfigError(
      '(init)',
      'tlsFingerprint',
      `--tls-fingerprint ${given} is not the fingerprint in the enrolment token (${fromToken}); ` +
        'drop --tls-fingerprint, or ask the operator which one is current',
    );
  const fingerprint = given ?? fromToken;
  if (!fingerprint)
    throw new ConfigError(
      '(init)',
      'tlsFingerprint',
      'the enrolment token carries no TLS fingerprint (an older coordinator made it): pass --tls-fingerprint ' +
        "SHA256 (the coordinator's tlsFingerprint), or --insecure for a loopback coordinator started with --insecure",
    );
  const { anchorPem } = await pinAnchor(o.coordinator, fingerprint);
  return { mode: 'tls', anchorPem };
}

/**
 * Why the coordinator cannot be reached, for the log: when a TLS channel fails on the certificate, the presented chain
 * is fetched and checked against the pin, so the message names both fingerprints if the coordinator changed.
 */
export async function explainUnreachable(address: string, security: ChannelSecurity, details: string): Promise<string> {
  if (security.mode !== 'tls' || !/certificate|self.signed|issuer|pinned/i.test(details))
    return describeConnectionFailure(address, details);
  const mismatch = await explainPinFailure(address, fingerprintOf(security.anchorPem));
  return mismatch ? `refusing to connect: ${mismatch.message}` : describeConnectionFailure(address, details);
}

/**
 * Pins the coordinator again after its operator replaced the TLS trust anchor (a new CA, another --tls-ca): fetches the
 * chain, checks it against the new fingerprint (given by the operator out of band) and writes the anchor over the
 * config's coordinatorCa. The node uses it from its next start.
 */
export async function repinCoordinator(
  config: ParticipantConfig,
  fingerprint: string,
  file = 'participant config',
): Promise<{ fingerprint: string; path: string }> {
  if (!config.coordinatorCa)
    throw new ConfigError(
      file,
      'coordinatorCa',
      'is not set (the node talks plaintext to a loopback coordinator): nothing to pin; remove insecure: true and ' +
        'add coordinatorCa: coordinator-ca.pem to the config first',
    );
  const pinned = await pinAnchor(config.coordinator, parseFingerprint(fingerprint, '--tls-fingerprint'));
  writeFileSync(config.coordinatorCa, pinned.anchorPem);
  return { fingerprint: pinned.fingerprint, path: config.coordinatorCa };
}
