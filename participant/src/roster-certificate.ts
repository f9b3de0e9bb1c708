// This node's own roster certificate: read from rosterCertificate, checked against its id, key and authority.
import { readFileSync } from 'node:fs';
import { constantTimeEqual, parseRosterCertificate, toHex } from '@tessera/crypto';
import { ConfigError, type ParticipantConfig } from './config.js';

/**
 * The roster signature this node sends in its hello (empty without `rosterCertificate`). The certificate must be
 * for this node's participant id and identity key, and from the node's own `rosterAuthority` when it names one;
 * otherwise a ConfigError names the file and what to do.
 */
export function loadRosterSignature(config: ParticipantConfig, identityKey: Uint8Array): Uint8Array {
  const file = config.rosterCertificate;
  if (!file) return new Uint8Array(0);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(file, '(file)', 'cannot be read; ask the roster authority for it (tessera roster sign)');
  }
  let c: ReturnType<typeof parseRosterCertificate>;
  try {
    c = parseRosterCertificate(text, file);
  } catch (e) {
    throw new ConfigError(file, '(certificate)', (e as Error).message.replace(`${file}: `, ''));
  }
  if (c.participantId !== config.participantId)
    throw new ConfigError(
      file,
      'participantId',
      `is ${c.participantId}, but this node is ${config.participantId}: ask the roster authority for a certificate ` +
        `for ${config.participantId}`,
    );
  if (!constantTimeEqual(c.identityKey, identityKey))
    throw new ConfigError(
      file,
      'identityKey',
      `is ${toHex(c.identityKey)}, not this node's identity key ${toHex(identityKey)}: ` +
        'ask the roster authority to sign this key (tessera roster sign --identity)',
    );
  if (config.rosterAuthority && toHex(c.authority) !== config.rosterAuthority)
    throw new ConfigError(
      file,
      'authority',
      `is ${toHex(c.authority)}, not this node's rosterAuthority ${config.rosterAuthority}`,
    );
  return c.signature;
}
