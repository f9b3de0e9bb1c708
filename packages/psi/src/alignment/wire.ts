import { PsiError } from '../errors.js';
import { POINT_BYTES } from '../messages.js';
import { ALIGNMENT_VERSION, type AlignmentMessage } from './messages.js';

/**
 * A byte encoding of the alignment messages, for sealing with `PsiChannel` so that the relay (the coordinator)
 * carries ciphertexts only. Layout: kind (1 byte: 1 blinded, 2 reblinded, 3 confirmation), version (1 byte),
 * sender (1 byte: 0 initiator, 1 responder), session length (u32 BE) and UTF-8 session, then for kinds 1 and 2
 * count (u32 BE) and count × 32 bytes of points, for kind 3 size (u32 BE) and the 32-byte digest.
 */
const KINDS = ['psi-align/blinded', 'psi-align/reblinded', 'psi-align/confirmation'] as const;
const DIGEST_BYTES = 32;

export function encodeAlignmentMessage(m: AlignmentMessage): Uint8Array {
  const session = Buffer.from(m.session, 'utf8');
  const body = m.kind === 'psi-align/confirmation' ? m.digest : m.points;
  const number = m.kind === 'psi-align/confirmation' ? m.size : m.count;
  const out = Buffer.alloc(3 + 4 + session.length + 4 + body.length);
  out[0] = KINDS.indexOf(m.kind) + 1;
  out[1] = m.version;
  out[2] = m.from === 'initiator' ? 0 : 1;
  out.writeUInt32BE(session.length, 3);
  session.copy(out, 7);
  out.writeUInt32BE(number, 7 + session.length);
  out.set(body, 11 + session.length);
  return out;
}

function bad(message: string): never {
  throw new PsiError('bad-message', `alignment message: ${message}`);
}

/** The message encoded by `encodeAlignmentMessage`; refuses anything else with `PsiError` 'bad-message'. */
export function decodeAlignmentMessage(bytes: Uint8Array): AlignmentMessage {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 11) bad(`${b.length} bytes is shorter than any message`);
  const kind = KINDS[b[0]! - 1]; // b.length >= 11
  if (kind === undefined) bad(`unknown kind byte ${b[0]}`);
  if (b[1] !== ALIGNMENT_VERSION) bad(`unsupported version ${b[1]}`);
  if (b[2] !== 0 && b[2] !== 1) bad(`unknown sender byte ${b[2]}`);
  const from = b[2] === 0 ? 'initiator' : 'responder';
  const sessionLength = b.readUInt32BE(3);
  if (b.length < 11 + sessionLength) bad(`session of ${sessionLength} bytes runs past the end`);
  const session = b.toString('utf8', 7, 7 + sessionLength);
  const number = b.readUInt32BE(7 + sessionLength);
  const body = new Uint8Array(b.subarray(11 + sessionLength)); // a copy: the caller may reuse its buffer
  const version = ALIGNMENT_VERSION;
  if (kind === 'psi-align/confirmation') {
    if (body.length !== DIGEST_BYTES) bad(`confirmation digest of ${body.length} bytes, not ${DIGEST_BYTES}`);
    return { kind, version, session, from, size: number, digest: body };
  }
  if (body.length !== number * POINT_BYTES) bad(`${body.length} bytes of points for a count of ${number}`);
  return { kind, version, session, from, count: number, points: body };
}
