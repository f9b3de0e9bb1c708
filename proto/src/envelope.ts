import './int64-as-number.js';
import { sign, verify } from '@tessera/crypto';
import { tessera } from './gen/tessera.js';

const pb = tessera.v1;

/** Signature contexts: a signature made for one purpose never verifies for another. */
export const PARTICIPANT_MESSAGE_CONTEXT = 'tessera/v1/participant-message';
export const ENROLL_CONTEXT = 'tessera/v1/enroll';

export function sealParticipantMessage(
  participantId: string,
  message: tessera.v1.IParticipantMessage,
  secretKey: Uint8Array,
): tessera.v1.SignedMessage {
  const payload = pb.ParticipantMessage.encode(message).finish();
  return pb.SignedMessage.create({
    participantId,
    payload,
    signature: sign(PARTICIPANT_MESSAGE_CONTEXT, payload, secretKey),
  });
}

export type OpenResult = { ok: true; message: tessera.v1.ParticipantMessage } | { ok: false; reason: string };

/** Checks the signature, then decodes. Never throws: a bad message is a reason, not a crash. */
export function openParticipantMessage(signed: tessera.v1.ISignedMessage, publicKey: Uint8Array): OpenResult {
  const payload = signed.payload ?? new Uint8Array(0);
  const signature = signed.signature ?? new Uint8Array(0);
  if (signature.length === 0) return { ok: false, reason: 'message is not signed' };
  if (!verify(PARTICIPANT_MESSAGE_CONTEXT, payload, signature, publicKey)) {
    return { ok: false, reason: `bad signature on a message from ${signed.participantId || 'an unnamed participant'}` };
  }
  try {
    return { ok: true, message: pb.ParticipantMessage.decode(payload) };
  } catch (e) {
    return { ok: false, reason: `undecodable participant message: ${(e as Error).message}` };
  }
}

export function enrollmentMessage(token: string, publicKey: Uint8Array): Uint8Array {
  const t = new TextEncoder().encode(token);
  const out = new Uint8Array(t.length + 1 + publicKey.length);
  out.set(t, 0);
  out.set(publicKey, t.length + 1);
  return out;
}
