// Roster certificates: a roster authority's Ed25519 signature that a participant id owns an identity key.
import { fromHex, lengthPrefixed, toHex } from './encoding.js';
import { isAcceptablePublicKey, sign, verify } from './identity.js';

/** Signature context of a roster certificate: distinct from every other signature in Tessera. */
export const ROSTER_CONTEXT = 'tessera/v1/roster';

const encoder = new TextEncoder();

/** The signed bytes of a roster entry: lengthPrefixed(utf8(participantId), identityKey). */
export function rosterMessage(participantId: string, identityKey: Uint8Array): Uint8Array {
  return lengthPrefixed(encoder.encode(participantId), identityKey);
}

/** The authority's signature that `participantId` is the member whose identity key is `identityKey`. */
export function signRosterEntry(authoritySecretKey: Uint8Array, participantId: string, identityKey: Uint8Array) {
  if (participantId === '') throw new RangeError('a roster entry needs a participant id');
  if (identityKey.length !== 32)
    throw new RangeError(`an identity key is 32 bytes (64 hex characters), got ${identityKey.length} bytes`);
  return sign(ROSTER_CONTEXT, rosterMessage(participantId, identityKey), authoritySecretKey);
}

/** True when `signature` is the authority's roster signature over (participantId, identityKey); never throws. */
export function verifyRosterEntry(
  authorityKey: Uint8Array,
  participantId: string,
  identityKey: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (participantId === '' || identityKey.length !== 32 || signature.length !== 64) return false;
  return verify(ROSTER_CONTEXT, rosterMessage(participantId, identityKey), signature, authorityKey);
}

/** A roster certificate as a file holds it (JSON): who, which key, which authority, and the signature. */
export interface RosterCertificate {
  readonly participantId: string;
  readonly identityKey: Uint8Array;
  readonly authority: Uint8Array;
  readonly signature: Uint8Array;
}

export const ROSTER_CERTIFICATE_FORMAT = 'tessera-roster-certificate/1';

/** The JSON text of a certificate file. */
export function rosterCertificateText(c: RosterCertificate): string {
  return `${JSON.stringify(
    {
      format: ROSTER_CERTIFICATE_FORMAT,
      participantId: c.participantId,
      identityKey: toHex(c.identityKey),
      authority: toHex(c.authority),
      signature: toHex(c.signature),
    },
    null,
    2,
  )}\n`;
}

/**
 * Parses a certificate file's text and checks its signature under the authority it names; throws an Error that
 * names `file` and the field that is wrong.
 */
export function parseRosterCertificate(text: string, file: string): RosterCertificate {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`${file}: is not JSON; expected a roster certificate written by tessera roster sign`);
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  if (o.format !== ROSTER_CERTIFICATE_FORMAT)
    throw new Error(`${file}: format: expected "${ROSTER_CERTIFICATE_FORMAT}", got ${JSON.stringify(o.format)}`);
  const hex = (field: string, bytes: number): Uint8Array => {
    const s = o[field];
    if (typeof s !== 'string' || s.length !== bytes * 2 || !/^[0-9a-fA-F]+$/.test(s))
      throw new Error(`${file}: ${field}: must be ${bytes * 2} hex characters, got ${JSON.stringify(s)}`);
    return fromHex(s);
  };
  if (typeof o.participantId !== 'string' || o.participantId === '')
    throw new Error(`${file}: participantId: must be a non-empty string, got ${JSON.stringify(o.participantId)}`);
  const c: RosterCertificate = {
    participantId: o.participantId,
    identityKey: hex('identityKey', 32),
    authority: hex('authority', 32),
    signature: hex('signature', 64),
  };
  if (!isAcceptablePublicKey(c.authority)) throw new Error(`${file}: authority: is not a valid Ed25519 public key`);
  if (!verifyRosterEntry(c.authority, c.participantId, c.identityKey, c.signature))
    throw new Error(`${file}: signature: does not verify under the authority ${toHex(c.authority)}`);
  return c;
}
