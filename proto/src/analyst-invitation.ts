// The one-time analyst invitation `tessera coordinator analysts add NAME` prints: a secret the coordinator stores only
// as a hash, the TLS fingerprint to pin, and the coordinator's address when the operator knows it, so that
// `tessera analyst join INVITATION` needs nothing else.
import { randomToken } from '@tessera/crypto';
import { parseFingerprint, splitAddress, type Fingerprint } from '@tessera/transport';

/** tsi1_<32 random bytes, base64url>_<TLS fingerprint, 64 hex, or "none">_<address, base64url; may be empty> */
const INVITATION = /^tsi1_([A-Za-z0-9_-]{43})_([0-9a-f]{64}|none)_([A-Za-z0-9_-]*)$/;

export class AnalystInvitationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalystInvitationError';
  }
}

/** What an invitation carries. The secret is what the coordinator checks; the rest tells the analyst where to go. */
export interface AnalystInvitation {
  secret: string;
  /** The coordinator's TLS fingerprint to pin; undefined when the operator's coordinator had none yet. */
  tlsFingerprint: Fingerprint | undefined;
  /** host:port, when the operator knew it. */
  address: string | undefined;
}

/** A new invitation: its text to hand over, and its secret (whose hash the coordinator keeps). */
export function newAnalystInvitation(o: { tlsFingerprint?: Fingerprint; address?: string }): {
  text: string;
  secret: string;
} {
  const secret = randomToken(); // 32 bytes from node:crypto, 43 base64url characters
  if (o.address !== undefined) splitAddress(o.address); // a bad address is refused before anything is printed
  const fingerprint = o.tlsFingerprint === undefined ? 'none' : parseFingerprint(o.tlsFingerprint);
  const address = o.address === undefined ? '' : Buffer.from(o.address, 'utf8').toString('base64url');
  return { text: `tsi1_${secret}_${fingerprint}_${address}`, secret };
}

/** Reads an invitation; anything else is refused here, before it is sent anywhere. */
export function parseAnalystInvitation(text: string): AnalystInvitation {
  const m = INVITATION.exec(text.trim());
  if (!m)
    throw new AnalystInvitationError(
      'the invitation is not one tessera coordinator analysts add prints (tsi1_<secret>_<fingerprint>_<address>); ' +
        'copy it whole',
    );
  const [, secret, fingerprint, encoded] = m;
  let address: string | undefined;
  if (encoded) {
    address = Buffer.from(encoded, 'base64url').toString('utf8');
    try {
      splitAddress(address);
    } catch {
      throw new AnalystInvitationError('the invitation names no valid coordinator address; copy it whole');
    }
  }
  return { secret: secret!, tlsFingerprint: fingerprint === 'none' ? undefined : fingerprint, address };
}
