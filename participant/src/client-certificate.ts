// The node's TLS client certificate (mutual TLS): a P-256 key the node creates (tls.key, 0600), and the certificate the
// coordinator's CA issues for it at enrolment, or later on the identity key's signature (renewal), bound to this
// participant and its identity key (tls.pem).
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readSecretFile, type SigningKeyPair } from '@tessera/crypto';
import { participantClient, signTlsKey, type ChannelSecurity } from '@tessera/proto';
import { generateKeyPair, privateKeyPem, subjectPublicKeyOf } from '@tessera/transport';
import type { ParticipantConfig } from './config.js';

/** Where init writes the key and the certificate, beside participant.yaml. */
export const TLS_KEY_FILE = 'tls.key';
export const TLS_CERTIFICATE_FILE = 'tls.pem';

/** A fresh TLS key: its PEM (to save, 0600) and its DER SubjectPublicKeyInfo (to have certified). */
export async function createTlsKey(): Promise<{ keyPem: string; publicKey: Uint8Array }> {
  const keys = await generateKeyPair();
  const keyPem = await privateKeyPem(keys.privateKey);
  return { keyPem, publicKey: subjectPublicKeyOf(keyPem) };
}

/** Writes the key and its certificate (both owner-only: the key is a secret, the certificate names the node). */
export function saveClientCertificate(paths: { key: string; certificate: string }, keyPem: string, certPem: string) {
  writeFileSync(paths.key, keyPem, { mode: 0o600 });
  writeFileSync(paths.certificate, certPem, { mode: 0o600 });
}

/** The files a config names, or the defaults beside the config file. */
export function clientCertificatePaths(config: ParticipantConfig, configFile: string) {
  return {
    key: config.tlsKey ?? join(dirname(configFile), TLS_KEY_FILE),
    certificate: config.tlsCertificate ?? join(dirname(configFile), TLS_CERTIFICATE_FILE),
  };
}

/**
 * The client certificate the config names, for the TLS channel; none when it names none or its files are missing (the
 * coordinator then refuses the stream and says how to get one: tessera participant renew-cert). A key file other users
 * can read is refused (LoosePermissionsError names the fix).
 */
export function clientCertificateOf(
  config: ParticipantConfig,
): { clientCertificate: { certPem: string; keyPem: string } } | Record<string, never> {
  const { tlsKey, tlsCertificate } = config;
  if (!tlsKey || !tlsCertificate || !existsSync(tlsKey) || !existsSync(tlsCertificate)) return {};
  return { clientCertificate: { keyPem: readSecretFile(tlsKey), certPem: readSecretFile(tlsCertificate) } };
}

/**
 * Asks the coordinator for a client certificate for a new TLS key, signed with the node's identity key (for a node
 * enrolled before participants had certificates, or whose certificate is due), and writes both files.
 */
export async function renewClientCertificate(o: {
  config: ParticipantConfig;
  configFile: string;
  identity: SigningKeyPair;
  security: ChannelSecurity;
}): Promise<{ key: string; certificate: string }> {
  const { keyPem, publicKey } = await createTlsKey();
  // The renewal is authenticated by the identity key's signature: the old certificate, if any, is not presented.
  const security: ChannelSecurity =
    o.security.mode === 'tls' ? { mode: 'tls', anchorPem: o.security.anchorPem } : o.security;
  const client = participantClient(o.config.coordinator, security);
  try {
    const certPem = await new Promise<string>((resolve, reject) => {
      client.renewCertificate!(
        {
          participantId: o.config.participantId,
          tlsPublicKey: publicKey,
          signature: signTlsKey('participant', '', publicKey, o.identity.secretKey),
        },
        { deadline: Date.now() + 15_000 },
        (err: { details?: string; message: string } | null, res: { clientCertificate: string }) =>
          err
            ? reject(new Error(`certificate renewal at ${o.config.coordinator} failed: ${err.details ?? err.message}`))
            : resolve(res.clientCertificate),
      );
    });
    const paths = clientCertificatePaths(o.config, o.configFile);
    saveClientCertificate(paths, keyPem, certPem);
    return paths;
  } finally {
    client.close();
  }
}
